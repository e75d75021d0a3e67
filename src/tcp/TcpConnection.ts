// TcpConnection: one established stream socket in one EventLoop — its input
// and output buffers, its state, back-pressure, half-close, idle timeout and
// graceful close (muduo's TcpConnection; Netty's AbstractEpollStreamChannel).
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
//
// Writing. send() inside a turn appends to the output buffer and corks: all
// sends made by one handler leave in one write() when it returns. Outside a
// turn, send() writes at once if nothing is pending. EPOLLOUT is armed only
// while output is pending (both modes). A short write means the socket buffer is
// full; we wait for EPOLLOUT instead of trying again.
//
// States: connected -> closing (close() called: flush, then close, bounded by a
// deadline) -> closed. 'connecting' belongs to TcpClient, before a connection exists.
import { native } from '../sys/addon.js';
import { EAGAIN, EINTR, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP, SHUT_WR } from '../sys/constants.js';
import { SystemError } from '../sys/errors.js';
import { peerAddress, localAddress, socketError } from '../net/socket.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import { readInterest } from '../poll/interest.js';
import { ByteBuffer } from '../buffer/ByteBuffer.js';
import { Channel, type EventHandler } from '../loop/Channel.js';
import type { EventLoop, Flushable, ReadyListEntry } from '../loop/EventLoop.js';
import { TimerNode } from '../loop/TimerWheel.js';
import { ChunkReader } from './ChunkReader.js';

export type ConnectionState = 'connecting' | 'connected' | 'closing' | 'closed';

/** Why a connection closed. `error` is set when a system call failed. */
export interface CloseInfo {
  reason: 'eof' | 'local' | 'destroyed' | 'error' | 'idle' | 'deadline' | 'overflow' | 'shutdown';
  error?: SystemError;
}

export interface ConnectionCallbacks {
  /** Input arrived. Consume what you can from `input`; the rest stays for next time. */
  onMessage?: (conn: TcpConnection, input: ByteBuffer) => void;
  /** The peer half-closed (FIN) and allowHalfOpen is on: we may still write. */
  onEnd?: (conn: TcpConnection) => void;
  /** Output crossed the high-water mark (once per crossing). */
  onHighWater?: (conn: TcpConnection, pending: number) => void;
  /** Output drained back to empty after a high-water crossing. */
  onDrain?: (conn: TcpConnection) => void;
  /** Closed, once, with the reason. */
  onClose?: (conn: TcpConnection, info: CloseInfo) => void;
}

export interface ConnectionOptions {
  /** Output bytes pending that trigger onHighWater and make send() return false. Default 1 MiB. */
  highWaterMark?: number;
  /** Hard cap on pending output: beyond it the connection is closed ('overflow'). Default 64 MiB. */
  maxOutput?: number;
  /** Hard cap on unconsumed input. Default 64 MiB (room for a 32 MiB frame). */
  maxInput?: number;
  /** Keep the connection open for writing after the peer's FIN. Default false. */
  allowHalfOpen?: boolean;
  /** Close after this many ms without reads or writes. 0 = never (default). */
  idleTimeoutMs?: number;
}

const DEFAULTS = { highWaterMark: 1 << 20, maxOutput: 64 << 20, maxInput: 64 << 20 };

function onIdleTimer(node: TimerNode): void {
  (node.data as TcpConnection).checkIdle();
}

function onDeadlineTimer(node: TimerNode): void {
  (node.data as TcpConnection).destroy(undefined, 'deadline');
}

export class TcpConnection implements EventHandler, Flushable, ReadyListEntry {
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
  #idleTimeoutMs = 0;
  #idleNode: TimerNode | null = null;
  #deadlineNode: TimerNode | null = null;
  #readingPaused = false;
  #peerEnded = false;
  /** RDHUP/HUP seen: the peer's FIN is queued behind the data (ET must read to EOF). */
  #finPending = false;
  #shutdownPending = false;
  #writeShut = false;
  #corked = false;
  #aboveHighWater = false;
  #queuedTotal = 0;
  #reader: ChunkReader | null = null;
  #writeWaiters: Array<{ target: number; resolve: () => void; reject: (e: Error) => void }> = [];

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

  get remoteAddress(): SocketAddress {
    return peerAddress(this.fd);
  }

  get localAddress(): SocketAddress {
    return localAddress(this.fd);
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Bytes waiting in the output buffer. */
  get pendingOutput(): number {
    return this.output.readableBytes;
  }

  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  // --- events from the loop -------------------------------------------------------

  handleEvent(events: number): void {
    if (events & EPOLLERR) {
      const errno = socketError(this.fd);
      if (errno !== 0) {
        this.#fail(errno, 'poll');
        return;
      }
    }
    if (events & (EPOLLRDHUP | EPOLLHUP)) this.#finPending = true;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) this.#handleRead();
    if (events & EPOLLOUT && this.state !== 'closed') this.#handleWrite();
  }

  /** Ready list: an ET read that stopped at its budget continues here. */
  serveReady(): void {
    if (this.state !== 'closed' && !this.#readingPaused && !this.#peerEnded) this.#handleRead();
  }

  /** Batched turn: the loop already read `n` bytes for us into arena[offset, offset + n). */
  handlePreRead(events: number, n: number, arena: Uint8Array, offset: number): void {
    if (events & (EPOLLRDHUP | EPOLLHUP)) this.#finPending = true;
    const stats = this.loop.stats;
    stats.reads++;
    stats.syscalls++;
    if (n > 0) {
      this.input.append(arena.subarray(offset, offset + n));
      // The same rule as #handleRead: ET reads on after a full read (or to the queued FIN).
      if (this.#et && (n === this.loop.readCap || this.#finPending)) this.#handleRead(n);
      else this.#afterRead(n, false);
    } else if (n === 0) {
      this.#afterRead(0, true);
    } else if (n !== -EAGAIN) {
      this.#fail(-n, 'read');
      return;
    }
    if (events & EPOLLOUT && this.state !== 'closed') this.#handleWrite();
  }

  /** Corked output: the handler that sent it has returned. */
  flushCorked(): void {
    this.#corked = false;
    if (this.state !== 'closed' && this.output.readableBytes > 0) this.#handleWrite();
  }

  /** Batched flush: how much to stage (all pending output; 0 once closed). */
  corkedBytes(): number {
    return this.state === 'closed' ? 0 : this.output.readableBytes;
  }

  stageCorked(arena: Uint8Array, offset: number, length: number): void {
    const out = this.output;
    arena.set(out.storage.subarray(out.readerIndex, out.readerIndex + length), offset);
  }

  /** Batched flush: the loop's writeMany wrote `n` of the `length` staged bytes (or failed with -n). */
  finishCorked(n: number, length: number): void {
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

  /** Read until the kernel has no more (ET) or once (LT); `total` bytes were read already. */
  #handleRead(total = 0): void {
    const loop = this.loop;
    const stats = loop.stats;
    const input = this.input;
    const scratch = loop.scratch;
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
          loop.addReady(this); // fairness: yield to other fds, continue next turn
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
    else if (this.#reader !== null) this.#reader.push(this.input.takeAll());
    if (this.state !== 'closed' && this.input.readableBytes > this.#maxInput) this.destroy(undefined, 'overflow');
  }

  #onPeerEnd(): void {
    this.#peerEnded = true;
    this.#reader?.end();
    this.#updateInterest(); // a half-closed socket stays readable: drop IN or LT would spin
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
    if (this.#shutdownPending || this.#writeShut || this.state === 'closing') {
      throw new Error(`write after end (fd ${this.fd})`);
    }
    const out = this.output;
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.#queuedTotal += len;
    if (out.readableBytes === 0 && !this.loop.inTurn && typeof data !== 'string') {
      // Outside a turn with nothing pending: write now, keep only the rest.
      const n = this.#writeRaw(data, 0, len);
      if (n === -2) return false; // the write failed and closed us
      if (n < len) {
        out.append(data.subarray(Math.max(n, 0)));
        this.#updateInterest(); // arm EPOLLOUT for the rest
      } else this.#settleWriters();
    } else {
      out.append(data);
      if (!this.#corked && this.loop.inTurn) {
        this.#corked = true;
        this.loop.cork(this);
      } else if (!this.loop.inTurn && !(this.channel.interest & EPOLLOUT)) {
        this.#handleWrite();
      }
    }
    if (this.#isClosed()) return false;
    // No interest change for corked output: the flush when the handler returns
    // arms EPOLLOUT only if the kernel does not take it all (the common case
    // then costs one write and no epoll_ctl).
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
    if (this.state === 'closed') return Promise.reject(new Error(`connection closed (fd ${this.fd})`));
    const target = this.#queuedTotal;
    if (this.bytesWritten >= target) return Promise.resolve();
    return new Promise((resolve, reject) => this.#writeWaiters.push({ target, resolve, reject }));
  }

  #handleWrite(): void {
    const out = this.output;
    while (out.readableBytes > 0) {
      const len = out.readableBytes;
      const n = this.#writeRaw(out.storage, out.readerIndex, len);
      if (n < 0) return; // closed by #writeRaw, or EAGAIN (-1)
      out.retrieve(n);
      if (n < len) break; // socket buffer full: wait for EPOLLOUT
    }
    this.#afterWrite();
  }

  /** After a write: settle promises, fire onDrain, finish a close or half-close, fix interest. */
  #afterWrite(): void {
    const out = this.output;
    if (this.#isClosed()) return;
    if (out.readableBytes === 0) {
      out.retrieveAll();
      this.#settleWriters();
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

  /** One write(2). Returns bytes written, -1 on EAGAIN; closes the connection on errors. */
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

  #settleWriters(): void {
    const waiters = this.#writeWaiters;
    if (waiters.length === 0) return;
    let i = 0;
    while (i < waiters.length && waiters[i]!.target <= this.bytesWritten) waiters[i++]!.resolve();
    if (i > 0) waiters.splice(0, i);
  }

  // --- interest, back-pressure -----------------------------------------------------

  #updateInterest(): void {
    if (this.state === 'closed') return;
    let mask = 0;
    if (!this.#readingPaused && !this.#peerEnded && this.state !== 'closing') mask = readInterest(this.loop.mode);
    if (this.output.readableBytes > 0) mask |= EPOLLOUT;
    if (this.#et) mask |= EPOLLET;
    this.channel.setInterest(mask >>> 0);
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

  // --- timers -------------------------------------------------------------------------

  /** Close after `ms` without reads or writes (0 disables). */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutMs = ms;
    if (ms <= 0) {
      if (this.#idleNode) this.loop.cancel(this.#idleNode);
      return;
    }
    if (this.#idleNode === null) {
      this.#idleNode = new TimerNode(onIdleTimer);
      this.#idleNode.data = this;
    }
    this.loop.schedule(this.#idleNode, ms);
  }

  /** @internal Idle timer fired: close if idle, else re-arm for the remaining time. */
  checkIdle(): void {
    if (this.state === 'closed' || this.#idleTimeoutMs <= 0) return;
    const idleFor = this.loop.now - this.lastActivity;
    if (idleFor >= this.#idleTimeoutMs) this.destroy(undefined, 'idle');
    else this.loop.schedule(this.#idleNode!, this.#idleTimeoutMs - idleFor);
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
    this.#deadlineNode = new TimerNode(onDeadlineTimer);
    this.#deadlineNode.data = this;
    this.loop.schedule(this.#deadlineNode, deadlineMs);
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
    if (this.#idleNode) this.loop.cancel(this.#idleNode);
    if (this.#deadlineNode) this.loop.cancel(this.#deadlineNode);
    this.channel.remove();
    this.loop.closeFd(this.fd);
    const err = new Error(`connection closed (${info.reason}) before the data was written`);
    for (const w of this.#writeWaiters.splice(0)) w.reject(err);
    if (info.error) this.#reader?.fail(info.error);
    else this.#reader?.end();
    this.callbacks.onClose?.(this, info);
  }

  // --- the proactor face: for await (const chunk of conn) / await conn.read() ---------

  /** Next chunk of input (a Buffer the caller owns), or null at end of stream. */
  read(): Promise<Buffer | null> {
    return this.#chunkReader().read();
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const reader = this.#chunkReader();
    return {
      next: async () => {
        const chunk = await reader.read();
        return chunk === null ? { done: true, value: undefined } : { done: false, value: chunk };
      },
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  #chunkReader(): ChunkReader {
    if (this.#reader === null) {
      this.#reader = new ChunkReader(this.#highWaterMark, () => this.pauseReading(), () => this.resumeReading());
      if (this.input.readableBytes > 0) this.#reader.push(this.input.takeAll());
      if (this.#peerEnded || this.state === 'closed') this.#reader.end();
    }
    return this.#reader;
  }
}
