// The exclusive-driver half of serve.ts: runs in a worker thread, where a blocking epoll_wait
// loop is the right driver. It imports the server module by URL and calls its `start`. The
// main thread keeps the signals; it stops us by posting on `port` and signalling our Waker fd.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EventLoop } from '../../src/index.js';
import type { BaseOptions, StartServer } from './serve.js';

const { moduleUrl, options, deadlineMs, port } = workerData as {
  moduleUrl: string;
  options: BaseOptions;
  deadlineMs: number;
  port: MessagePort;
};
const { start } = (await import(moduleUrl)) as { start: StartServer<BaseOptions> };
const loop = new EventLoop({ mode: options.mode, driver: 'exclusive' });
const server = start(loop, options);
loop.attachPort(port, (msg) => {
  if ((msg as { cmd?: string }).cmd === 'stop') {
    void server.close(deadlineMs).then(() => loop.stop());
  }
});
parentPort!.postMessage({ listening: server.address.toString(), wakerFd: loop.wakerFd });
await loop.run(); // blocks this thread (but for microtasks) until stop()
loop.close();
