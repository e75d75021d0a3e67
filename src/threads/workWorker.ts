// The entry point of a WorkPool thread: imports the work module (defineWork) and runs jobs
// that loops post on their ports, one 'message' event each, on this thread's ordinary Node
// event loop (a synchronous function occupies the thread until it returns; an async one
// interleaves with the next jobs).
//
// Each result goes back on the port it came from and rings that loop's doorbell, after the
// job's place in the pool-wide queue has been released. A result for a loop that stopped is
// dropped (the doorbell refuses it). A function that throws fails that job only; its loop
// reports the error (with its stack) and closes the job's connection. 'stop' on parentPort
// closes the ports, and the thread ends (process.exit, which in a worker ends only the
// thread) once its running jobs have finished.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Doorbells } from './Doorbells.js';
import { loadExport, type WorkFunctions } from './handler.js';
import { toWireError, type FromWork, type ToWork, type WorkJob, type WorkResult, type WorkWorkerData } from './protocol.js';
import { argValueError } from '../errors.js';

const init = workerData as WorkWorkerData;
const post = (msg: FromWork): void => parentPort!.postMessage(msg);
const bells = new Doorbells(init.bells);
let running = 0;
let stopping = false;

async function run(fns: WorkFunctions, job: WorkJob, loop: number, port: MessagePort): Promise<void> {
  let result: WorkResult;
  running++;
  try {
    const fn = fns[job.fn];
    if (typeof fn !== 'function') throw argValueError(`no work function '${job.fn}' in ${init.work.module}`);
    result = { seq: job.seq, ok: true, value: await (fn as (input: unknown) => unknown)(job.input) };
  } catch (err) {
    result = { seq: job.seq, ok: false, error: toWireError(err) }; // the loop reports it, naming the connection
  }
  bells.releaseQueued();
  bells.post(loop, port, result);
  if (--running === 0 && stopping) process.exit(0);
}

try {
  const fns = (await loadExport(init.work, 'work')) as WorkFunctions;
  init.loops.forEach((port, loop) => port.on('message', (job: WorkJob) => void run(fns, job, loop, port)));
  parentPort!.on('message', (msg: ToWork) => {
    if (msg.t !== 'stop') return;
    stopping = true;
    for (const port of init.loops) port.close();
    if (running === 0) process.exit(0);
  });
  post({ t: 'ready' });
} catch (err) {
  post({ t: 'start-failed', error: toWireError(err) });
  for (const port of init.loops) port.close();
  process.exitCode = 1;
}
