// LoopThread: the main thread's handle on one loop thread (muduo's EventLoopThread) — the
// worker_threads Worker running loopWorker.js, the command port into its loop, and its
// lifecycle: starting -> running -> stopping -> exited (or died).
//
// Commands go through the pool's Doorbells (post + eventfd wake-up), so they reach a loop
// blocked in epoll_wait at once and are refused — never lost — once the loop has stopped
// taking messages. Events come back on the Worker's own message channel.
//
// Threading: the main thread only. Lifetime: the Worker ends by itself after stop(); a thread
// that ends any other way is reported once through `onDied`.
import { Worker, type MessagePort } from 'node:worker_threads';
import { HandlerThrewError, PoolStartError, ThreadDiedError, type ThreadsError } from '../errors.js';
import type { Doorbells } from './Doorbells.js';
import type { FromLoop, LoopReport, LoopWorkerData, ToLoop } from './protocol.js';

/** A loop thread's lifecycle, as the main thread sees it. */
export type LoopThreadState = 'starting' | 'running' | 'stopping' | 'exited';

/** What a LoopThread tells its pool. */
export interface LoopThreadEvents {
  /** User code threw on the loop (the affected connection was closed). */
  onError(err: ThreadsError): void;
  /** The thread ended without finishing its stop sequence (crashed, exited, or terminated). */
  onDied(err: ThreadDiedError): void;
}

/** The main thread's handle on one loop thread. */
export class LoopThread {
  /** This loop's index in its pool (0-based). */
  readonly index: number;
  /** The worker thread running the loop. */
  readonly worker: Worker;
  readonly #control: MessagePort;
  readonly #bells: Doorbells;
  readonly #events: LoopThreadEvents;
  #state: LoopThreadState = 'starting';
  #lastReport: LoopReport | null = null;
  #uncaught: Error | null = null;
  #nextStatsId = 1;
  readonly #statsWaiters = new Map<number, (r: LoopReport) => void>();
  /** Resolves once the loop runs (handler loaded, listening); rejects with PoolStartError. */
  readonly ready: Promise<void>;
  /** Resolves with the final report once the thread has ended (null if it died). */
  readonly exited: Promise<LoopReport | null>;

  /** `data.control` is the loop's end of `control`; it is transferred to the thread. */
  constructor(data: LoopWorkerData, control: MessagePort, bells: Doorbells, events: LoopThreadEvents) {
    this.index = data.index;
    this.#control = control;
    this.#bells = bells;
    this.#events = events;
    const transfer = [data.control, ...data.peers.filter((p): p is MessagePort => p !== null), ...data.work];
    this.worker = new Worker(new URL('./loopWorker.js', import.meta.url), { workerData: data, transferList: transfer });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.ready.catch(() => undefined); // the pool awaits it; an unobserved failure is not a crash
    const origin = { kind: 'loop' as const, index: this.index };
    this.worker.on('message', (msg: FromLoop) => {
      switch (msg.t) {
        case 'ready':
          if (this.#state === 'starting') this.#state = 'running';
          readyResolve();
          break;
        case 'start-failed':
          readyReject(new PoolStartError(origin, msg.error.message, msg.error.stack));
          break;
        case 'handler-error':
          this.#events.onError(new HandlerThrewError(origin, msg.where, msg.connectionId, msg.error.message, msg.error.stack));
          break;
        case 'handoff-refused':
          break; // the loop closed the fd; counted in its report
        case 'stats':
          this.#statsWaiters.get(msg.id)?.(msg.report);
          this.#statsWaiters.delete(msg.id);
          break;
        case 'exited':
          this.#lastReport = msg.report;
          break;
      }
    });
    this.worker.on('error', (err) => {
      this.#uncaught = err;
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        const clean = this.#lastReport !== null && this.#uncaught === null;
        this.#state = 'exited';
        for (const resolveStats of this.#statsWaiters.values()) resolveStats(this.#lastReport ?? emptyReport(this.index));
        this.#statsWaiters.clear();
        this.#control.close();
        if (!clean) {
          const why = this.#uncaught ? `uncaught ${this.#uncaught.name}: ${this.#uncaught.message}` : `exit code ${code}`;
          const died = new ThreadDiedError(origin, why, this.#uncaught?.stack);
          readyReject(new PoolStartError(origin, why, this.#uncaught?.stack));
          this.#events.onDied(died);
        }
        resolve(clean ? this.#lastReport : null);
      });
    });
  }

  /** Lifecycle: starting -> running -> stopping -> exited. */
  get state(): LoopThreadState {
    return this.#state;
  }

  /** Hand an accepted fd to this loop. False (the fd is still the caller's) if it takes no more. */
  handOff(fd: number): boolean {
    return this.#send({ t: 'adopt', fd });
  }

  /** Run the handler's onPost(message, -1) on this loop. False if it takes no more messages. */
  post(message: unknown): boolean {
    return this.#send({ t: 'post', message });
  }

  /** This loop's figures (the final ones once it has exited). */
  stats(): Promise<LoopReport> {
    const id = this.#nextStatsId++;
    const answer = new Promise<LoopReport>((resolve) => this.#statsWaiters.set(id, resolve));
    if (!this.#send({ t: 'stats', id })) {
      this.#statsWaiters.delete(id);
      return this.exited.then((r) => r ?? this.#lastReport ?? emptyReport(this.index));
    }
    return answer;
  }

  /** Stop accepting, close connections (flush; force after `deadlineMs`), end the thread. */
  stop(deadlineMs: number): void {
    if (this.#state === 'exited' || this.#state === 'stopping') return;
    const wasStarting = this.#state === 'starting';
    this.#state = 'stopping';
    // Still starting: the stop waits for 'ready' (a failed start ends the thread by itself,
    // after closing its loop's fds — terminating it here would leak them).
    if (wasStarting) void this.ready.then(() => this.#send({ t: 'stop', deadlineMs }), () => undefined);
    else this.#send({ t: 'stop', deadlineMs });
  }

  /** Last resort after a missed deadline: end the thread now (its fds stay open until exit). */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  #send(msg: ToLoop): boolean {
    return this.#bells.post(this.index, this.#control, msg);
  }
}

function emptyReport(index: number): LoopReport {
  return { index, accepted: 0, connections: 0, handoffsRefused: 0, handlerErrors: 0, loop: {} };
}
