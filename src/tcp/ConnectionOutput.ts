// ConnectionOutput: the write side of one TcpConnection — its output buffer,
// corking, the batched flush protocol, the high-water mark and the hard cap on
// pending output, and the half-close that waits for the output to drain.
//
// Corking: send() inside a turn only appends and corks; all sends made by one
// handler leave in one write() when it returns (batched turn: in one writeMany
// for every corked connection of the turn). Outside a turn, send() writes at
// once when nothing is pending. A short write means the socket buffer is full:
// the connection then asks for writability and waits.
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
// Ownership: belongs to one connection (which owns the fd). Threading: that
// connection's loop thread.
import { native } from '../sys/addon.js';
import { EAGAIN, EINTR, SHUT_WR } from '../sys/constants.js';
import { isWritable } from '../poll/interest.js';
import { ByteBuffer, asBytes } from '../buffer/ByteBuffer.js';
import type { Flushable } from '../loop/EventLoop.js';
import { kBufferPool, kCork, kCorkedBytes, kFinishCorked, kFlushCorked, kInTurn, kOnThrow, kStageCorked } from '../loop/symbols.js';
import { WriteAfterEndError } from '../errors.js';
import { kChannel, kDrainedForClose, kIoFailed, kUpdateInterest, kWritten } from './hooks.js';
import type { ConnectionLimits } from './ConnectionLimits.js';
import type { TcpConnection } from './TcpConnection.js';

/** A send() of at least this many bytes, with nothing pending, is written at once (see above). */
export const DIRECT_SEND = 8 * 1024;
// Boolean state packed into one small integer (#flags): one field instead of four.
const CORKED = 1; // in the loop's corked list, flushed when the handler returns
const ABOVE_HWM = 2; // crossed the high-water mark; onDrain when it empties
const SHUTDOWN_PENDING = 4; // shutdown() asked for, waiting for the output to drain
const WRITE_SHUT = 8; // shutdown(SHUT_WR) done

/** The output buffer of a connection and everything that writes it. */
export class ConnectionOutput implements Flushable {
  /** Pending output; its storage is taken on first use and given back to the loop's pool when drained. */
  readonly buffer: ByteBuffer;
  /** Bytes ever queued by send() (write() promises settle against bytesWritten). */
  queuedTotal = 0;
  readonly #conn: TcpConnection;
  readonly #limits: ConnectionLimits;
  #flags = 0;

  constructor(conn: TcpConnection, limits: ConnectionLimits) {
    this.#conn = conn;
    this.buffer = new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, conn.loop[kBufferPool]);
    this.#limits = limits;
  }

  /** The connection's fd. */
  get fd(): number {
    return this.#conn.fd;
  }

  // (#flags is read and set inline, not through private accessors: see TcpConnection.)

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.buffer.readableBytes;
  }

  /** TcpConnection.send() on an open connection: see there. */
  send(input: ArrayBufferView | string): boolean {
    const data = typeof input === 'string' ? input : asBytes(input); // any typed array or DataView, by bytes
    const conn = this.#conn;
    if ((this.#flags & (SHUTDOWN_PENDING | WRITE_SHUT)) !== 0 || conn.state === 'closing') throw new WriteAfterEndError(this.fd);
    const out = this.buffer;
    const loop = this.#conn.loop;
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.queuedTotal += len;
    if (out.readableBytes === 0 && typeof data !== 'string' && (!loop[kInTurn] || len >= DIRECT_SEND)) {
      // Nothing pending, and outside a turn or too big to be worth corking: write now, keep only the rest.
      const n = this.#writeRaw(data, 0, len);
      if (n === -2) return false; // the write failed and closed us
      if (n < len) {
        out.append(data.subarray(Math.max(n, 0)));
        conn[kUpdateInterest](); // ask for writability for the rest
      } else conn[kWritten]();
    } else {
      out.append(data);
      if ((this.#flags & CORKED) === 0 && loop[kInTurn]) {
        this.#flags |= CORKED;
        loop[kCork](this);
      } else if (!loop[kInTurn] && !isWritable(conn[kChannel].interest)) {
        // not waiting for writability (the mask the kernel holds has no EPOLLOUT): write now
        this.handleWrite();
      }
    }
    if (this.#closed()) return false;
    // No interest change for corked output: the flush when the handler returns
    // asks for writability only if the kernel does not take it all (the common
    // case then costs one write and no epoll_ctl).
    const pending = out.readableBytes;
    if (pending > this.#limits.maxOutput) {
      conn.destroy(undefined, 'overflow');
      return false;
    }
    if (pending >= this.#limits.highWaterMark) {
      if ((this.#flags & ABOVE_HWM) === 0) {
        this.#flags |= ABOVE_HWM;
        conn.callbacks.onHighWater?.(conn, pending);
      }
      return false;
    }
    return true;
  }

  /** Write what is pending until it is gone or the kernel's buffer is full. */
  handleWrite(): void {
    const out = this.buffer;
    while (out.readableBytes > 0) {
      const len = out.readableBytes;
      const n = this.#writeRaw(out.storage, out.readerIndex, len);
      if (n < 0) return; // closed by #writeRaw, or EAGAIN (-1)
      out.retrieve(n);
      if (n < len) break; // socket buffer full: wait for writability
    }
    this.#afterWrite();
  }

  /** Half-close: shutdown(SHUT_WR) once pending output has drained. */
  shutdown(): void {
    if ((this.#flags & (SHUTDOWN_PENDING | WRITE_SHUT)) !== 0) return;
    this.#flags |= SHUTDOWN_PENDING;
    if (this.buffer.readableBytes === 0) this.#shutdownWrite();
  }

  /** The connection closed: drop what is pending and give the storage back. */
  discard(): void {
    this.buffer.retrieveAll();
    this.buffer.release();
  }

  /** Whether shutdown() was asked for (done or pending). */
  get ended(): boolean {
    return (this.#flags & (SHUTDOWN_PENDING | WRITE_SHUT)) !== 0;
  }

  // --- the loop's flush protocol (Flushable) ------------------------------------------

  /** @internal Corked output: the handler that sent it has returned. */
  [kFlushCorked](): void {
    this.#flags &= ~CORKED;
    if (!this.#closed() && this.buffer.readableBytes > 0) this.handleWrite();
  }

  /** @internal Batched flush: how much to stage (all pending output; 0 once closed). */
  [kCorkedBytes](): number {
    return this.#closed() ? 0 : this.buffer.readableBytes;
  }

  /** @internal Batched flush: copy the first `length` pending bytes into the write arena. */
  [kStageCorked](arena: Uint8Array, offset: number, length: number): void {
    const out = this.buffer;
    arena.set(out.storage.subarray(out.readerIndex, out.readerIndex + length), offset);
  }

  /** @internal Batched flush: writeMany wrote `n` of the `length` staged bytes (or failed with -n). */
  [kFinishCorked](n: number, length: number): void {
    this.#flags &= ~CORKED;
    if (this.#closed()) return; // closed by an earlier callback of the same flush
    const stats = this.#conn.loop.stats;
    stats.writes++;
    stats.syscalls++;
    if (n >= 0) {
      this.#wrote(n);
      this.buffer.retrieve(n);
    } else if (n !== -EAGAIN) {
      this.#conn[kIoFailed](-n, 'write'); // EPIPE, ECONNRESET: this connection only
      return;
    }
    // All staged bytes went, but a callback queued more meanwhile: write it now.
    if (n === length && this.buffer.readableBytes > 0) this.handleWrite();
    else this.#afterWrite();
  }

  /** @internal A callback run by a flush (onDrain, onClose…) threw: the connection contains it. */
  [kOnThrow](err: unknown): void {
    this.#conn[kOnThrow](err);
  }

  // --- internals ----------------------------------------------------------------------

  /** After a write: settle promises, fire onDrain, finish a close or half-close, fix interest. */
  #afterWrite(): void {
    const out = this.buffer;
    const conn = this.#conn;
    if (this.#closed()) return;
    if (out.readableBytes === 0) {
      out.release(); // drained: the storage goes back to the loop's pool
      conn[kWritten]();
      if ((this.#flags & ABOVE_HWM) !== 0) {
        this.#flags &= ~ABOVE_HWM;
        conn.callbacks.onDrain?.(conn);
      }
      if (conn.state === 'closing') {
        conn[kDrainedForClose]();
        return;
      }
      if ((this.#flags & SHUTDOWN_PENDING) !== 0) this.#shutdownWrite();
    }
    conn[kUpdateInterest]();
  }

  /** One write(2). Returns bytes written, -1 on EAGAIN, -2 when an error closed the connection. */
  #writeRaw(buf: Uint8Array, offset: number, length: number): number {
    const stats = this.#conn.loop.stats;
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
      this.#conn[kIoFailed](-n, 'write'); // EPIPE, ECONNRESET: this connection only
      return -2;
    }
  }

  #wrote(n: number): void {
    const loop = this.#conn.loop;
    loop.stats.bytesWritten += n;
    this.#conn.bytesWritten += n;
    this.#conn.lastActivity = Math.ceil(loop.clockMs()); // not loop.now: see TcpConnection.lastActivity
  }

  #shutdownWrite(): void {
    this.#flags &= ~SHUTDOWN_PENDING;
    this.#flags |= WRITE_SHUT;
    native.shutdown(this.fd, SHUT_WR);
    this.#conn.loop.stats.syscalls++;
  }

  /** State check that TypeScript does not narrow away after calls that may close us. */
  #closed(): boolean {
    return this.#conn.state === 'closed';
  }
}
