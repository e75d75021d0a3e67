// The two drivers of an EventLoop: what makes turns happen. Both run the same
// turn (EventLoop[kTurn]); they differ only in who waits for the kernel.
//
//   - IntegratedDriver: the epoll fd (the ring fd in mode 'uring') is watched
//     from Node's own libuv loop (Epoll.watch, Ring.watch), so the reactor
//     shares the thread with timers, promises and node:net. Due wheel timers wake it through the loop's timerfd, and work
//     queued from outside a turn runs in a setImmediate turn.
//   - ExclusiveDriver: run() turns back to back, blocking in epoll_wait with the
//     wheel's next deadline as the timeout. For worker threads and dedicated
//     processes: Node's own timers and I/O do not run on this thread until stop()
//     (signals are not seen by a blocked thread: keep them on the main thread).
//
// Ownership: a driver belongs to one loop and owns nothing but its run state.
// Threading: the loop's thread only (other threads wake a loop with its Waker).
import type { Waker } from '../poll/EventFd.js';
import type { EventLoop } from './EventLoop.js';
import type { LoopTimers } from './LoopTimers.js';
import { kHasWork, kInTurn, kTurn, kWaitSource } from './symbols.js';

/** Mode 'uring', integrated driver: the most turns one wake-up of Node's loop runs. */
const URING_PASSES = 8;

/** What the loop asks of a driver. */
export interface LoopDriver {
  readonly running: boolean;
  /** Start turning; the promise settles when the loop stops (rejects with a fatal error). */
  start(): Promise<void>;
  /** Stop after the current turn; `error` makes start()'s promise reject with it. */
  stop(error?: unknown): void;
  /** Make a turn happen soon (called from this thread, outside a turn). */
  wakeup(): void;
  /** A turn ended. */
  afterTurn(): void;
  /** A timer was scheduled outside a turn. */
  timersChanged(): void;
}

/** An already-resolved promise: reacting to it queues a callback behind the current microtasks. */
const RESOLVED = Promise.resolve();
/** Promise.prototype.then as loaded (a later patch of it, e.g. by an APM agent, is not in our turn). */
const promiseThen = Promise.prototype.then;

/** Settles the promise start() returned, once. */
class Completion {
  #resolve: (() => void) | null = null;
  #reject: ((err: unknown) => void) | null = null;

  begin(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  settle(error: unknown, failed: boolean): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = this.#reject = null;
    if (failed) reject?.(error);
    else resolve?.();
  }
}

/** Turns run from Node's event loop (uv_poll on the epoll fd, plus setImmediate). */
export class IntegratedDriver implements LoopDriver {
  running = false;
  readonly #loop: EventLoop;
  readonly #timers: LoopTimers;
  readonly #done = new Completion();
  #immediatePending = false;
  readonly #onImmediate = (): void => {
    this.#immediatePending = false;
    if (this.running && !this.#loop.closed) this.#loop[kTurn](0);
  };

  constructor(loop: EventLoop, timers: LoopTimers) {
    this.#loop = loop;
    this.#timers = timers;
  }

  start(): Promise<void> {
    const loop = this.#loop;
    this.running = true;
    const done = this.#done.begin();
    // Mode 'uring': the kernel completes recvs while a turn runs (on the way out of its write
    // syscalls), and looking for them costs no syscall (the CQ is shared memory), so one wake-up
    // runs turns until one finds nothing, at most URING_PASSES: each pass saves Node's
    // epoll_wait and a callback (server CPU per message in E: -2% and -11% in two A/Bs). Each
    // next pass is a reaction on a resolved promise queued after the turn (cheaper than
    // queueMicrotask, which makes an AsyncResource per call), so the promise continuations that
    // turn released (an `await client.connect()` going on to pauseReading()) run before it, as
    // they would between two wake-ups; a throw from such a pass ends the run (run() rejects with
    // it). The epoll modes keep one turn per wake-up: there, looking again is an epoll_wait of
    // its own.
    const passes = loop.mode === 'uring' ? URING_PASSES : 1;
    let left = 0;
    const next = (): void => {
      try {
        pass();
      } catch (err) {
        this.stop(err);
      }
    };
    const pass = (): void => {
      if (loop[kTurn](0) > 0 && --left > 0 && this.running && !loop.closed) promiseThen.call(RESOLVED, next);
    };
    loop[kWaitSource].watch(() => {
      left = passes;
      pass();
    });
    this.#arm();
    if (loop[kHasWork]()) this.#scheduleImmediate();
    return done;
  }

  stop(error?: unknown): void {
    this.#loop[kWaitSource].unwatch();
    this.running = false;
    this.#done.settle(error, error !== undefined);
  }

  wakeup(): void {
    this.#scheduleImmediate();
  }

  afterTurn(): void {
    if (!this.running) return;
    this.#arm();
    if (this.#loop[kHasWork]()) this.#scheduleImmediate();
  }

  timersChanged(): void {
    if (this.running && !this.#loop[kInTurn]) this.#arm();
  }

  #arm(): void {
    this.#loop.stats.syscalls += this.#timers.arm();
  }

  #scheduleImmediate(): void {
    if (this.#immediatePending || !this.running) return;
    this.#immediatePending = true;
    setImmediate(this.#onImmediate);
  }
}

/** Turns run back to back in run(), blocking in epoll_wait between them. */
export class ExclusiveDriver implements LoopDriver {
  running = false;
  readonly #loop: EventLoop;
  readonly #timers: LoopTimers;
  readonly #waker: Waker;
  readonly #done = new Completion();
  #stopRequested = false;
  #error: unknown = undefined;
  #failed = false;

  constructor(loop: EventLoop, timers: LoopTimers, waker: Waker) {
    this.#loop = loop;
    this.#timers = timers;
    this.#waker = waker;
  }

  start(): Promise<void> {
    this.running = true;
    this.#stopRequested = false;
    this.#failed = false;
    this.#error = undefined;
    const done = this.#done.begin();
    promiseThen.call(RESOLVED, this.#busy); // return to run()'s caller first: it may still be setting up
    return done;
  }

  // The run is a chain of callbacks, not an async function: a busy turn is followed by a
  // reaction on an already-resolved promise, which queues the next turn behind every promise
  // continuation that turn made (as `await undefined` did, at the same place in the
  // microtask queue), without suspending and resuming a generator (half the cost of an await
  // in a micro-benchmark, and the whole of the await machinery in an A0 profile). Neither
  // callback may throw: a throw from a turn ends the run, and run() rejects with it.

  /** A turn that does not block; busy: go on after this turn's continuations; idle: #idle. */
  readonly #busy = (): void => {
    const loop = this.#loop;
    try {
      if (this.#stopRequested) return this.#finish(undefined, false);
      if (loop[kTurn](0) > 0) {
        promiseThen.call(RESOLVED, this.#busy);
        return;
      }
    } catch (err) {
      return this.#finish(err, true);
    }
    // Nothing ready. Before sleeping, let every pending promise continuation run: one
    // macrotask hop drains the whole microtask queue, where a single reaction would let
    // only the first link of a chain run before we block.
    setImmediate(this.#idle);
  };

  /** After the hop: the turn that may block, until the next event or timer. */
  readonly #idle = (): void => {
    const loop = this.#loop;
    try {
      if (this.#stopRequested) return this.#finish(undefined, false);
      loop[kTurn](loop[kHasWork]() ? 0 : this.#timers.timeoutMs());
    } catch (err) {
      return this.#finish(err, true);
    }
    promiseThen.call(RESOLVED, this.#busy);
  };

  /** The run is over: settle run()'s promise (with stop()'s error, else a turn's throw). */
  #finish(thrown: unknown, threw: boolean): void {
    this.running = false;
    if (this.#failed) this.#done.settle(this.#error, true);
    else this.#done.settle(thrown, threw);
  }

  stop(error?: unknown): void {
    this.#stopRequested = true;
    if (error !== undefined && !this.#failed) {
      this.#failed = true;
      this.#error = error;
    }
    if (!this.#loop[kInTurn]) this.#waker.wake();
  }

  wakeup(): void {
    if (!this.#loop[kInTurn]) this.#waker.wake();
  }

  afterTurn(): void {}

  timersChanged(): void {}
}
