// Acceptor: the listening socket's reader. On readiness it accept4()s in a loop
// until EAGAIN — at most `budget` connections per turn, so a connection storm
// cannot starve established connections (an ET listener that hit its budget
// goes on the ready list; an LT one is simply reported again).
//
// Running out of fds (EMFILE/ENFILE) is handled the libev/muduo way: we keep
// one spare fd (an eventfd), close it, accept the pending connection, close that
// at once (the peer sees the connection end instead of hanging in the backlog),
// and take the spare back. Without this, a level-triggered listener whose accept
// fails would be reported again immediately, forever: a busy spin.
//
// Ownership: the Acceptor owns the listening fd and the spare fd and closes both
// in stop(). Accepted fds go to `onAccept`, which owns them from then on.
// Threading: the loop's thread only.
import { native } from '../sys/addon.js';
import {
  EAGAIN,
  ECONNABORTED,
  EFD_CLOEXEC,
  EINTR,
  EMFILE,
  ENFILE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
} from '../sys/constants.js';
import { SystemError } from '../sys/SystemError.js';
import { Interest } from '../poll/interest.js';
import { Channel, type ChannelHandler } from '../loop/Channel.js';
import { kAddReady, kOnEvent, kServeReady } from '../loop/symbols.js';
import type { EventLoop, ReadyListEntry } from '../loop/EventLoop.js';

/** Acceptor tuning and its error sink. */
export interface AcceptorOptions {
  /** Connections accepted per turn at most. Default 128. */
  budget?: number;
  /** Told about errors that are not the peer's fault (ENOBUFS, ENOMEM, EMFILE drops). */
  onError?: (err: SystemError) => void;
}

const ACCEPT_FLAGS = SOCK_NONBLOCK | SOCK_CLOEXEC;

/** Accepts connections on a listening fd, at most `budget` per turn. */
export class Acceptor implements ChannelHandler, ReadyListEntry {
  /** The listening fd's channel in `loop`. */
  readonly channel: Channel;
  /** Connections dropped because the process was out of fds. */
  dropped = 0;
  readonly #onAccept: (fd: number) => void;
  readonly #budget: number;
  readonly #onError: ((err: SystemError) => void) | undefined;
  #spareFd: number;
  #stopped = false;

  constructor(
    /** The loop that accepts (on its thread). */
    readonly loop: EventLoop,
    /** The listening socket. */
    readonly listenFd: number,
    onAccept: (fd: number) => void,
    options: AcceptorOptions = {},
  ) {
    this.#onAccept = onAccept;
    this.#budget = options.budget ?? 128;
    this.#onError = options.onError;
    this.#spareFd = native.eventfdCreate(0, EFD_CLOEXEC);
    this.channel = new Channel(loop, listenFd, this);
  }

  /** Register for readability: accepting starts with the next turn. */
  start(): void {
    this.channel.want(Interest.READ);
  }

  /** @internal The listening socket is readable: accept what is queued, up to the budget. */
  [kOnEvent](): void {
    if (this.#stopped) return;
    const stats = this.loop.stats;
    for (let i = 0; i < this.#budget; i++) {
      const fd = native.accept4(this.listenFd, ACCEPT_FLAGS);
      stats.syscalls++;
      if (fd >= 0) {
        stats.accepts++;
        this.#onAccept(fd);
        if (this.#stopped) return;
        continue;
      }
      if (fd === -EAGAIN) return; // drained
      if (fd === -EINTR || fd === -ECONNABORTED) continue; // the peer gave up: next one
      if (fd === -EMFILE || fd === -ENFILE) {
        if (!this.#dropOne()) return;
        continue;
      }
      this.#onError?.(new SystemError(-fd, 'accept4'));
      return; // ENOBUFS/ENOMEM: try again on the next report
    }
    // Budget spent with connections possibly still queued.
    if (this.loop.mode === 'et') this.loop[kAddReady](this);
  }

  /** @internal */
  [kServeReady](): void {
    this[kOnEvent]();
  }

  /** Out of fds: accept with the spare slot and close at once. False if no spare to use. */
  #dropOne(): boolean {
    if (this.#spareFd < 0) {
      this.#spareFd = native.eventfdCreate(0, EFD_CLOEXEC);
      if (this.#spareFd < 0) return false; // still nothing free; the next report retries
    }
    native.close(this.#spareFd);
    const fd = native.accept4(this.listenFd, ACCEPT_FLAGS);
    if (fd >= 0) native.close(fd);
    this.#spareFd = native.eventfdCreate(0, EFD_CLOEXEC);
    this.loop.stats.syscalls += 4;
    if (fd < 0) return false;
    this.dropped++;
    this.#onError?.(new SystemError(EMFILE, 'accept4', '(out of fds: connection dropped)'));
    return true;
  }

  /** Stop accepting and close the listening and spare fds. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.channel.remove();
    this.loop.closeFd(this.listenFd);
    if (this.#spareFd >= 0) native.close(this.#spareFd);
    this.#spareFd = -1;
  }
}
