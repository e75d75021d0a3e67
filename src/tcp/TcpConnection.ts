// TcpConnection: one established stream socket in one EventLoop — its input and
// output buffers, its state, reading, writing, back-pressure, half-close and
// close (muduo's TcpConnection). Timers live in ConnectionTimers, promises and
// the async iterator in AwaitFace; both are allocated on first use.
//
// Ownership: the connection owns its fd from construction and closes it exactly
// once (through loop.closeFd, so never inside a dispatch batch). Threading: only
// the loop's thread may call it. Callbacks run on that thread, inside a turn.
//
// Reading. LT: one readv per readiness event (into the input buffer's free space
// plus the loop's 64 KiB scratch), the kernel re-reports while data remains.
// ET: readv until the kernel has no more — a short read means drained (any later
// arrival raises a new edge, so no extra read to see EAGAIN) — but at most
// `loop.readBudget` bytes per turn; a connection that hit its budget goes on the
// loop's ready list and is served next turn without waiting for a new edge.
// Batched turn: the loop pre-reads for us (kOnPreRead); the same rules apply.
//
// Writing. send() inside a turn appends to the output buffer and corks: all
// sends made by one handler leave in one write() when it returns (batched: in
// one writeMany for the whole turn). Outside a turn, send() writes at once if
// nothing is pending. Write interest is on only while output is pending (both
// modes). A short write means the socket buffer is full: wait for writability.
import { native } from '../sys/addon.js';
import { EAGAIN, EINTR, SHUT_WR } from '../sys/constants.js';
import { SystemError } from '../sys/errors.js';
import { peerAddress, localAddress, socketError } from '../net/socket.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import { Interest, isError, isReadable, isReadClosed, isWritable } from '../poll/interest.js';
import { ByteBuffer } from '../buffer/ByteBuffer.js';
import { Channel, type PreReadHandler } from '../loop/Channel.js';
import type { EventLoop, Flushable, ReadyListEntry } from '../loop/EventLoop.js';
import {
  kAddReady,
  kCork,
  kCorkedBytes,
  kFinishCorked,
  kFlushCorked,
  kInTurn,
  kOnEvent,
  kOnPreRead,
  kReadCap,
  kScratch,
  kServeReady,
  kStageCorked,
} from '../loop/symbols.js';
import { ConnectionClosedError, WriteAfterEndError } from '../errors.js';
import { AwaitFace, chunkIterator } from './AwaitFace.js';
import type { ChunkReader } from './ChunkReader.js';
import { ConnectionTimers } from './ConnectionTimers.js';
import type { CloseInfo, ConnectionCallbacks, ConnectionOptions, ConnectionState } from './types.js';

export type { CloseInfo, ConnectionCallbacks, ConnectionOptions, ConnectionState } from './types.js';

const DEFAULTS = { highWaterMark: 1 << 20, maxOutput: 64 << 20, maxInput: 64 << 20 };

/** One connected stream socket: callbacks for input, send()/write() for output. */
export class TcpConnection implements PreReadHandler, Flushable, ReadyListEntry {
  readonly fd: number;
  readonly loop: EventLoop;
  readonly channel: Channel;
  readonly input = new ByteBuffer();
  readonly output = new ByteBuffer();
  state: ConnectionState = 'connected';
  callbacks: ConnectionCallbacks;
  /** Free for the application (a session, a codec's state). */
  context: unknown = undefined;
  bytesRead = 0;
  bytesWritten = 0;
  /** loop.now at the last read or write. */
  lastActivity: number;

  readonly #highWaterMark: number;
  readonly #maxOutput: number;
  readonly #maxInput: number;
  readonly #allowHalfOpen: boolean;
  readonly #et: boolean;
  #timers: ConnectionTimers | null = null;
  #face: AwaitFace | null = null;
  #readingPaused = false;
  #peerEnded = false;
  /** The peer's FIN is queued behind the data (ET must read on to the 0). */
  #finPending = false;
  #shutdownPending = false;
  #writeShut = false;
  #corked = false;
  #aboveHighWater = false;
  #queuedTotal = 0;

  constructor(loop: EventLoop, fd: number, callbacks: ConnectionCallbacks = {}, options: ConnectionOptions = {}) {
    this.loop = loop;
    this.fd = fd;
    this.callbacks = callbacks;
    this.#highWaterMark = options.highWaterMark ?? DEFAULTS.highWaterMark;
    this.#maxOutput = options.maxOutput ?? DEFAULTS.maxOutput;
    this.#maxInput = options.maxInput ?? DEFAULTS.maxInput;
    this.#allowHalfOpen = options.allowHalfOpen ?? false;
    this.#et = loop.mode === 'et';
    this.lastActivity = loop.now;
    this.channel = new Channel(loop, fd, this);
    this.channel.autoRead = true;
    this.#updateInterest();
    if (options.idleTimeoutMs) this.setIdleTimeout(options.idleTimeoutMs);
  }

  /** The peer's address. */
  get remoteAddress(): SocketAddress {
    return peerAddress(this.fd);
  }

  /** Our end's address. */
  get localAddress(): SocketAddress {
    return localAddress(this.fd);
  }

  /** state === 'connected'. */
  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Bytes waiting in the output buffer. */
  get pendingOutput(): number {
    return this.output.readableBytes;
  }

  /** Whether pauseReading() is in force. */
  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  // --- events from the loop (symbol-keyed: the loop's protocol, not public API) ---

  /** @internal Readiness of our fd (the per-fd path, or a batched event that was not pre-read). */
  [kOnEvent](events: number): void {
    if (isError(events)) {
      const errno = socketError(this.fd);
      if (errno !== 0) {
        this.#fail(errno, 'poll');
        return;
      }
    }
    if (isReadClosed(events)) this.#finPending = true;
    if (isReadable(events)) this.#handleRead();
    if (isWritable(events) && this.state !== 'closed') this.#handleWrite();
  }

  /** @internal Ready list: an ET read that stopped at its budget continues here. */
  [kServeReady](): void {
    if (this.state !== 'closed' && !this.#readingPaused && !this.#peerEnded) this.#handleRead();
  }

  /** @internal Batched turn: the loop already read `n` bytes for us into arena[offset, offset + n). */
  [kOnPreRead](events: number, n: number, arena: Uint8Array, offset: number): void {
    if (isReadClosed(events)) this.#finPending = true;
    const stats = this.loop.stats;
    stats.reads++;
    stats.syscalls++;
    if (n > 0) {
      this.input.append(arena.subarray(offset, offset + n));
      // The same rule as #handleRead: ET reads on after a full read (or to the queued FIN).
      if (this.#et && (n === this.loop[kReadCap] || this.#finPending)) this.#handleRead(n);
      else this.#afterRead(n, false);
    } else if (n === 0) {
      this.#afterRead(0, true);
    } else if (n !== -EAGAIN) {
      this.#fail(-n, 'read');
      return;
    }
    if (isWritable(events) && this.state !== 'closed') this.#handleWrite();
  }

  /** @internal Corked output: the handler that sent it has returned. */
  [kFlushCorked](): void {
    this.#corked = false;
    if (this.state !== 'closed' && this.output.readableBytes > 0) this.#handleWrite();
  }

  /** @internal Batched flush: how much to stage (all pending output; 0 once closed). */
  [kCorkedBytes](): number {
    return this.state === 'closed' ? 0 : this.output.readableBytes;
  }

  /** @internal Batched flush: copy the first `length` pending bytes into the write arena. */
  [kStageCorked](arena: Uint8Array, offset: number, length: number): void {
    const out = this.output;
    arena.set(out.storage.subarray(out.readerIndex, out.readerIndex + length), offset);
  }

  /** @internal Batched flush: the loop's writeMany wrote `n` of the `length` staged bytes (or failed with -n). */
  [kFinishCorked](n: number, length: number): void {
    this.#corked = false;
    if (this.state === 'closed') return; // closed by an earlier callback of the same flush
    const stats = this.loop.stats;
    stats.writes++;
    stats.syscalls++;
    if (n >= 0) {
      this.#wrote(n);
      this.output.retrieve(n);
    } else if (n !== -EAGAIN) {
      this.#fail(-n, 'write'); // EPIPE, ECONNRESET: this connection only
      return;
    }
    // All staged bytes went, but a callback queued more meanwhile: write it now.
    if (n === length && this.output.readableBytes > 0) this.#handleWrite();
    else this.#afterWrite();
  }

  // --- reading ------------------------------------------------------------------------

  /** Read until the kernel has no more (ET) or once (LT); `total` bytes were read already. */
  #handleRead(total = 0): void {
    const loop = this.loop;
    const stats = loop.stats;
    const input = this.input;
    const scratch = loop[kScratch];
    let eof = false;
    for (;;) {
      const writable = input.writableBytes;
      const n = native.readv2(this.fd, input.storage, input.writerIndex, writable, scratch, 0, scratch.length);
      stats.reads++;
      stats.syscalls++;
      if (n > 0) {
        input.commitRead(n, scratch);
        total += n;
        // LT: one read per event. ET: a short read means drained — unless the
        // kernel already told us the FIN is queued behind the data (RDHUP): then
        // read on to see the 0, since no new edge will come for it.
        if (!this.#et || (n < writable + scratch.length && !this.#finPending)) break;
        if (total >= loop.readBudget) {
          loop[kAddReady](this); // fairness: yield to other fds, continue next turn
          break;
        }
        continue;
      }
      if (n === 0) eof = true;
      else if (n === -EINTR) continue;
      else if (n !== -EAGAIN) {
        this.#fail(-n, 'read');
        return;
      }
      break;
    }
    this.#afterRead(total, eof);
  }

  #afterRead(total: number, eof: boolean): void {
    if (total > 0) {
      const loop = this.loop;
      loop.stats.bytesRead += total;
      this.bytesRead += total;
      this.lastActivity = loop.now;
      this.#deliver();
    }
    if (eof && this.state !== 'closed') this.#onPeerEnd();
  }

  #deliver(): void {
    const onMessage = this.callbacks.onMessage;
    if (onMessage !== undefined) onMessage(this, this.input);
    else if (this.#face?.activeReader) this.#face.activeReader.push(this.input.takeAll());
    if (this.state !== 'closed' && this.input.readableBytes > this.#maxInput) this.destroy(undefined, 'overflow');
  }

  #onPeerEnd(): void {
    this.#peerEnded = true;
    this.#face?.activeReader?.end();
    this.#updateInterest(); // a half-closed socket stays readable: drop READ or LT would spin
    if (this.#allowHalfOpen) this.callbacks.onEnd?.(this);
    else this.close();
  }

  // --- writing ----------------------------------------------------------------------

  /**
   * Queue `data` for the peer (copied: the caller may reuse its buffer at once).
   * Returns false when pending output is at or above the high-water mark, as
   * node:net's write() does: a cue to pause the producer until onDrain.
   */
  send(data: Uint8Array | string): boolean {
    if (this.state === 'closed') return false;
    if (this.#shutdownPending || this.#writeShut || this.state === 'closing') throw new WriteAfterEndError(this.fd);
    const out = this.output;
    const loop = this.loop;
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.#queuedTotal += len;
    if (out.readableBytes === 0 && !loop[kInTurn] && typeof data !== 'string') {
      // Outside a turn with nothing pending: write now, keep only the rest.
      const n = this.#writeRaw(data, 0, len);
      if (n === -2) return false; // the write failed and closed us
      if (n < len) {
        out.append(data.subarray(Math.max(n, 0)));
        this.#updateInterest(); // write interest for the rest
      } else this.#face?.settleWritten(this.bytesWritten);
    } else {
      out.append(data);
      if (!this.#corked && loop[kInTurn]) {
        this.#corked = true;
        loop[kCork](this);
      } else if (!loop[kInTurn] && !this.#wantsWrite()) {
        this.#handleWrite();
      }
    }
    if (this.#isClosed()) return false;
    // No interest change for corked output: the flush when the handler returns
    // asks for writability only if the kernel does not take it all (the common
    // case then costs one write and no epoll_ctl).
    const pending = out.readableBytes;
    if (pending > this.#maxOutput) {
      this.destroy(undefined, 'overflow');
      return false;
    }
    if (pending >= this.#highWaterMark) {
      if (!this.#aboveHighWater) {
        this.#aboveHighWater = true;
        this.callbacks.onHighWater?.(this, pending);
      }
      return false;
    }
    return true;
  }

  /** send(), resolving once the bytes reached the kernel (rejects if the connection closes first). */
  write(data: Uint8Array | string): Promise<void> {
    this.send(data);
    if (this.state === 'closed') return Promise.reject(new ConnectionClosedError(this.fd));
    const target = this.#queuedTotal;
    if (this.bytesWritten >= target) return Promise.resolve();
    return (this.#face ??= new AwaitFace(this.fd)).waitWritten(target);
  }

  #handleWrite(): void {
    const out = this.output;
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
    const out = this.output;
    if (this.#isClosed()) return;
    if (out.readableBytes === 0) {
      out.retrieveAll();
      this.#face?.settleWritten(this.bytesWritten);
      if (this.#aboveHighWater) {
        this.#aboveHighWater = false;
        this.callbacks.onDrain?.(this);
      }
      if (this.state === 'closing') {
        this.#closeNow({ reason: this.#peerEnded ? 'eof' : 'local' });
        return;
      }
      if (this.#shutdownPending) this.#shutdownWrite();
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
      this.#fail(-n, 'write'); // EPIPE, ECONNRESET: this connection only
      return -2;
    }
  }

  #wrote(n: number): void {
    this.loop.stats.bytesWritten += n;
    this.bytesWritten += n;
    this.lastActivity = this.loop.now;
  }

  // --- interest, back-pressure -----------------------------------------------------

  #wantsWrite(): boolean {
    return isWritable(this.channel.interest); // the mask the kernel holds has EPOLLOUT
  }

  #updateInterest(): void {
    if (this.state === 'closed') return;
    let interest = 0;
    if (!this.#readingPaused && !this.#peerEnded && this.state !== 'closing') interest = Interest.READ;
    if (this.output.readableBytes > 0) interest |= Interest.WRITE;
    this.channel.want(interest as Interest);
  }

  /** Stop reading (the kernel's receive window then pushes back on the peer). */
  pauseReading(): void {
    if (this.#readingPaused) return;
    this.#readingPaused = true;
    this.#updateInterest();
  }

  /** Resume reading. In ET mode the re-arm itself re-checks readiness (EPOLL_CTL_MOD). */
  resumeReading(): void {
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    this.#updateInterest();
  }

  /** Close after `ms` without reads or writes (0 disables). */
  setIdleTimeout(ms: number): void {
    (this.#timers ??= new ConnectionTimers(this, this.loop)).setIdleTimeout(ms);
  }

  // --- closing ------------------------------------------------------------------------

  /** Half-close: shutdown(SHUT_WR) once pending output has drained; keep reading. */
  shutdown(): void {
    if (this.state !== 'connected' || this.#shutdownPending || this.#writeShut) return;
    this.#shutdownPending = true;
    if (this.output.readableBytes === 0) this.#shutdownWrite();
  }

  #shutdownWrite(): void {
    this.#shutdownPending = false;
    this.#writeShut = true;
    native.shutdown(this.fd, SHUT_WR);
    this.loop.stats.syscalls++;
  }

  /**
   * Graceful close: stop reading, flush pending output, then close. If the output
   * has not drained within `deadlineMs` (default 5000), close anyway ('deadline').
   */
  close(deadlineMs = 5000): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.output.readableBytes === 0) {
      this.#closeNow({ reason: this.#peerEnded ? 'eof' : 'local' });
      return;
    }
    this.state = 'closing';
    this.#updateInterest();
    (this.#timers ??= new ConnectionTimers(this, this.loop)).startDeadline(deadlineMs);
  }

  /** Close now, discarding pending output. */
  destroy(error?: SystemError, reason: CloseInfo['reason'] = error ? 'error' : 'destroyed'): void {
    if (this.state === 'closed') return;
    this.#closeNow(error ? { reason, error } : { reason });
  }

  /** State check that TypeScript does not narrow away after calls that may close us. */
  #isClosed(): boolean {
    return this.state === 'closed';
  }

  #fail(errno: number, syscall: string): void {
    this.destroy(new SystemError(errno, syscall, `(fd ${this.fd})`));
  }

  #closeNow(info: CloseInfo): void {
    this.state = 'closed';
    this.#timers?.cancel();
    this.channel.remove();
    this.loop.closeFd(this.fd);
    this.#face?.closed(info.reason, info.error);
    this.callbacks.onClose?.(this, info);
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
    const face = (this.#face ??= new AwaitFace(this.fd));
    return face.activeReader ?? face.reader(
      this.#highWaterMark,
      () => this.pauseReading(),
      () => this.resumeReading(),
      () => (this.input.readableBytes > 0 ? this.input.takeAll() : null),
      this.#peerEnded || this.state === 'closed',
    );
  }
}
