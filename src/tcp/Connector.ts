// Connector: one outgoing connection attempt at a time, with retry and backoff
// (muduo's Connector). A non-blocking connect() is started; when the socket
// reports writable, SO_ERROR says whether it worked. Failures (refused,
// timed out) retry after a delay that doubles up to a cap, if retry is on.
//
// Ownership: the Connector owns the fd of the attempt in progress; on success
// it hands the fd to `onConnected` (which owns it from then on) and keeps
// nothing. cancel() closes an attempt in progress. Threading: the loop's thread.
import { connect, socketError, toAddress, type AddressLike } from '../net/socket.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import { ETIMEDOUT } from '../sys/constants.js';
import { Interest } from '../poll/interest.js';
import { SystemError } from '../sys/SystemError.js';
import { Channel, type ChannelHandler } from '../loop/Channel.js';
import { kOnEvent } from '../loop/symbols.js';
import type { EventLoop } from '../loop/EventLoop.js';
import type { TimerNode } from '../loop/TimerWheel.js';

/** Retry and timeout policy of a Connector. */
export interface ConnectorOptions {
  /** Retry failed attempts with exponential backoff. Default false. */
  retry?: boolean;
  /** First retry delay. Default 100 ms. */
  initialDelayMs?: number;
  /** Backoff cap. Default 30 s. */
  maxDelayMs?: number;
  /** Give up after this many attempts (with retry on). Default Infinity. */
  maxAttempts?: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
}

/** One outgoing connect at a time, with optional retry and backoff. */
export class Connector implements ChannelHandler {
  /** The address being connected to. */
  readonly address: SocketAddress;
  /** connect(2) attempts made so far. */
  attempts = 0;
  #fd = -1;
  #channel: Channel | null = null;
  #timer: TimerNode | null = null;
  #delayMs: number;
  #done = false;
  readonly #opts: Required<ConnectorOptions>;
  readonly #onConnected: (fd: number) => void;
  readonly #onFailed: (err: SystemError) => void;

  constructor(
    /** The loop the connect runs on. */
    readonly loop: EventLoop,
    address: AddressLike,
    onConnected: (fd: number) => void,
    onFailed: (err: SystemError) => void,
    options: ConnectorOptions = {},
  ) {
    this.#onConnected = onConnected;
    this.#onFailed = onFailed;
    this.address = toAddress(address);
    this.#opts = {
      retry: options.retry ?? false,
      initialDelayMs: options.initialDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? Infinity,
      timeoutMs: options.timeoutMs ?? 10_000,
    };
    this.#delayMs = this.#opts.initialDelayMs;
  }

  /** Start the first attempt. */
  start(): void {
    this.#attempt();
  }

  #attempt(): void {
    if (this.#done) return;
    this.attempts++;
    let r: { fd: number; inProgress: boolean };
    try {
      r = connect(this.address);
    } catch (err) {
      this.#failed(err as SystemError);
      return;
    }
    this.#fd = r.fd;
    if (!r.inProgress) {
      this.#succeeded();
      return;
    }
    this.#channel = new Channel(this.loop, r.fd, this);
    this.#channel.want(Interest.WRITE);
    this.#timer = this.loop.setTimeout(() => this.#abandon(new SystemError(ETIMEDOUT, 'connect', this.address.toString())), this.#opts.timeoutMs);
  }

  /** @internal The socket is writable (or failed): SO_ERROR tells which. */
  [kOnEvent](): void {
    if (this.#fd < 0) return;
    const errno = socketError(this.#fd);
    if (errno === 0) this.#succeeded();
    else this.#abandon(new SystemError(errno, 'connect', this.address.toString()));
  }

  #succeeded(): void {
    const fd = this.#fd;
    this.#clearAttempt(false);
    this.#done = true;
    this.#onConnected(fd);
  }

  /** An attempt failed after the socket was made: close it, then retry or give up. */
  #abandon(err: SystemError): void {
    this.#clearAttempt(true);
    this.#failed(err);
  }

  #failed(err: SystemError): void {
    if (this.#done) return;
    if (this.#opts.retry && this.attempts < this.#opts.maxAttempts) {
      this.#timer = this.loop.setTimeout(() => this.#attempt(), this.#delayMs);
      this.#delayMs = Math.min(this.#delayMs * 2, this.#opts.maxDelayMs);
      return;
    }
    this.#done = true;
    this.#onFailed(err);
  }

  #clearAttempt(closeFd: boolean): void {
    if (this.#timer !== null) this.loop.cancel(this.#timer);
    this.#timer = null;
    this.#channel?.remove();
    this.#channel = null;
    if (closeFd && this.#fd >= 0) this.loop.closeFd(this.#fd);
    this.#fd = -1;
  }

  /** Stop trying; closes an attempt in progress. */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#clearAttempt(true);
  }
}
