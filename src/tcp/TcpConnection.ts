// TcpConnection: one established stream socket (TCP or Unix) in one EventLoop —
// its state, reading, writing, back-pressure, interest and close, in one class,
// as muduo's TcpConnection.cc keeps send/sendInLoop/handleWrite beside
// handleRead. Timers are ConnectionTimers; promises and the async iterator are
// ConnectionPromises (both allocated on first use); a callback's throw is
// contained by connectionErrors.ts.
//
// Ownership: the connection owns its fd from construction and closes it exactly
// once (through loop.closeFd, so never inside a dispatch batch). Threading: only
// the loop's thread may call it. Callbacks run on that thread, inside a turn.
//
// Reading: LT reads once per readiness event (one readv into the input buffer's
// free space plus the loop's 64 KiB scratch); the kernel re-reports while data
// remains. ET reads until the kernel has no more — a short read means drained —
// but at most `loop.readBudget` bytes per turn, and only once after the turn has
// run for `loop.turnBudgetMs`; a connection that hit either budget goes on the
// loop's ready list and continues next turn without a new edge. Batched turn:
// the loop pre-reads for us (kOnPreRead); the same rules apply.
//
// Writing, in one direction: send() writes at once when nothing is pending and
// we are outside a turn (or the send is big, below), else appends to the output
// buffer and corks: the loop flushes corked connections when the handler returns
// (kFlushCorked, or staged into the batched write: kCorkedBytes, kStageCorked,
// kFinishCorked). Every write ends in #afterWrite(): write() promises, onDrain, a
// graceful close or half-close that waited for the drain, interest. A short
// write means the socket buffer is full: WRITE interest, and #handleWrite()
// continues on EPOLLOUT.
//
// Big sends skip the cork: a send of at least DIRECT_SEND bytes with nothing
// pending is written at once, straight from the caller's bytes, even inside a
// turn. Corking it would copy it twice (into the output buffer, then into the
// batched write's arena) to save one JS->C++ crossing; at 8 KiB the two copies
// already cost more than the crossing, and at 64 KiB they were the largest
// user-space cost of an echo server (perf, 16 KiB messages: a quarter of its
// samples in memmove). Only what the kernel did not take is buffered. Order is
// kept: nothing of this connection is pending or corked when it happens.
//
// Interest: READ while reading is wanted (not paused, no FIN seen, not closing);
// WRITE only while output is pending, in both modes.
import { performance } from 'node:perf_hooks'; // the global is a lazy getter: one more call per read
import { native } from '../sys/addon.js';
import { EAGAIN, EINTR, SHUT_WR } from '../sys/constants.js';
import { SystemError } from '../sys/SystemError.js';
import { invalidArgType, outOfRange } from '../sys/args.js';
import { peerAddress, localAddress, socketError } from '../net/socket.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import { Interest, isError, isReadable, isReadClosed, isWritable } from '../poll/interest.js';
import { ByteBuffer, endLoan, lendStorage } from '../buffer/ByteBuffer.js';
import { asBytes, type BytesLike } from '../buffer/checks.js';
import { Channel, type PreReadHandler } from '../loop/Channel.js';
import { EventLoop, type Flushable, type ReadyListEntry } from '../loop/EventLoop.js';
import {
  kAddReady,
  kBufferPool,
  kCork,
  kCorkedBytes,
  kFinishCorked,
  kFlushCorked,
  kInTurn,
  kOnEvent,
  kOnPreRead,
  kOnThrow,
  kReadCap,
  kScratch,
  kServeReady,
  kStageCorked,
} from '../loop/symbols.js';
import { ConnectionClosedError, WriteAfterEndError } from '../errors.js';
import { ConnectionPromises, chunkIterator } from './ConnectionPromises.js';
import type { ChunkReader } from './ChunkReader.js';
import { ConnectionTimers } from './ConnectionTimers.js';
import { containConnectionThrow } from './connectionErrors.js';
import { limitsFor, type ConnectionLimits } from './ConnectionLimits.js';
import type { CloseInfo, ConnectionCallbacks, ConnectionOptions, ConnectionState } from './ConnectionOptions.js';

export type { CloseInfo, ConnectionCallbacks, ConnectionOptions, ConnectionState } from './ConnectionOptions.js';

/** A send() of at least this many bytes, with nothing pending, is written at once (see above). */
export const DIRECT_SEND = 8 * 1024;
/** The connection's channel (the library and tests look at it; not public API). */
export const kChannel = Symbol('channel');
/** The connection's pending-output buffer (tests look at its storage; not public API). */
export const kOutput = Symbol('output');

// The connection's boolean state, packed into one small integer (#flags): an
// idle connection is mostly its fields, so eight booleans cost one field.
const PAUSED = 1; // pauseReading() in force
const PEER_ENDED = 2; // EOF read
const FIN_PENDING = 4; // the peer's FIN is queued behind the data (ET must read on to the 0)
const EDGE = 8; // the loop is edge-triggered
const CORKED = 16; // in the loop's corked list, flushed when the handler returns
const ABOVE_HWM = 32; // crossed the high-water mark; onDrain when it empties
const SHUTDOWN_PENDING = 64; // shutdown() asked for, waiting for the output to drain
const WRITE_SHUT = 128; // shutdown(SHUT_WR) done
const RINGED = 256; // mode 'uring': input arrives from the loop's ring only; never read(2) the socket

/** The last read arena seen, and a Buffer over the same memory (made once per arena, not per message). */
let arenaSeen: Uint8Array | null = null;
let arenaBuffer: Buffer = Buffer.alloc(0);

/** `arena` as a Buffer (ByteBuffer's storage type), without a new view per call. */
function asArenaBuffer(arena: Uint8Array): Buffer {
  if (arena !== arenaSeen) {
    arenaSeen = arena;
    arenaBuffer = Buffer.isBuffer(arena) ? arena : Buffer.from(arena.buffer, arena.byteOffset, arena.byteLength);
  }
  return arenaBuffer;
}

/**
 * Whether this turn has run for the loop's time budget (the byte budget bounds bytes, not
 * time): past it an ET reader reads once and continues next turn; ready entries still read once.
 */
function overBudget(loop: EventLoop): boolean {
  return performance.now() - loop.now >= loop.turnBudgetMs;
}

/**
 * One connected stream socket — TCP or Unix (the name is historical): callbacks for input,
 * send()/write() for output.
 */
export class TcpConnection implements PreReadHandler, ReadyListEntry, Flushable {
  /** The connected socket (owned: closed when the connection closes). */
  readonly fd: number;
  /** The loop this connection lives on; touch it only from that loop's thread. */
  readonly loop: EventLoop;
  /** @internal The socket's channel in `loop`. */
  readonly [kChannel]: Channel;
  /** Unconsumed input; its storage is taken on first use and given back to the loop's pool when drained. */
  readonly input: ByteBuffer;
  /** Lifecycle: connected -> closing -> closed. */
  state: ConnectionState = 'connected';
  /** What this connection tells its owner (onMessage, onClose, ...); may be replaced. */
  callbacks: ConnectionCallbacks;
  /** Free for the application (a session, a codec's state). */
  context: unknown = undefined;
  /** Bytes read from the socket so far. */
  bytesRead = 0;
  /** Bytes the kernel has accepted from this connection so far. */
  bytesWritten = 0;
  /** Loop time (loop.clockMs()'s clock) at or just after the last read or write, rounded up:
   *  never before the activity, so an idle close is never early; a Smi, not a boxed double. */
  lastActivity: number;

  readonly #limits: ConnectionLimits;
  #flags = 0;
  #timers: ConnectionTimers | null = null;
  #face: ConnectionPromises | null = null;
  /** Pending output; its storage is taken on first use and given back to the loop's pool when drained. */
  readonly #output: ByteBuffer;
  /** Bytes ever accepted by send() (write() promises settle against bytesWritten). */
  #queuedTotal = 0;
  #remote: SocketAddress | undefined = undefined;
  #local: SocketAddress | undefined = undefined;

  // (#flags is read and set inline, not through private accessors: V8 runs get #x through
  // a runtime call, ~15x dearer than the bit test, and these run several times per message.)

  /**
   * Adopt a connected, non-blocking socket `fd` (owned from now on) into `loop`. TcpServer and
   * TcpClient make connections; this is for an fd obtained elsewhere.
   */
  constructor(loop: EventLoop, fd: number, callbacks: ConnectionCallbacks = {}, options: ConnectionOptions = {}) {
    if (!(loop instanceof EventLoop)) throw invalidArgType('loop', 'an EventLoop: new TcpConnection(loop, fd, callbacks, options) takes the loop first', loop);
    if (!Number.isInteger(fd) || fd < 0) throw typeof fd === 'number' ? outOfRange('fd', 'a non-negative integer', fd) : invalidArgType('fd', 'of type number', fd);
    this.loop = loop;
    this.fd = fd;
    this.callbacks = callbacks;
    this.input = new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, loop[kBufferPool]);
    this.#limits = limitsFor(options);
    this.#output = new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, loop[kBufferPool]);
    if (loop.mode === 'et') this.#flags = EDGE;
    else if (loop.mode === 'uring') this.#flags = RINGED;
    this.lastActivity = Math.ceil(loop.clockMs());
    this[kChannel] = new Channel(loop, fd, this);
    this[kChannel].autoRead = true;
    this.#updateInterest();
    if (options.idleTimeoutMs) this.setIdleTimeout(options.idleTimeoutMs);
  }

  /**
   * The peer's address: asked of the kernel on first use while open, then kept. After close
   * it is the kept value, or undefined if nobody asked while the connection was open (the
   * fd number may belong to another socket by then: it is never asked about again).
   */
  get remoteAddress(): SocketAddress | undefined {
    if (this.#remote === undefined && this.state !== 'closed') this.#remote = peerAddress(this.fd);
    return this.#remote;
  }

  /** Our end's address; kept and after close undefined-if-never-asked, like remoteAddress. */
  get localAddress(): SocketAddress | undefined {
    if (this.#local === undefined && this.state !== 'closed') this.#local = localAddress(this.fd);
    return this.#local;
  }

  /** state === 'connected'. */
  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Bytes waiting in the output buffer. */
  get pendingOutput(): number {
    return this.#output.readableBytes;
  }

  /** @internal The output buffer (tests look at its storage). */
  get [kOutput](): ByteBuffer {
    return this.#output;
  }

  /** Whether pauseReading() is in force. */
  get readingPaused(): boolean {
    return (this.#flags & PAUSED) !== 0;
  }

  // --- events from the loop (symbol-keyed: the loop's protocol, not public API) ---

  /** @internal Readiness of our fd (the per-fd path, or a batched event that was not pre-read). */
  [kOnEvent](events: number): void {
    if (isError(events)) {
      const errno = socketError(this.fd);
      if (errno !== 0) {
        this.#ioFailed(errno, 'poll');
        return;
      }
    }
    if (isReadClosed(events)) this.#flags |= FIN_PENDING;
    // Mode 'uring': a hang-up seen while waiting for writability is not ours to read: a read
    // here could overtake bytes the ring's recv already holds; the recv reports the end itself.
    if (isReadable(events) && (this.#flags & RINGED) === 0) this.#handleRead();
    if (isWritable(events) && this.state !== 'closed') this.#handleWrite();
  }

  /** @internal Ready list: an ET read that stopped at its budget continues here. */
  [kServeReady](): void {
    if (this.state !== 'closed' && (this.#flags & PAUSED) === 0 && (this.#flags & PEER_ENDED) === 0) this.#handleRead();
  }

  /** @internal Batched turn: the loop already read `n` bytes for us into arena[offset, offset + n). */
  [kOnPreRead](events: number, n: number, arena: Uint8Array, offset: number): void {
    if (isReadClosed(events)) this.#flags |= FIN_PENDING;
    const stats = this.loop.stats;
    stats.reads++;
    stats.syscalls++;
    if (n > 0) {
      const input = this.input;
      // The same rule as #handleRead: ET reads on after a full read (or to the queued FIN),
      // unless the turn is past its time budget: then it continues next turn.
      if ((this.#flags & EDGE) !== 0 && (n === this.loop[kReadCap] || (this.#flags & FIN_PENDING) !== 0) && !overBudget(this.loop)) {
        input.append(arena.subarray(offset, offset + n)); // #handleRead reads on into the input's storage
        this.#handleRead(n);
      } else {
        if ((this.#flags & EDGE) !== 0 && (n === this.loop[kReadCap] || (this.#flags & FIN_PENDING) !== 0)) this.loop[kAddReady](this);
        // Nothing buffered: onMessage reads the arena's slice in place, no copy (ByteBuffer's loans).
        if (input.capacity === 0) lendStorage(input, asArenaBuffer(arena), offset, n);
        else input.append(arena.subarray(offset, offset + n));
        this.#afterRead(n, false, true);
      }
    } else if (n === 0) {
      this.#afterRead(0, true, true);
    } else if (n !== -EAGAIN) {
      this.#ioFailed(-n, 'read');
      return;
    }
    if (isWritable(events) && this.state !== 'closed') this.#handleWrite();
  }

  // --- reading ------------------------------------------------------------------------

  /**
   * Read until the kernel has no more (ET) or once (LT); `total` bytes were read already.
   * ET: a short read means drained — unless the kernel already told us the FIN is queued
   * behind the data (RDHUP): then read on to see the 0, since no new edge will come for it.
   * A reader stopped by a budget goes on the loop's ready list (fairness: yield to other fds).
   */
  #handleRead(total = 0): void {
    const loop = this.loop;
    const stats = loop.stats;
    const scratch = loop[kScratch];
    const input = this.input;
    const et = (this.#flags & EDGE) !== 0;
    let eof = false;
    for (;;) {
      const writable = input.writableBytes;
      const n = native.readv2(this.fd, input.storage, input.writerIndex, writable, scratch, 0, scratch.length);
      stats.reads++;
      stats.syscalls++;
      if (n > 0) {
        input.commitRead(n, scratch);
        total += n;
        if (!et || (n < writable + scratch.length && (this.#flags & FIN_PENDING) === 0)) break;
        if (total >= loop.readBudget || overBudget(loop)) {
          loop[kAddReady](this);
          break;
        }
        continue;
      }
      if (n === 0) eof = true;
      else if (n === -EINTR) continue;
      else if (n !== -EAGAIN) {
        this.#ioFailed(-n, 'read');
        return;
      }
      break;
    }
    this.#afterRead(total, eof, false);
  }

  /** `preRead`: every byte came from the turn's pre-read, which ran before the turn read its clock. */
  #afterRead(total: number, eof: boolean, preRead: boolean): void {
    if (total > 0) {
      const loop = this.loop;
      loop.stats.bytesRead += total;
      this.bytesRead += total;
      // A pre-read happened before loop.now was taken, so the turn's clock is never early for
      // it (and costs no clock read); a read during the turn needs a fresh one (the turn may be
      // long under way).
      this.lastActivity = Math.ceil(preRead ? loop.elapsedMs : loop.clockMs());
      this.#deliver();
    }
    if (eof && this.state !== 'closed') this.#onPeerEnd();
  }

  #deliver(): void {
    const onMessage = this.callbacks.onMessage;
    try {
      if (onMessage !== undefined) onMessage(this, this.input);
      else if (this.#face?.activeReader) this.#face.activeReader.push(this.input.takeAll());
    } finally {
      endLoan(this.input); // a lent arena's unread bytes move into the input's own storage (see kOnPreRead)
    }
    if (this.state !== 'closed' && this.input.readableBytes > this.#limits.maxInput) this.destroy(undefined, 'overflow');
    this.input.release(); // if all of it was consumed, the storage goes back to the pool
  }

  #onPeerEnd(): void {
    this.#flags |= PEER_ENDED;
    this.#face?.activeReader?.end();
    this.#updateInterest(); // a half-closed socket stays readable: drop READ or LT would spin
    if (this.#limits.allowHalfOpen) this.callbacks.onEnd?.(this);
    else this.close();
  }

  // --- writing ---------------------------------------------------------------------

  /**
   * Queue `data` for the peer (copied: the caller may reuse its buffer at once): a string
   * (UTF-8), the bytes of any typed array or DataView (`byteLength` bytes from `byteOffset`),
   * or a whole ArrayBuffer. Returns false when pending output is at or above the high-water
   * mark, as node:net's write() does: a cue to pause the producer until onDrain. (It also
   * returns false when this very write failed and closed the connection: see onClose.)
   *
   * One rule after the end: once close(), destroy() or shutdown() was called — or the
   * connection closed for any reason (check `connected`) — send() throws
   * WriteAfterEndError (`ERR_REACTOR_WRITE_AFTER_END`), whether the close is still flushing or
   * done. Anything else than bytes or a string throws ERR_INVALID_ARG_TYPE (in any state).
   */
  send(input: BytesLike | string): boolean {
    const data = typeof input === 'string' ? input : asBytes(input); // any typed array or DataView, by bytes
    if (this.state !== 'connected' || (this.#flags & (SHUTDOWN_PENDING | WRITE_SHUT)) !== 0) throw new WriteAfterEndError(this.fd);
    const out = this.#output;
    const loop = this.loop;
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.#queuedTotal += len;
    if (out.readableBytes === 0 && typeof data !== 'string' && (!loop[kInTurn] || len >= DIRECT_SEND)) {
      // Nothing pending, and outside a turn or too big to be worth corking: write now, keep only the rest.
      const n = this.#writeRaw(data, 0, len);
      if (n === -2) return false; // the write failed and closed us
      if (n < len) {
        out.append(data.subarray(Math.max(n, 0)));
        this.#updateInterest(); // ask for writability for the rest
      } else this.#face?.settleWritten(this.bytesWritten);
    } else {
      out.append(data);
      if ((this.#flags & CORKED) === 0 && loop[kInTurn]) {
        this.#flags |= CORKED;
        loop[kCork](this);
      } else if (!loop[kInTurn] && !isWritable(this[kChannel].interest)) {
        // not waiting for writability (the mask the kernel holds has no EPOLLOUT): write now
        this.#handleWrite();
      }
    }
    if (this.#closed()) return false;
    // No interest change for corked output: the flush when the handler returns
    // asks for writability only if the kernel does not take it all (the common
    // case then costs one write and no epoll_ctl).
    const pending = out.readableBytes;
    if (pending > this.#limits.maxOutput) {
      this.destroy(undefined, 'overflow');
      return false;
    }
    if (pending >= this.#limits.highWaterMark) {
      if ((this.#flags & ABOVE_HWM) === 0) {
        this.#flags |= ABOVE_HWM;
        this.callbacks.onHighWater?.(this, pending);
      }
      return false;
    }
    return true;
  }

  /**
   * send(), resolving once the bytes reached the kernel. Rejects (never throws) with what
   * send() would throw, or with ConnectionClosedError if the connection closes first.
   */
  write(data: BytesLike | string): Promise<void> {
    try {
      this.send(data);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (this.state === 'closed') return Promise.reject(new ConnectionClosedError(this.fd));
    const target = this.#queuedTotal;
    if (this.bytesWritten >= target) return Promise.resolve();
    return (this.#face ??= new ConnectionPromises(this.fd)).waitWritten(target);
  }

  // --- writing: the kernel side ------------------------------------------------------

  /** Write what is pending until it is gone or the kernel's buffer is full. */
  #handleWrite(): void {
    const out = this.#output;
    while (out.readableBytes > 0) {
      const len = out.readableBytes;
      const n = this.#writeRaw(out.storage, out.readerIndex, len);
      if (n < 0) return; // closed by #writeRaw, or EAGAIN (-1)
      out.retrieve(n);
      if (n < len) break; // socket buffer full: wait for writability
    }
    this.#afterWrite();
  }

  /** After a write: settle promises, fire onDrain, finish a close or half-close, fix interest. */
  #afterWrite(): void {
    const out = this.#output;
    if (this.#closed()) return;
    if (out.readableBytes === 0) {
      out.release(); // drained: the storage goes back to the loop's pool
      this.#face?.settleWritten(this.bytesWritten);
      if ((this.#flags & ABOVE_HWM) !== 0) {
        this.#flags &= ~ABOVE_HWM;
        this.callbacks.onDrain?.(this);
      }
      if (this.state === 'closing') {
        this.#closeNow({ reason: (this.#flags & PEER_ENDED) !== 0 ? 'eof' : 'local' }); // a graceful close has drained
        return;
      }
      if ((this.#flags & SHUTDOWN_PENDING) !== 0) this.#shutdownWrite();
    }
    this.#updateInterest();
  }

  /** One write(2). Returns bytes written, -1 on EAGAIN, -2 when an error closed the connection. */
  #writeRaw(buf: Uint8Array, offset: number, length: number): number {
    const stats = this.loop.stats;
    for (;;) {
      const n = native.write(this.fd, buf, offset, length);
      stats.writes++;
      stats.syscalls++;
      if (n >= 0) {
        this.#wrote(n);
        return n;
      }
      if (n === -EINTR) continue;
      if (n === -EAGAIN) return -1;
      this.#ioFailed(-n, 'write'); // EPIPE, ECONNRESET: this connection only
      return -2;
    }
  }

  /** `atMs`: a performance.now() read after the write returned (the batched flush reads one for all its writes); else read here. */
  #wrote(n: number, atMs?: number): void {
    const loop = this.loop;
    loop.stats.bytesWritten += n;
    this.bytesWritten += n;
    // not loop.now: see lastActivity. (loop.now - loop.elapsedMs is the loop clock's epoch.)
    this.lastActivity = Math.ceil(atMs === undefined ? loop.clockMs() : atMs - loop.now + loop.elapsedMs);
  }

  #shutdownWrite(): void {
    this.#flags &= ~SHUTDOWN_PENDING;
    this.#flags |= WRITE_SHUT;
    native.shutdown(this.fd, SHUT_WR);
    this.loop.stats.syscalls++;
  }

  /** State check that TypeScript does not narrow away after calls that may close us. */
  #closed(): boolean {
    return this.state === 'closed';
  }

  /** A read or write failed: close this connection only. */
  #ioFailed(errno: number, syscall: string): void {
    this.destroy(new SystemError(errno, syscall, `(fd ${this.fd})`));
  }

  // --- the loop's flush protocol (Flushable) ------------------------------------------

  /** @internal Corked output: the handler that sent it has returned. */
  [kFlushCorked](): void {
    this.#flags &= ~CORKED;
    if (!this.#closed() && this.#output.readableBytes > 0) this.#handleWrite();
  }

  /** @internal Batched flush: how much to stage (all pending output; 0 once closed). */
  [kCorkedBytes](): number {
    return this.#closed() ? 0 : this.#output.readableBytes;
  }

  /** @internal Batched flush: copy the first `length` pending bytes into the write arena. */
  [kStageCorked](arena: Uint8Array, offset: number, length: number): void {
    const out = this.#output;
    arena.set(out.storage.subarray(out.readerIndex, out.readerIndex + length), offset);
  }

  /** @internal Batched flush: writeMany wrote `n` of the `length` staged bytes (or failed with -n); `atMs`: performance.now() after it returned. */
  [kFinishCorked](n: number, length: number, atMs?: number): void {
    this.#flags &= ~CORKED;
    if (this.#closed()) return; // closed by an earlier callback of the same flush
    const stats = this.loop.stats;
    stats.writes++;
    stats.syscalls++;
    if (n >= 0) {
      this.#wrote(n, atMs);
      this.#output.retrieve(n);
    } else if (n !== -EAGAIN) {
      this.#ioFailed(-n, 'write'); // EPIPE, ECONNRESET: this connection only
      return;
    }
    // All staged bytes went, but a callback queued more meanwhile: write it now.
    if (n === length && this.#output.readableBytes > 0) this.#handleWrite();
    else this.#afterWrite();
  }

  // --- interest, back-pressure -----------------------------------------------------

  #updateInterest(): void {
    if (this.state === 'closed') return;
    let interest = 0;
    if ((this.#flags & PAUSED) === 0 && (this.#flags & PEER_ENDED) === 0 && this.state !== 'closing') interest = Interest.READ;
    if (this.#output.readableBytes > 0) interest |= Interest.WRITE;
    this[kChannel].want(interest as Interest);
  }

  /** Stop reading (the kernel's receive window then pushes back on the peer). */
  pauseReading(): void {
    if ((this.#flags & PAUSED) !== 0) return;
    this.#flags |= PAUSED;
    this.#updateInterest();
  }

  /** Resume reading. In ET mode the re-arm itself re-checks readiness (EPOLL_CTL_MOD). */
  resumeReading(): void {
    if ((this.#flags & PAUSED) === 0) return;
    this.#flags &= ~PAUSED;
    this.#updateInterest();
  }

  /** Close after `ms` without reads or writes (0 disables). */
  setIdleTimeout(ms: number): void {
    (this.#timers ??= new ConnectionTimers(this, this.loop)).setIdleTimeout(ms);
  }

  // --- closing ------------------------------------------------------------------------

  /** Half-close: shutdown(SHUT_WR) once pending output has drained; keep reading. */
  shutdown(): void {
    if (this.state !== 'connected' || (this.#flags & (SHUTDOWN_PENDING | WRITE_SHUT)) !== 0) return;
    this.#flags |= SHUTDOWN_PENDING;
    if (this.#output.readableBytes === 0) this.#shutdownWrite();
  }

  /**
   * Graceful close, the one rule for pending output: reading stops now; every byte already
   * accepted by send() is still written, and the socket closes once it has drained (onClose
   * reason 'local', or 'eof' if the peer had ended). If it has not drained within `deadlineMs`
   * (default 5000) the socket closes anyway and the rest is discarded (reason 'deadline').
   * From the call on, send() throws ERR_REACTOR_WRITE_AFTER_END. A second close() is a no-op.
   * To drop pending output instead, destroy().
   */
  close(deadlineMs = 5000): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.#output.readableBytes === 0) {
      this.#closeNow({ reason: (this.#flags & PEER_ENDED) !== 0 ? 'eof' : 'local' });
      return;
    }
    this.state = 'closing';
    this.#updateInterest();
    (this.#timers ??= new ConnectionTimers(this, this.loop)).startDeadline(deadlineMs);
  }

  /** Close now, discarding pending output (reason 'destroyed', or 'error' with `error`). Idempotent. */
  destroy(error?: Error, reason: CloseInfo['reason'] = error ? 'error' : 'destroyed'): void {
    if (this.state === 'closed') return;
    this.#closeNow(error ? { reason, error } : { reason });
  }

  /**
   * @internal One of our callbacks threw (from the loop's dispatch, a flush, a timer): close
   * with reason 'error', then hand the error to onError, else the server's, else the loop's.
   * Never throws: a throw from onClose or onError goes on to the loop.
   */
  [kOnThrow](thrown: unknown): void {
    containConnectionThrow(this, thrown);
  }

  #closeNow(info: CloseInfo): void {
    this.state = 'closed';
    this.#timers?.cancel();
    this[kChannel].remove();
    this.loop.closeFd(this.fd);
    this.#face?.closed(info.reason, info.error);
    this.callbacks.onClose?.(this, info);
    // After onClose (which may still look at them): storage back to the pool. Unread
    // input stays (a reader created after the close still gets it); pending output
    // can never leave now.
    this.input.release();
    this.#output.retrieveAll();
    this.#output.release();
  }

  // --- the proactor face: for await (const chunk of conn) / await conn.read() ---------

  /** Next chunk of input (a Buffer the caller owns), or null at end of stream. */
  read(): Promise<Buffer | null> {
    return this.#reader().read();
  }

  /** `for await (const chunk of conn)`: owned chunks until the end of stream; break closes. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return chunkIterator(this.#reader(), () => this.close());
  }

  #reader(): ChunkReader {
    const face = (this.#face ??= new ConnectionPromises(this.fd));
    return face.activeReader ?? face.reader(
      this.#limits.highWaterMark,
      () => this.pauseReading(),
      () => this.resumeReading(),
      () => (this.input.readableBytes > 0 ? this.input.takeAll() : null),
      (this.#flags & PEER_ENDED) !== 0 || this.state === 'closed',
    );
  }
}
