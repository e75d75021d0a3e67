// A drop-in for the npm `epoll` package's `Epoll` class (v4 API), on this
// library's integrated driver: code written for `require('epoll').Epoll` —
// onoff-style GPIO interrupts (EPOLLPRI on a sysfs `value` file), stdin
// watchers — runs unchanged. What it keeps from the original, exactly:
//   - `new Epoll((err, fd, events) => …)`; add/modify/remove return `this`;
//     close() returns null and throws on a second call; `closed`;
//   - the static EPOLLIN OUT RDHUP PRI ERR HUP ET ONESHOT (read-only);
//   - thrown errors: `Error(strerror(errno))` for a failed epoll_ctl, and the
//     original's texts for misuse; an epoll_wait failure goes to the callback as
//     its only argument;
//   - callbacks run on the thread that made the instance, inside the async
//     context in which it was made (an AsyncResource named like the original's);
//   - the process stays alive only while some fd is registered.
// What it does better: one epoll_wait delivers up to 1024 events (the original
// takes one event per helper-thread round trip), and it works in worker threads.
//
// Thread rule: an instance belongs to the thread that made it. Lifetime: the
// fds stay the caller's (never closed here); close() deregisters them all.
import { AsyncResource } from 'node:async_hooks';
import { EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLPRI, EPOLLRDHUP } from '../sys/constants.js';
import { threadSet, type Sink } from './threadSet.js';
import { toCompatError } from './strerror.js';

/**
 * The event callback: `err` is null and `fd`/`events` say what is ready; when
 * epoll_wait itself fails, `err` is the only argument passed (fd and events are
 * then undefined), as in the npm `epoll` package.
 */
export type EpollCallback = (err: Error | null, fd: number, events: number) => void;

function isInt32(v: unknown): v is number {
  return typeof v === 'number' && (v | 0) === v;
}

function checkArgs(method: 'add' | 'modify', fd: unknown, events: unknown): void {
  if (!isInt32(fd) || typeof events !== 'number') {
    throw new Error(`incorrect arguments passed to ${method}(int fd, int events)`);
  }
}

/** Run a syscall wrapper, rethrowing its SystemError as the original's strerror() Error. */
function compat<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    throw toCompatError(err);
  }
}

/**
 * Watches file descriptors for epoll events and calls back once per ready fd.
 *
 * @example
 * ```js
 * const { Epoll } = require('epoll-reactor/compat');
 * const poller = new Epoll((err, fd, events) => { fs.readSync(fd, buf, 0, 1, 0); });
 * poller.add(valuefd, Epoll.EPOLLPRI);
 * // later
 * poller.remove(valuefd).close();
 * ```
 */
export class CompatEpoll {
  /** The associated file is available for read(2). */
  static readonly EPOLLIN: number = EPOLLIN;
  /** The associated file is available for write(2). */
  static readonly EPOLLOUT: number = EPOLLOUT;
  /** Stream socket peer closed the connection, or shut down its writing half. */
  static readonly EPOLLRDHUP: number = EPOLLRDHUP;
  /** An exceptional condition: urgent data, or a GPIO interrupt on a sysfs `value` file. */
  static readonly EPOLLPRI: number = EPOLLPRI;
  /** Error condition (always reported; need not be asked for). */
  static readonly EPOLLERR: number = EPOLLERR;
  /** Hang up (always reported; need not be asked for). */
  static readonly EPOLLHUP: number = EPOLLHUP;
  /** Edge-triggered notification. */
  static readonly EPOLLET: number = EPOLLET;
  /** One event, then the fd is disabled until re-armed with modify(). */
  static readonly EPOLLONESHOT: number = EPOLLONESHOT;

  #callback: EpollCallback | null;
  #resource: AsyncResource | null;
  readonly #fds = new Set<number>();
  readonly #sink: Sink;

  /** @param callback called with (null, fd, events) for each ready fd, or (err) when waiting failed */
  constructor(callback: EpollCallback) {
    if (typeof callback !== 'function') {
      // (sic) the original's text, kept for code that matches on it
      throw new Error('First argument to construtor must be a callback');
    }
    this.#callback = callback;
    this.#resource = new AsyncResource('Epoll:DispatchEvent');
    this.#sink = (err, fd, events) => this.#deliver(err, fd, events);
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#callback === null;
  }

  /** Register `fd` for the event types in `events` (Epoll.EPOLL* or'ed together). */
  add(fd: number, events: number): this {
    this.#open('add');
    checkArgs('add', fd, events);
    compat(() => threadSet.add(fd, events | 0, this.#sink));
    this.#fds.add(fd);
    return this;
  }

  /** Change the event types of a registered `fd` (this also re-arms an EPOLLONESHOT fd). */
  modify(fd: number, events: number): this {
    this.#open('modify');
    checkArgs('modify', fd, events);
    compat(() => threadSet.modify(fd, events | 0));
    return this;
  }

  /** Deregister `fd`. */
  remove(fd: number): this {
    this.#open('remove');
    if (!isInt32(fd)) throw new Error('incorrect arguments passed to remove(int fd)');
    compat(() => threadSet.remove(fd));
    this.#fds.delete(fd);
    return this;
  }

  /**
   * Deregister every fd this instance added and let go of the callback. A
   * second call throws. If an fd could not be deregistered (it was closed
   * already: EBADF), the others still are, and the first such error is thrown.
   */
  close(): null {
    if (this.#callback === null) throw new Error("close can't be called more than once");
    this.#callback = null;
    let first: unknown = null;
    for (const fd of this.#fds) {
      try {
        threadSet.remove(fd);
      } catch (err) {
        threadSet.forget(fd);
        first ??= toCompatError(err);
      }
    }
    this.#fds.clear();
    this.#resource?.emitDestroy();
    this.#resource = null;
    if (first !== null) throw first;
    return null;
  }

  #open(method: string): void {
    if (this.#callback === null) throw new Error(`${method} can't be called after calling close`);
  }

  #deliver(err: Error | null, fd: number, events: number): void {
    const callback = this.#callback;
    const resource = this.#resource;
    if (callback === null || resource === null) return;
    if (err !== null) resource.runInAsyncScope(callback as (e: unknown) => void, globalThis, toCompatError(err));
    else resource.runInAsyncScope(callback, globalThis, null, fd, events);
  }
}

// Like the original's statics: read-only, enumerable.
for (const name of ['EPOLLIN', 'EPOLLOUT', 'EPOLLRDHUP', 'EPOLLPRI', 'EPOLLERR', 'EPOLLHUP', 'EPOLLET', 'EPOLLONESHOT'] as const) {
  Object.defineProperty(CompatEpoll, name, { value: CompatEpoll[name], writable: false, enumerable: true, configurable: true });
}
