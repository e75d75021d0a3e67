// poll(2), for the epoll-vs-poll study and for scripts that want one call.
//
// PollSet keeps a struct pollfd array in an Int32Array the kernel reads and
// writes in place (fd, then events | revents << 16), so a poll loop over
// thousands of fds allocates nothing per call — the fair way to compare it with
// epoll, whose cost is per ready fd rather than per watched fd.
// poll() is the allocating convenience. Single-threaded; owns no fds.
import { native } from '../sys/addon.js';
import { checkInteger } from '../sys/args.js';
import { check } from '../sys/SystemError.js';
import { toTimeoutMs } from './timeout.js';
import { rangeError } from '../errors.js';

/** A struct pollfd array for poll(2), reused by every call; grows on add(). Owns no fds. */
export class PollSet {
  #fds: Int32Array;
  #size = 0;

  constructor(capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1) throw rangeError('capacity must be a positive integer');
    this.#fds = new Int32Array(capacity * 2);
  }

  /** How many entries the set holds. */
  get size(): number {
    return this.#size;
  }

  /** Watch `fd` for `events` (POLLIN, POLLOUT, ...); returns its index. */
  add(fd: number, events: number): number {
    checkInteger(fd, 'fd', 0, 0x7fffffff);
    checkEvents(events);
    if (this.#size * 2 === this.#fds.length) {
      const bigger = new Int32Array(this.#fds.length * 2);
      bigger.set(this.#fds);
      this.#fds = bigger;
    }
    const i = this.#size++;
    this.#fds[2 * i] = fd;
    this.#fds[2 * i + 1] = events;
    return i;
  }

  /** Change the events watched at index i (checked like add(): a 16-bit mask). */
  setEvents(i: number, events: number): void {
    this.#index(i);
    this.#fds[2 * i + 1] = checkEvents(events);
  }

  /** Remove index i by moving the last entry into it (O(1); indices of the last entry change). */
  removeAt(i: number): void {
    this.#index(i);
    const last = --this.#size;
    this.#fds[2 * i] = this.#fds[2 * last]!;
    this.#fds[2 * i + 1] = this.#fds[2 * last + 1]!;
  }

  /** Remove every entry (capacity is kept). */
  clear(): void {
    this.#size = 0;
  }

  /** poll(2) over the set; returns how many entries have revents. */
  poll(timeoutMs = -1): number {
    return check(native.poll(this.#fds, this.#size, toTimeoutMs(timeoutMs)), 'poll');
  }

  /** The fd at index i. */
  fdAt(i: number): number {
    this.#index(i);
    return this.#fds[2 * i]!;
  }

  /** revents of index i from the last poll(). */
  reventsAt(i: number): number {
    this.#index(i);
    return this.#fds[2 * i + 1]! >>> 16;
  }

  #index(i: number): void {
    if (!(i >= 0 && i < this.#size)) throw rangeError(`index ${String(i)} out of range 0..${this.#size - 1}`);
  }
}

/** poll(2) events are a 16-bit `short`: anything else is a caller bug, not a mask to truncate. */
function checkEvents(events: number): number {
  return checkInteger(events, 'events', 0, 0xffff);
}

/** One poll(2) call: returns [fd, revents] for each entry that has revents (allocates). */
export function poll(fds: ReadonlyArray<readonly [number, number]>, timeoutMs = -1): Array<[number, number]> {
  const set = new PollSet(Math.max(1, fds.length));
  for (const [fd, events] of fds) set.add(fd, events);
  const n = set.poll(timeoutMs);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < set.size && out.length < n; i++) {
    const revents = set.reventsAt(i);
    if (revents !== 0) out.push([set.fdAt(i), revents]);
  }
  return out;
}
