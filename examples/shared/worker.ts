// The exclusive-driver half of every example server (run.ts): runs in a worker thread, where a
// blocking epoll_wait loop is the right driver. It imports the example's server module, starts
// it on its own loop, reports the address, and on the main thread's 'stop' message (posted on
// `port`, plus a signal on our Waker fd) closes the server gracefully and stops the loop.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EventLoop } from '../../src/index.js';
import type { RunningServer, StartServer, WorkerReport } from './run.js';

const data = workerData as { module: string; options: { mode: 'lt' | 'et' }; batchIo: boolean; deadlineMs: number; port: MessagePort };
const report = (msg: WorkerReport): void => parentPort!.postMessage(msg);
const { start } = (await import(data.module)) as { start: StartServer<unknown> };
const loop = new EventLoop({ mode: data.options.mode, driver: 'exclusive', batchIo: data.batchIo });
let server: RunningServer | null = null;
try {
  server = start(loop, data.options);
} catch (err) {
  report({ error: (err as Error).message });
}
if (server !== null) {
  const running = server;
  loop.attachPort(data.port, (msg) => {
    if ((msg as { cmd?: string }).cmd === 'stop') void running.close(data.deadlineMs).then(() => loop.stop());
  });
  report({ listening: running.address.toString(), wakerFd: loop.wakerFd });
  await loop.run(); // blocks this thread (but for microtasks) until stop()
  loop.close();
  report({ stopped: true, stats: loop.stats.snapshot() });
}
