// The entry point of a loop thread (LoopThread spawns it as a worker_threads Worker): one
// exclusive EventLoop — its own epoll fd, eventfd waker, timing wheel and batch arenas — and
// the LoopRuntime around it.
//
// Sequence: build the loop, import the handler and run its factory, open the doorbell,
// listen (reuseport), say 'ready'; run until the runtime stops the loop; close the loop's
// fds and the ports, say 'exited' with the final figures; the thread then ends by itself.
// A start failure is reported as 'start-failed' (the thread ends with exit code 1).
//
// An unhandled promise rejection from user code is reported like a throwing callback and
// does not end the thread (a failed work job was reported already when it settled). A
// process.exit() in user code ends the thread, and its fds are closed on the way out.
import { parentPort, workerData } from 'node:worker_threads';
import { WorkFailedError } from '../errors.js';
import { EventLoop } from '../loop/EventLoop.js';
import { kCloseAbandoned } from '../loop/symbols.js';
import { LoopRuntime } from './LoopRuntime.js';
import { toWireError, type FromLoop, type LoopWorkerData } from './protocol.js';

const init = workerData as LoopWorkerData;
const post = (msg: FromLoop): void => parentPort!.postMessage(msg);

process.on('unhandledRejection', (reason) => {
  if (reason instanceof WorkFailedError) return;
  post({ t: 'handler-error', where: 'unhandledRejection', connectionId: -1, error: toWireError(reason) });
});

const loop = new EventLoop({ mode: init.mode, driver: 'exclusive', batchIo: init.batchIo });
const runtime = new LoopRuntime(init, loop);

// process.exit() in user code ends this thread at once, past the sequence below: close the
// connections, the listener, the epoll fd, the waker and the timer fd here, or they stay open
// until the whole process ends — and the process may well live on (the pool reports the death;
// what the application does next is its call).
process.on('exit', () => {
  if (loop.closed) return;
  runtime.closeNow();
  loop[kCloseAbandoned](); // exit may come from inside a handler, in a turn that never ends
});
let started = false;
try {
  await runtime.start();
  started = true;
} catch (err) {
  post({ t: 'start-failed', error: toWireError(err) });
  runtime.abort();
  process.exitCode = 1;
}
if (started) {
  post({ t: 'ready' });
  await loop.run();
}
loop.close();
for (const port of runtime.ports()) port.close();
post({ t: 'exited', report: runtime.report() });
