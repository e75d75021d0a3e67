// The exclusive-driver half of every example server (run.ts): runs in a worker thread, where a
// blocking epoll_wait loop is the right driver. It imports the example's server module, starts
// it on its own loop, reports the address, and on the main thread's 'stop' message (posted on
// `port`, plus a signal on our Waker fd) closes the server gracefully and stops the loop.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EventLoop, type LoopMode } from '../../src/index.js';
import type { RunningServer, StartServer, WorkerReport } from './run.js';
import { errorLine } from './cli.js';

const data = workerData as { module: string; options: { mode: LoopMode }; batchIo: boolean; deadlineMs: number; port: MessagePort };
const report = (msg: WorkerReport): void => parentPort!.postMessage(msg);
const { start } = (await import(data.module)) as { start: StartServer<unknown> };
let loop: EventLoop | null = null;
let server: RunningServer | null = null;
try {
  // Inside the try: mode 'uring' throws ERR_REACTOR_URING_UNAVAILABLE where io_uring is refused.
  loop = new EventLoop({ mode: data.options.mode, driver: 'exclusive', batchIo: data.batchIo });
  server = start(loop, data.options);
} catch (err) {
  loop?.close();
  report({ error: errorLine(err) });
}
if (loop !== null && server !== null) {
  const running = server;
  loop.attachPort(data.port, (msg) => {
    if ((msg as { cmd?: string }).cmd === 'stop') void running.close(data.deadlineMs).then(() => loop.stop());
  });
  report({ listening: running.address.toString(), wakerFd: loop.wakerFd });
  await loop.run(); // blocks this thread (but for microtasks) until stop()
  loop.close();
  report({ stopped: true, stats: loop.stats.snapshot() });
}
