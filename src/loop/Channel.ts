// Channel: one fd's membership in one EventLoop — the fd, its current interest
// mask, the handler its events go to, and the token that tells a live
// registration from a stale one.
//
// Ownership: a Channel does not own its fd; the object that created the fd
// (TcpConnection, Acceptor, the loop's own Waker/TimerFd) does, and closes it
// through loop.closeFd() so the close waits for the end of the dispatch batch.
// Threading: only the owning loop's thread touches a Channel.
//
// The token: every registration gets a fresh token from the loop's Poller (a
// counter). The kernel hands it back with each event; dispatch drops an event
// whose token is not the current token of the channel registered for that fd.
// So an event queued for a channel that was removed earlier in the same batch —
// or for an fd number that has since been reused by a new connection — is never
// delivered to the wrong owner.
import type { Interest } from '../poll/interest.js';
import type { EventLoop } from './EventLoop.js';
import { kOnEvent, kOnPreRead, kOnThrow, kPoller, kSink } from './symbols.js';

/** What a Channel's events are delivered to. One method: no closure per event. */
export interface EventHandler {
  /** Called with the epoll event mask each time the fd is reported ready. */
  handleEvent(events: number): void;
}

/** The loop-internal form of EventHandler (the library's own handlers use it). */
export interface ChannelHandler {
  [kOnEvent](events: number): void;
  /** Contain an error a callback threw during dispatch (optional: else the loop reports it). */
  [kOnThrow]?(err: unknown): void;
}

/**
 * A handler whose input the loop may read for it, in the batched native turn
 * (Channel.autoRead): `n` bytes are at arena[offset, offset + n) for the
 * duration of the call (0 = EOF, negative = -errno).
 */
export interface PreReadHandler extends ChannelHandler {
  [kOnPreRead](events: number, n: number, arena: Uint8Array, offset: number): void;
}

/** Adapts a public EventHandler to the internal protocol (one object per channel, none per event). */
class Adapter implements ChannelHandler {
  constructor(readonly h: EventHandler) {}
  [kOnEvent](events: number): void {
    this.h.handleEvent(events);
  }
}

/** One fd registered (or about to be) in one EventLoop. */
export class Channel {
  /** Token of the current registration; 0 while not registered. */
  token = 0;
  /** The epoll mask last given to the kernel (0 while not registered). */
  interest = 0;
  /**
   * The handler is a PreReadHandler: while EPOLLIN is in the interest, the loop's
   * batched turn reads this fd in the same native call as epoll_wait.
   */
  autoRead = false;
  /** @internal What dispatch calls. */
  readonly [kSink]: ChannelHandler;

  constructor(
    /** The loop this channel belongs to. */
    readonly loop: EventLoop,
    /** The fd (not owned: whoever created it closes it, through loop.closeFd()). */
    readonly fd: number,
    /** Receives the fd's events. */
    readonly handler: EventHandler | ChannelHandler,
  ) {
    this[kSink] = kOnEvent in handler ? handler : new Adapter(handler);
  }

  /** Whether the fd is in the loop's epoll set (token non-zero). */
  get registered(): boolean {
    return this.token !== 0;
  }

  /**
   * Register or change interest: READ, WRITE, BOTH or NONE. The loop builds the
   * epoll mask (adding EPOLLET in ET mode). No syscall when the mask is unchanged.
   */
  want(interest: Interest): void {
    this.setInterest(this.loop[kPoller].maskFor(interest));
  }

  /**
   * Register or change interest with a raw epoll mask, used as given (no EPOLLET
   * is added): for fds outside the TCP layer that choose their own bits.
   */
  setInterest(mask: number): void {
    mask >>>= 0;
    if (this.token !== 0 && mask === this.interest) return;
    this.loop[kPoller].update(this, mask);
  }

  /** Deregister. Pending events for this registration are dropped. Idempotent. */
  remove(): void {
    if (this.token !== 0) this.loop[kPoller].remove(this);
  }
}
