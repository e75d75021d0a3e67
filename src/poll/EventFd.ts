// EventFd: a kernel counter fd (eventfd(2)), and Waker, the one-line use of it
// that every event loop needs: "wake the thread blocked in epoll_wait".
//
// Ownership: each instance owns its fd and closes it once. Threads: the fd is a
// process-wide number, so another thread may signal it — Waker.signal(fd) is the
// static form for code that only holds the number (a worker posting a task to a
// loop it does not own). Everything else is for the owning thread.
import { native } from '../sys/addon.js';
import { EAGAIN, EBADF, EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE } from '../sys/constants.js';
import { SystemError, check } from '../sys/SystemError.js';
import { rangeError } from '../errors.js';

/** Options for `new EventFd()`. */
export interface EventFdOptions {
  /** Initial counter value. Default 0. */
  initval?: number;
  /** O_NONBLOCK: read() of a zero counter returns 0 instead of blocking. Default true. */
  nonBlocking?: boolean;
  /** EFD_SEMAPHORE: each read() takes 1 instead of the whole counter. Default false. */
  semaphore?: boolean;
}

/** An eventfd(2) counter: write() adds to it, read() takes it; readable while non-zero. Owns its fd. */
export class EventFd {
  #fd: number;

  constructor(options: EventFdOptions = {}) {
    const initval = options.initval ?? 0;
    if (!Number.isInteger(initval) || initval < 0 || initval > 0xffffffff) {
      throw rangeError(`initval must be an integer in 0..2^32-1, got ${String(initval)}`);
    }
    let flags = EFD_CLOEXEC;
    if (options.nonBlocking ?? true) flags |= EFD_NONBLOCK;
    if (options.semaphore ?? false) flags |= EFD_SEMAPHORE;
    this.#fd = check(native.eventfdCreate(initval, flags), 'eventfd');
  }

  /** The eventfd (close-on-exec). Throws EBADF once closed. */
  get fd(): number {
    if (this.#fd < 0) throw new SystemError(EBADF, 'eventfd', '(closed)');
    return this.#fd;
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Add `value` (default 1) to the counter. Returns false if the counter is full (EAGAIN). */
  write(value = 1): boolean {
    const r = native.eventfdWrite(this.fd, value);
    if (r === -EAGAIN) return false;
    check(r, 'write', '(eventfd)');
    return true;
  }

  /** Take the counter (or 1, in semaphore mode). Returns 0 when it was zero (non-blocking). */
  read(): number {
    const r = native.eventfdRead(this.fd);
    if (r === -EAGAIN) return 0;
    return check(r, 'read', '(eventfd)');
  }

  /** Close the fd. A second call is a no-op. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    check(native.close(fd), 'close');
  }
}

/**
 * Waker: an eventfd registered (by its owner) for EPOLLIN in an epoll set. wake()
 * from any thread makes the blocked epoll_wait return; the owner calls drain()
 * when it sees the event. Many wakes before a drain coalesce into one event.
 */
export class Waker extends EventFd {
  constructor() {
    super({ nonBlocking: true });
  }

  /** Wake the loop. Never blocks; a full counter already means "awake". */
  wake(): void {
    Waker.signal(this.fd);
  }

  /** Reset the counter so the (level-triggered) readiness goes away. */
  drain(): void {
    this.read();
  }

  /** wake() for code that holds only the fd number (e.g. another worker thread). */
  static signal(fd: number): void {
    const r = native.eventfdWrite(fd, 1);
    if (r < 0 && r !== -EAGAIN) throw new SystemError(-r, 'write', `(waker fd ${fd})`);
  }
}
