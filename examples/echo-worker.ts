// The exclusive-driver half of examples/echo-server: runs in a worker thread,
// where a blocking epoll_wait loop is the right driver. The main thread keeps
// the signals; it stops us by posting on `port` and signalling our Waker fd.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EventLoop } from '../src/index.js';
import { startEcho, type EchoOptions } from './echo.js';

const { options, port } = workerData as { options: EchoOptions & { deadlineMs: number }; port: MessagePort };
const loop = new EventLoop({ mode: options.mode, driver: 'exclusive', batchIo: options.batchIo });
const server = startEcho(loop, options);
loop.attachPort(port, (msg) => {
  if ((msg as { cmd?: string }).cmd === 'stop') {
    void server.close(options.deadlineMs).then(() => loop.stop());
  }
});
parentPort!.postMessage({ listening: server.address.toString(), wakerFd: loop.wakerFd });
await loop.run(); // blocks this thread (but for microtasks) until stop()
loop.close();
parentPort!.postMessage({ stopped: true, stats: loop.stats.snapshot() });
