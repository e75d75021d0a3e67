// ArrivalBound: a lower bound on when data handed to a Node callback really
// reached the socket, so an idle session can tell a server's early close from
// its own event-loop lag. A 'data' callback runs up to a whole loop iteration
// (or more, under load) after the bytes arrived, which made idle waits look
// shorter than they were; but bytes delivered in this iteration's poll phase
// arrived after the previous poll phase began, hence after every timer that ran
// before it. A 1 ms interval stamps the timers phase of (almost) every
// iteration; the second-latest stamp always precedes the previous poll phase.
//
// Ownership: the SoakClient that starts it stops it. Threading: the Node event
// loop of the thread that created it.
import { performance } from 'node:perf_hooks';

/** Lower bound on the arrival time of data seen by the callback running now. */
export class ArrivalBound {
  #prev = 0;
  #last = 0;
  #timer: NodeJS.Timeout | null = null;

  /** Start stamping the timers phase (unref'd: it keeps nothing alive). */
  start(): void {
    if (this.#timer !== null) return;
    this.#prev = this.#last = performance.now();
    this.#timer = setInterval(() => {
      this.#prev = this.#last;
      this.#last = performance.now();
    }, 1).unref();
  }

  /**
   * For a callback of the current iteration: its data arrived no earlier than
   * this (the latest stamp may be this iteration's own timers phase, which can
   * follow the arrival; the one before it cannot).
   */
  earliestArrival(): number {
    return this.#prev;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
