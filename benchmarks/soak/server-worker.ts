// The exclusive-driver half of the soak server: a blocking epoll loop in this
// worker; samples and the listening address go to the main thread by
// postMessage; a 'stop' on `port` (plus a Waker signal) closes the server.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EventLoop } from '../../src/index.js';
import { startSoakService, type SoakServiceOptions } from './service.js';

const { options, port } = workerData as { options: SoakServiceOptions; port: MessagePort };
const loop = new EventLoop({ mode: options.mode, driver: 'exclusive' });
const server = startSoakService(loop, options, (s) => parentPort!.postMessage({ sample: s }));
loop.attachPort(port, (msg) => {
  if ((msg as { cmd?: string }).cmd === 'stop') void server.close(2000).then(() => loop.stop());
});
parentPort!.postMessage({ listening: server.address.toString(), wakerFd: loop.wakerFd });
await loop.run();
loop.close();
