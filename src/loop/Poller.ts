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
//
// Mode 'uring': a connection's reading (EPOLLIN of a Channel.autoRead channel) is
// a multishot recv on the loop's RingIo, not an epoll registration; the rest of
// its interest (EPOLLOUT while output is backed up) stays in the epoll set, and
// the channel is in the set only while that rest is not empty. The same token
// names both registrations, so the stale check holds for ring completions too.
import { AUTO_READ, type Epoll } from '../poll/Epoll.js';
import { interestToEpoll, type TriggerMode } from '../poll/interest.js';
import { native } from '../sys/addon.js';
import { check } from '../sys/SystemError.js';
import { EPOLLIN, EPOLLRDHUP, EPOLL_CTL_DEL } from '../sys/constants.js';
import { FdRegisteredError } from '../errors.js';
import type { Channel } from './Channel.js';
import type { LoopStats } from './LoopStats.js';
import type { RingIo } from './RingIo.js';

const TOKEN_MASK = 0x7fffffff; // AUTO_READ is not part of a channel's token
const MAX_TOKEN = 0x7fffffff; // tokens stay small ints (no heap numbers)
/** Mode 'uring': the bits of a connection's interest that its ring recv serves. */
const RING_READ = (EPOLLIN | EPOLLRDHUP) >>> 0;

/** The channel table and the kernel registrations of one loop. */
export class Poller {
  readonly #epoll: Epoll;
  readonly #stats: LoopStats;
  readonly #batchIo: boolean;
  /** Mode 'uring': reads of autoRead channels go through the ring. */
  readonly #ringIo: RingIo | null;
  readonly #channels: Array<Channel | undefined> = [];
  /** interestToEpoll for each Interest value in this loop's mode, computed once. */
  readonly #masks: Uint32Array;
  #nextToken = 1;
  #deferredCloses: number[] = [];

  constructor(epoll: Epoll, mode: TriggerMode, batchIo: boolean, stats: LoopStats, ringIo: RingIo | null = null) {
    this.#epoll = epoll;
    this.#stats = stats;
    this.#batchIo = batchIo;
    this.#ringIo = ringIo;
    this.#masks = Uint32Array.of(interestToEpoll(0, mode), interestToEpoll(1, mode), interestToEpoll(2, mode), interestToEpoll(3, mode));
  }

  /** The epoll mask for an Interest (NONE, READ, WRITE, BOTH) in this loop's mode. */
  maskFor(interest: number): number {
    return this.#masks[interest & 3]!;
  }

  /** Register (fresh token) or modify a channel's interest. */
  update(ch: Channel, mask: number): void {
    if (this.#ringIo !== null && ch.autoRead) {
      this.#updateRinged(ch, mask, this.#ringIo);
      return;
    }
    if (ch.token === 0) {
      const token = this.#newToken(ch);
      this.#epoll.add(ch.fd, mask, this.#kernelToken(ch, token, mask));
      ch.token = token;
      this.#channels[ch.fd] = ch;
    } else {
      this.#epoll.modify(ch.fd, mask, this.#kernelToken(ch, ch.token, mask));
    }
    ch.interest = mask;
    this.#stats.syscalls++;
  }

  /** A fresh token for a channel about to be registered (throws if its fd already is). */
  #newToken(ch: Channel): number {
    const existing = this.#channels[ch.fd];
    if (existing !== undefined && existing.token !== 0) throw new FdRegisteredError(ch.fd);
    const token = this.#nextToken;
    this.#nextToken = token >= MAX_TOKEN ? 1 : token + 1;
    return token;
  }

  /** Mode 'uring', a connection: reading through the ring, the rest of `mask` in the epoll set. */
  #updateRinged(ch: Channel, mask: number, ringIo: RingIo): void {
    const fresh = ch.token === 0;
    if (fresh) {
      ch.token = this.#newToken(ch);
      this.#channels[ch.fd] = ch;
    }
    const inSet = fresh ? 0 : (ch.interest & ~RING_READ) >>> 0;
    const wanted = (mask & ~RING_READ) >>> 0;
    if (wanted !== inSet) {
      if (inSet === 0) this.#epoll.add(ch.fd, wanted, ch.token);
      else if (wanted === 0) native.epollCtl(this.#epoll.fd, EPOLL_CTL_DEL, ch.fd, 0, 0);
      else this.#epoll.modify(ch.fd, wanted, ch.token);
      this.#stats.syscalls++;
    }
    if ((mask & EPOLLIN) !== 0) ringIo.arm(ch);
    else ringIo.disarm(ch);
    ch.interest = mask;
  }

  /** The token the kernel holds: the channel's, plus AUTO_READ when the batched turn reads for it. */
  #kernelToken(ch: Channel, token: number, mask: number): number {
    return this.#batchIo && ch.autoRead && mask & EPOLLIN ? token + AUTO_READ : token;
  }

  /** Deregister now; events already queued for this registration become stale. */
  remove(ch: Channel): void {
    if (this.#channels[ch.fd] === ch) this.#channels[ch.fd] = undefined;
    const ringed = this.#ringIo !== null && ch.autoRead;
    if (ringed) this.#ringIo!.disarm(ch); // before the token goes: the cancel names it
    const inSet = !ringed || (ch.interest & ~RING_READ) !== 0;
    ch.token = 0;
    ch.interest = 0;
    if (!inSet) return;
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
