// Poller: the registry of one EventLoop (mio's Registry, muduo's Poller) — the
// channel table indexed by fd, registration tokens, EPOLL_CTL_ADD/MOD/DEL, the
// masks for this loop's trigger mode, the stale-event check of dispatch, and the
// closes deferred to the end of a dispatch batch.
//
// Ownership: the Poller owns neither the epoll fd (the loop does) nor the fds of
// its channels (their owners do). Threading: the loop's thread only.
//
// Stale events: removing a channel deregisters it at once, but events for it may
// already sit in the batch being dispatched; and its fd number may be reused by
// a new registration before the batch ends. Each registration therefore gets a
// fresh token, the kernel returns it with every event, and lookup() delivers an
// event only to the channel currently registered for that fd with that token.
// And an fd closed during dispatch is closed only after the batch (closeFd), so
// its number cannot be reused while events for it may still be in the array.
import { AUTO_READ, type Epoll } from '../poll/Epoll.js';
import { interestToEpoll, type TriggerMode } from '../poll/interest.js';
import { native } from '../sys/addon.js';
import { check } from '../sys/SystemError.js';
import { EPOLLIN, EPOLL_CTL_DEL } from '../sys/constants.js';
import { FdRegisteredError } from '../errors.js';
import type { Channel } from './Channel.js';
import type { LoopStats } from './LoopStats.js';

const TOKEN_MASK = 0x7fffffff; // AUTO_READ is not part of a channel's token
const MAX_TOKEN = 0x7fffffff; // tokens stay small ints (no heap numbers)

/** The channel table and the kernel registrations of one loop. */
export class Poller {
  readonly #epoll: Epoll;
  readonly #stats: LoopStats;
  readonly #batchIo: boolean;
  readonly #channels: Array<Channel | undefined> = [];
  /** interestToEpoll for each Interest value in this loop's mode, computed once. */
  readonly #masks: Uint32Array;
  #nextToken = 1;
  #deferredCloses: number[] = [];

  constructor(epoll: Epoll, mode: TriggerMode, batchIo: boolean, stats: LoopStats) {
    this.#epoll = epoll;
    this.#stats = stats;
    this.#batchIo = batchIo;
    this.#masks = Uint32Array.of(interestToEpoll(0, mode), interestToEpoll(1, mode), interestToEpoll(2, mode), interestToEpoll(3, mode));
  }

  /** The epoll mask for an Interest (NONE, READ, WRITE, BOTH) in this loop's mode. */
  maskFor(interest: number): number {
    return this.#masks[interest & 3]!;
  }

  /** Register (fresh token) or modify a channel's interest. */
  update(ch: Channel, mask: number): void {
    if (ch.token === 0) {
      const existing = this.#channels[ch.fd];
      if (existing !== undefined && existing.token !== 0) throw new FdRegisteredError(ch.fd);
      const token = this.#nextToken;
      this.#nextToken = token >= MAX_TOKEN ? 1 : token + 1;
      this.#epoll.add(ch.fd, mask, this.#kernelToken(ch, token, mask));
      ch.token = token;
      this.#channels[ch.fd] = ch;
    } else {
      this.#epoll.modify(ch.fd, mask, this.#kernelToken(ch, ch.token, mask));
    }
    ch.interest = mask;
    this.#stats.syscalls++;
  }

  /** The token the kernel holds: the channel's, plus AUTO_READ when the batched turn reads for it. */
  #kernelToken(ch: Channel, token: number, mask: number): number {
    return this.#batchIo && ch.autoRead && mask & EPOLLIN ? token + AUTO_READ : token;
  }

  /** Deregister now; events already queued for this registration become stale. */
  remove(ch: Channel): void {
    if (this.#channels[ch.fd] === ch) this.#channels[ch.fd] = undefined;
    ch.token = 0;
    ch.interest = 0;
    // Raw call, result ignored: ENOENT/EBADF mean the fd already left the set
    // (closed elsewhere), and there is nothing to undo either way.
    native.epollCtl(this.#epoll.fd, EPOLL_CTL_DEL, ch.fd, 0, 0);
    this.#stats.syscalls++;
  }

  /** The channel registered for `fd`, if any. */
  channelOf(fd: number): Channel | undefined {
    return this.#channels[fd];
  }

  /** Close an fd now, or (`deferred`: inside a dispatch batch) after the batch. */
  closeFd(fd: number, deferred: boolean): void {
    if (deferred) {
      this.#deferredCloses.push(fd);
      return;
    }
    check(native.close(fd), 'close', `(fd ${fd})`);
    this.#stats.syscalls++;
  }

  /** The batch is over: close what closeFd deferred. */
  closeDeferred(): void {
    const fds = this.#deferredCloses;
    if (fds.length === 0) return;
    this.#deferredCloses = [];
    for (const fd of fds) this.closeFd(fd, false);
  }

  /** The live channel an event (fd, kernel token) belongs to; undefined (and counted) if stale. */
  lookup(fd: number, kernelToken: number): Channel | undefined {
    const ch = this.#channels[fd];
    if (ch === undefined || ch.token !== (kernelToken & TOKEN_MASK)) {
      this.#stats.staleEvents++;
      return undefined;
    }
    return ch;
  }
}
