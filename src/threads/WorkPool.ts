// WorkPool: a fixed set of worker threads for CPU-heavy handler work, so a loop thread never
// stalls its connections on a long computation (the reactor's "work threads").
//
// The main thread only builds and ends it: one MessageChannel per (loop, work thread) pair;
// the loop keeps one end (WorkClient submits jobs and takes results from it), the work thread
// the other (workWorker.ts). Results travel straight back to the submitting loop's task queue
// through its doorbell (post + eventfd wake-up), never through the main thread.
//
// Bounded: at most `maxQueue` jobs queued or running, pool-wide (a counter in the shared
// Doorbells buffer); a submission beyond that throws WorkQueueFullError at once. A work
// thread that dies is reported (ThreadDiedError) and the LoopPool shuts down.
//
// Threading: the main thread only. Lifetime: stop() after the loops have stopped (no more
// submissions); each thread ends once its running jobs have finished.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PoolStartError, ThreadDiedError, rangeError } from '../errors.js';
import type { Doorbells } from './Doorbells.js';
import type { FromWork, ModuleRef, ToWork, WorkWorkerData } from './protocol.js';

/** How to build a WorkPool (LoopPoolOptions.work). */
export interface WorkPoolOptions extends ModuleRef {
  /** Work threads. Default 1. */
  threads?: number;
  /** Jobs queued or running, pool-wide, before submissions fail. Default 1024. */
  maxQueue?: number;
}

/** The work threads and their channels to the loops (built and ended by the main thread). */
export class WorkPool {
  /** Number of work threads. */
  readonly threads: number;
  /** Jobs queued or running, pool-wide, before submissions fail. */
  readonly maxQueue: number;
  readonly #workers: Worker[] = [];
  /** loopPorts[j][k]: loop j's end of its channel to work thread k (transfer to loop j). */
  readonly loopPorts: MessagePort[][];
  /** Resolves once every work thread has loaded the work module. */
  readonly ready: Promise<void>;
  /** Resolves once every work thread has ended. */
  readonly exited: Promise<void>;
  #stopping = false;

  constructor(options: WorkPoolOptions, bells: Doorbells, loops: number, onDied: (err: ThreadDiedError) => void) {
    this.threads = options.threads ?? 1;
    this.maxQueue = options.maxQueue ?? 1024;
    if (!Number.isInteger(this.threads) || this.threads < 1) throw rangeError(`work.threads must be >= 1, got ${this.threads}`);
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 1) throw rangeError(`work.maxQueue must be >= 1, got ${this.maxQueue}`);
    this.loopPorts = Array.from({ length: loops }, () => [] as MessagePort[]);
    const ready: Array<Promise<void>> = [];
    const exited: Array<Promise<void>> = [];
    for (let k = 0; k < this.threads; k++) {
      const ends: MessagePort[] = [];
      for (let j = 0; j < loops; j++) {
        const { port1, port2 } = new MessageChannel();
        this.loopPorts[j]!.push(port1);
        ends.push(port2);
      }
      const data: WorkWorkerData = { index: k, work: { module: options.module, export: options.export ?? 'default' }, bells: bells.buffer, loops: ends };
      const worker = new Worker(new URL('./workWorker.js', import.meta.url), { workerData: data, transferList: ends });
      this.#workers.push(worker);
      const origin = { kind: 'work' as const, index: k };
      let uncaught: Error | null = null;
      ready.push(
        new Promise((resolve, reject) => {
          worker.on('message', (msg: FromWork) => {
            if (msg.t === 'ready') resolve();
            else reject(new PoolStartError(origin, msg.error.message, msg.error.stack));
          });
          worker.once('exit', (code) => reject(new PoolStartError(origin, `exit code ${code}`)));
        }),
      );
      worker.on('error', (err) => (uncaught = err));
      exited.push(
        new Promise((resolve) => {
          worker.once('exit', (code) => {
            if (!this.#stopping || uncaught !== null) {
              const why = uncaught ? `uncaught ${(uncaught as Error).name}: ${(uncaught as Error).message}` : `exit code ${code}`;
              onDied(new ThreadDiedError(origin, why, (uncaught as Error | null)?.stack));
            }
            resolve();
          });
        }),
      );
    }
    this.ready = Promise.all(ready).then(() => undefined);
    this.ready.catch(() => undefined);
    this.exited = Promise.all(exited).then(() => undefined);
  }

  /** Close the work threads' ports; each ends after its running jobs. Call once the loops have stopped. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const msg: ToWork = { t: 'stop' };
    for (const w of this.#workers) w.postMessage(msg);
  }

  /** End every work thread now (after a missed deadline). */
  async terminate(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
