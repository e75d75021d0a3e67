// Doorbells: the shared, lock-free gate in front of every loop's inbox — how any thread
// posts a message to a loop and wakes it without ever writing to a closed (and possibly
// reused) eventfd number, and without losing a message (or an fd) to a loop that is exiting.
//
// One SharedArrayBuffer holds, per loop, four int32 words: OPEN (1 while the loop accepts
// messages), INFLIGHT (posts in progress), WAKER (the loop's eventfd number) and LIVE (its
// live connections, read by the least-connections balancer). Plus one pool-wide word: the
// WorkPool's queued-job count.
//
// The protocol (sequentially consistent Atomics):
//   sender:  INFLIGHT += 1; if OPEN { postMessage; write(WAKER) }; INFLIGHT -= 1
//   owner:   OPEN = 0; wait until INFLIGHT == 0; then drain the inbox one last time; close.
// A sender that saw OPEN == 1 had already raised INFLIGHT, so the owner waits for it: its
// message is in the port's queue (postMessage enqueues synchronously) before the final drain,
// and its eventfd write happens before the close. A sender that raised INFLIGHT after the owner
// saw it at 0 must read OPEN == 0 and posts nothing: the caller keeps what it meant to hand
// over (an fd stays the sender's to close).
//
// Threading: post()/live() from any thread; open()/close() only from the loop's own thread.
import type { MessagePort, Transferable } from 'node:worker_threads';
import { Waker } from '../poll/EventFd.js';
import { rangeError } from '../errors.js';

const STRIDE = 4;
const OPEN = 0;
const INFLIGHT = 1;
const WAKER = 2;
const LIVE = 3;
/** Header words before the per-loop slots. */
const QUEUED = 0;
const HEADER = 4;

/** The doorbells of one pool, shared by all of its threads (pass `buffer` in workerData). */
export class Doorbells {
  /** The shared words (pass it to each thread in workerData). */
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  /** Number of loops the doorbells serve. */
  readonly size: number;

  constructor(bufferOrSize: SharedArrayBuffer | number) {
    this.buffer =
      typeof bufferOrSize === 'number' ? new SharedArrayBuffer((HEADER + STRIDE * bufferOrSize) * 4) : bufferOrSize;
    this.#words = new Int32Array(this.buffer);
    this.size = (this.#words.length - HEADER) / STRIDE;
  }

  #at(loop: number, word: number): number {
    if (!(loop >= 0 && loop < this.size)) throw rangeError(`no loop ${loop} (pool of ${this.size})`);
    return HEADER + loop * STRIDE + word;
  }

  /** The loop's thread: start taking messages; other threads may now wake `wakerFd`. */
  open(loop: number, wakerFd: number): void {
    Atomics.store(this.#words, this.#at(loop, WAKER), wakerFd);
    Atomics.store(this.#words, this.#at(loop, OPEN), 1);
  }

  /** Whether the loop still takes messages (a hint: post() is the authority). */
  isOpen(loop: number): boolean {
    return Atomics.load(this.#words, this.#at(loop, OPEN)) === 1;
  }

  /**
   * Post `message` on `port` (whose other end the loop drains) and wake the loop. Returns
   * false, having posted nothing, when the loop no longer takes messages.
   */
  post(loop: number, port: MessagePort, message: unknown, transfer?: readonly Transferable[]): boolean {
    const w = this.#words;
    const inflight = this.#at(loop, INFLIGHT);
    Atomics.add(w, inflight, 1);
    try {
      if (Atomics.load(w, this.#at(loop, OPEN)) !== 1) return false;
      port.postMessage(message, transfer as Transferable[] | undefined);
      Waker.signal(Atomics.load(w, this.#at(loop, WAKER)));
      return true;
    } finally {
      if (Atomics.sub(w, inflight, 1) === 1) Atomics.notify(w, inflight);
    }
  }

  /**
   * The loop's thread, once: stop taking messages and wait (briefly: a post is a few
   * microseconds) until every post in progress has finished. After this no thread posts to
   * or wakes this loop again; drain the inbox one last time, then close the waker.
   */
  close(loop: number): void {
    const w = this.#words;
    Atomics.store(w, this.#at(loop, OPEN), 0);
    const inflight = this.#at(loop, INFLIGHT);
    for (let v = Atomics.load(w, inflight); v !== 0; v = Atomics.load(w, inflight)) Atomics.wait(w, inflight, v, 5);
  }

  /** Live connections of a loop (kept by the loop and the hand-off acceptor). */
  live(loop: number): number {
    return Atomics.load(this.#words, this.#at(loop, LIVE));
  }

  /** Add `delta` (may be negative) to a loop's live-connection count. */
  addLive(loop: number, delta: number): void {
    Atomics.add(this.#words, this.#at(loop, LIVE), delta);
  }

  /**
   * WorkPool admission: take one of `max` queue places. False (nothing taken) when all are
   * in use. Every true must be matched by one releaseQueued().
   */
  tryQueue(max: number): boolean {
    if (Atomics.add(this.#words, QUEUED, 1) < max) return true;
    Atomics.sub(this.#words, QUEUED, 1);
    return false;
  }

  /** Give back a queue place a successful tryQueue() took. */
  releaseQueued(): void {
    Atomics.sub(this.#words, QUEUED, 1);
  }

  /** Jobs queued or running in the WorkPool, pool-wide. */
  get queued(): number {
    return Atomics.load(this.#words, QUEUED);
  }
}
