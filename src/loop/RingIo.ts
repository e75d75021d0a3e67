// RingIo: the completion side of a loop in mode 'uring' -- one io_uring (Ring) whose multishot
// recvs read every connection's input in the kernel, into a shared ring of provided buffers,
// with no read syscall per message. Everything else the loop serves (listening sockets, the
// waker, the timerfd, connecting sockets, writability of a connection whose output is backed
// up, custom fds) stays readiness on the loop's epoll set, level-triggered; the ring polls the
// epoll fd (a multishot poll), so one wait -- io_uring_enter -- covers both.
//
// The turn (EventLoop[kTurn] in mode 'uring'):
//   wait()      one io_uring_enter: submit what earlier turns queued (recv arms, cancels),
//               wait for completions, copy them into ring.completions
//   dispatch()  each recv completion goes to its connection as a pre-read (kOnPreRead: the
//               bytes are at arena[bid * bufferSize, + res) for the duration of the call), EOF
//               as 0, a failure as -errno -- the same protocol as the batched epoll turn. The
//               poll on the epoll fd marks the set as having events; the loop then epoll_waits
//               with a zero timeout, and again every turn until it returns none (LT events
//               not drained by their handler do not re-signal the poll).
//   endTurn()   every buffer of the batch back to the kernel (one call: the connections copied
//               their bytes out), recvs that ran out of buffers (-ENOBUFS) re-armed, and with
//               the integrated driver the queued SQEs submitted (Node's loop waits on the ring
//               fd next, not in io_uring_enter).
//
// user_data: high word = the channel's registration token (the stale check, as for epoll
// events), low word = the fd (bits 0..23) and a generation of the recv (bits 24..30), so the
// completions of a cancelled recv are told from those of the one armed after it. High word 0 is
// the loop's own requests (the epoll poll, cancels).
//
// Writes stay synchronous (send on the caller's turn, corked and batched as in the epoll
// modes): a send through the ring would have to pin the output buffer until its completion,
// and the readiness path already writes without waiting (docs/DECISIONS.md, io_uring).
//
// Ownership: owns the Ring (closed by close()) and the buffer arena; owns no socket fd.
// Threading: the loop's thread only (the ring is created SINGLE_ISSUER).
import type { Epoll } from '../poll/Epoll.js';
import {
  IORING_CQE_F_MORE,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IORING_SETUP_TASKRUN_FLAG,
  Ring,
} from '../poll/Ring.js';
import { checkInteger, outOfRange } from '../sys/args.js';
import { ECANCELED, ENOBUFS, EPOLLIN, POLLIN } from '../sys/constants.js';
import { pageAlignedBytes } from './BatchIo.js';
import type { Channel, PreReadHandler } from './Channel.js';
import { containThrow } from './errorRouting.js';
import type { LoopStats } from './LoopStats.js';
import type { Poller } from './Poller.js';
import { kOnPreRead, kSink } from './symbols.js';

/** Sizes of a 'uring' loop's provided-buffer ring (EventLoopOptions extends this). */
export interface RingIoOptions {
  /** Provided buffers shared by the loop's connections (a power of two, 1..32768). Default 1024. */
  ringBuffers?: number;
  /** Bytes per provided buffer (one recv completion carries at most this much). Default 16 KiB. */
  ringBufferSize?: number;
}

const BGID = 0;
const FD_BITS = 24;
const FD_MASK = (1 << FD_BITS) - 1;
const MAX_GEN = 127;
const HIGH = 0x100000000;
/** The most one joined delivery carries (a burst beyond it is delivered in pieces). */
const MERGE_MAX = 256 * 1024;
/** dispatch() gives buffers back every this many completions. */
const RETURN_EVERY = 128;
/** Low words of the loop's own requests (high word 0). */
const UD_EPOLL_POLL = 1;
const UD_CANCEL = 2;

/** The ring of a 'uring' loop: multishot recv per connection, provided buffers, the epoll fd polled. */
export class RingIo {
  readonly ring: Ring;
  /** The provided buffers' memory (page-aligned): buffer b is arena[b * bufferSize, (b + 1) * bufferSize). */
  readonly arena: Uint8Array;
  readonly bufferSize: number;
  /** The epoll set may hold events: the next turn must epoll_wait(0) (and must not block in the ring). */
  epollHot = false;
  readonly #epollFd: number;
  readonly #integrated: boolean;
  readonly #stats: LoopStats;
  /** By fd: the generation of the armed recv, 0 when none is armed. */
  readonly #armedGen: number[] = [];
  /** By fd: the last generation used (a cancelled recv's late completions carry an older one). */
  readonly #lastGen: number[] = [];
  /** Channels whose recv ended without an error (-ENOBUFS, CQ overflow): re-armed at endTurn. */
  #rearm: Channel[] = [];
  #epollSignalled = false;
  /** Where a burst's buffers are joined for one delivery (allocated on the first burst). */
  #merged: Uint8Array | null = null;
  /** How many of this turn's completions dispatch() already gave their buffers back for. */
  #returned = 0;
  /** Between wait() and endTurn(): what arm()/disarm() queue is submitted by endTurn or the next wait. */
  #inTurn = false;
  /** Operations queued since the last submit (an enter is due for them). */
  #queued = 0;
  /** io_uring_enter calls made since takeEnters() last looked, counted here (no native call per turn). */
  #enters = 0;

  constructor(epoll: Epoll, integrated: boolean, stats: LoopStats, options: RingIoOptions) {
    const count = options.ringBuffers ?? 1024;
    if (!Number.isInteger(count) || count < 1 || count > 32768 || (count & (count - 1)) !== 0) {
      throw outOfRange('options.ringBuffers', 'a power of two in 1..32768', count);
    }
    this.bufferSize = options.ringBufferSize ?? 16 * 1024;
    checkInteger(this.bufferSize, 'options.ringBufferSize', 64, 1 << 24);
    // Integrated: the ring fd is watched by Node's epoll, so completions must be posted without
    // an io_uring_enter (no DEFER_TASKRUN). Exclusive: c-uring's flags -- completion work runs
    // only inside our own io_uring_enter, never as an interruption -- plus TASKRUN_FLAG, so a
    // turn that must not block still enters when the kernel holds completion work for us (else
    // it finds nothing, and the driver hops through setImmediate to a blocking turn: 65% more
    // turns in E, measured).
    const flags = integrated
      ? IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN
      : IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    this.ring = new Ring({ entries: 1024, cqEntries: 8192, flags: flags >>> 0 });
    try {
      this.arena = pageAlignedBytes(count * this.bufferSize);
      this.ring.provideBuffers(BGID, this.arena, count, this.bufferSize);
      this.#epollFd = epoll.fd;
      this.#integrated = integrated;
      this.#stats = stats;
      this.#pollEpoll();
      this.#submit();
    } catch (err) {
      this.ring.close();
      throw err;
    }
  }

  /** Start reading `ch` through the ring (idempotent). */
  arm(ch: Channel): void {
    const fd = ch.fd;
    if ((this.#armedGen[fd] ?? 0) !== 0) return;
    if (fd > FD_MASK) throw new RangeError(`fd ${fd} is above ${FD_MASK}, the largest a 'uring' loop can read`);
    const gen = ((this.#lastGen[fd] ?? 0) % MAX_GEN) + 1;
    this.#lastGen[fd] = gen;
    this.#armedGen[fd] = gen;
    this.#enters += this.ring.recvMultishot(fd, BGID, ch.token * HIGH + ((gen << FD_BITS) | fd));
    this.#queued++;
    if (!this.#inTurn) this.#submit(); // outside a turn (resumeReading() from a timer): nobody else would submit it
  }

  /** Stop reading `ch` (idempotent). Completions already posted for it are still delivered. */
  disarm(ch: Channel): void {
    const fd = ch.fd;
    const gen = this.#armedGen[fd] ?? 0;
    if (gen === 0) return;
    this.#armedGen[fd] = 0;
    this.#enters += this.ring.cancel(ch.token * HIGH + ((gen << FD_BITS) | fd), UD_CANCEL);
    this.#queued++;
    if (!this.#inTurn) this.#submit();
  }

  /** The turn's one io_uring_enter: submit, wait up to `timeoutMs` (0: don't), take completions. */
  wait(timeoutMs: number): number {
    const block = timeoutMs !== 0 && !this.epollHot;
    const count = this.ring.submitAndWait(block ? 1 : 0, block ? timeoutMs : 0);
    // The native side enters to submit, to wait, or (exclusive: TASKRUN_FLAG) when the kernel
    // holds completion work, which is then the only way completions appear in a turn that
    // neither submits nor waits.
    if (block || this.#queued !== 0 || (count !== 0 && !this.#integrated)) this.#enters++;
    this.#queued = 0;
    this.#inTurn = true;
    return count;
  }

  /**
   * Deliver the `count` completions of this turn's wait. Returns whether the epoll set must be
   * waited on now (its poll fired, or it had events last turn).
   */
  dispatch(count: number, poller: Poller, report: (err: unknown) => void): boolean {
    const c = this.ring.completions;
    const arena = this.arena;
    const size = this.bufferSize;
    const stats = this.#stats;
    let reads = 0;
    let returned = 0; // completions [0, returned) have had their buffers given back
    for (let i = 0; i < count; i++) {
      // Buffers back as the batch goes, not only at its end: the kernel goes on receiving for
      // the connections this batch answers (on the way out of their writes), and with 1000
      // busy connections a batch's buffers plus those ran the ring dry.
      if (i - returned >= RETURN_EVERY) {
        this.ring.returnCompletedBuffers(BGID, i - returned, returned);
        returned = i;
      }
      const low = c[4 * i]!;
      const token = c[4 * i + 1]!;
      const res = c[4 * i + 2]!;
      const flags = c[4 * i + 3]! >>> 0;
      if (token === 0) {
        if (low === UD_EPOLL_POLL) {
          this.#epollSignalled = true;
          if ((flags & IORING_CQE_F_MORE) === 0) this.#pollEpoll(); // the multishot poll ended
        }
        continue; // UD_CANCEL: nothing to do
      }
      const fd = low & FD_MASK;
      const ch = poller.channelOf(fd);
      if (ch === undefined || ch.token !== token) {
        stats.staleEvents++; // its buffer goes back at endTurn with the rest
        continue;
      }
      const current = (this.#armedGen[fd] ?? 0) === low >>> FD_BITS;
      if (current && (flags & IORING_CQE_F_MORE) === 0) {
        this.#armedGen[fd] = 0; // this recv has ended
        // Ended without the stream ending: out of buffers, or the kernel stopped it (CQ
        // overflow). The bytes are still in the socket; read on once buffers are back.
        if (res > 0 || res === -ENOBUFS) this.#rearm.push(ch);
      }
      if (res === -ENOBUFS || res === -ECANCELED) continue;
      // A cancelled recv's EOF or error: the recv armed after it reports the same, once.
      if (res <= 0 && !current) continue;
      let bytes: Uint8Array = arena;
      let at = (flags >>> 16) * size;
      let n = res;
      // A burst split over several buffers (the next completions of the same recv) goes to the
      // connection as one read, as one read(2) of the epoll turn would take it: one onMessage
      // and one write for it, not one per buffer (16 KiB messages, 4 in flight: 0.60x ET before).
      if (res > 0 && i + 1 < count && c[4 * i + 4] === low && c[4 * i + 5] === token && c[4 * i + 6]! > 0) {
        const merged = (this.#merged ??= new Uint8Array(MERGE_MAX));
        merged.set(arena.subarray(at, at + n), 0);
        while (i + 1 < count && c[4 * i + 4] === low && c[4 * i + 5] === token) {
          const more = c[4 * i + 6]!;
          if (more <= 0 || n + more > merged.length) break;
          i++;
          const moreFlags = c[4 * i + 3]! >>> 0;
          if (current && (moreFlags & IORING_CQE_F_MORE) === 0) {
            this.#armedGen[fd] = 0;
            this.#rearm.push(ch);
          }
          const from = (moreFlags >>> 16) * size;
          merged.set(arena.subarray(from, from + more), n);
          n += more;
        }
        bytes = merged;
        at = 0;
      }
      const sink = ch[kSink] as PreReadHandler;
      reads++;
      try {
        sink[kOnPreRead](EPOLLIN, n, bytes, at);
      } catch (err) {
        containThrow(sink, err, report);
      }
    }
    this.#returned = returned;
    // kOnPreRead counted a read syscall per delivery; the kernel did those reads for us.
    stats.syscalls -= reads;
    const poll = this.#epollSignalled || this.epollHot;
    this.#epollSignalled = false;
    return poll;
  }

  /** The turn is over: buffers back, starved recvs re-armed, queued SQEs submitted (integrated). */
  endTurn(count: number, poller: Poller): void {
    const ring = this.ring;
    this.#inTurn = false;
    if (ring.closed) return;
    if (count > this.#returned) ring.returnCompletedBuffers(BGID, count - this.#returned, this.#returned);
    this.#returned = 0;
    if (this.#rearm.length !== 0) {
      const list = this.#rearm;
      this.#rearm = [];
      for (const ch of list) {
        // Still registered under the same token, still reading, not re-armed meanwhile.
        if (poller.channelOf(ch.fd) === ch && (ch.interest & EPOLLIN) !== 0) this.arm(ch);
      }
    }
    if (this.#integrated) this.#submit();
  }

  /** io_uring_enter calls since the last call (the loop adds them to stats.syscalls). */
  takeEnters(): number {
    const made = this.#enters;
    this.#enters = 0;
    return made;
  }

  /** Close the ring: the kernel cancels every request (and drops its hold on the sockets). */
  close(): void {
    this.ring.close();
  }

  #pollEpoll(): void {
    this.#enters += this.ring.pollMultishot(this.#epollFd, POLLIN, UD_EPOLL_POLL);
    this.#queued++;
  }

  #submit(): void {
    if (this.#queued === 0) return;
    this.ring.submit();
    this.#queued = 0;
    this.#enters++;
  }
}
