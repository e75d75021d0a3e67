// TcpConnection: one established stream socket in one EventLoop — its state,
// reading, read back-pressure, interest and close (muduo's TcpConnection). The
// write side (output buffer, corking, high-water mark, half-close) is
// ConnectionOutput; timers are ConnectionTimers; promises and the async iterator
// are AwaitFace (the last two allocated on first use).
//
// Ownership: the connection owns its fd from construction and closes it exactly
// once (through loop.closeFd, so never inside a dispatch batch). Threading: only
// the loop's thread may call it. Callbacks run on that thread, inside a turn.
//
// Reading: LT reads once per event, ET until drained within the loop's byte and
// time budgets (the readv loop and its rules are readPath.ts). Batched turn: the
// loop pre-reads for us (kOnPreRead); the same rules apply. A callback's throw is
// contained by connectionErrors.ts.
//
// Interest: READ while reading is wanted (not paused, no FIN seen, not closing);
// WRITE only while output is pending, in both modes.
import { EAGAIN } from '../sys/constants.js';
import { SystemError } from '../sys/SystemError.js';
import { peerAddress, localAddress, socketError } from '../net/socket.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import { Interest, isError, isReadable, isReadClosed, isWritable } from '../poll/interest.js';
import { ByteBuffer } from '../buffer/ByteBuffer.js';
import { Channel, type PreReadHandler } from '../loop/Channel.js';
import type { EventLoop, ReadyListEntry } from '../loop/EventLoop.js';
import { kAddReady, kBufferPool, kOnEvent, kOnPreRead, kOnThrow, kReadCap, kServeReady } from '../loop/symbols.js';
import { ConnectionClosedError } from '../errors.js';
import { AwaitFace, chunkIterator } from './AwaitFace.js';
import type { ChunkReader } from './ChunkReader.js';
import { ConnectionOutput } from './ConnectionOutput.js';
import { ConnectionTimers } from './ConnectionTimers.js';
import { containConnectionThrow } from './connectionErrors.js';
import { overBudget, readSocket } from './readPath.js';
import { limitsFor, type ConnectionLimits } from './ConnectionLimits.js';
import { kChannel, kDrainedForClose, kIoFailed, kUpdateInterest, kWritten } from './hooks.js';
import type { CloseInfo, ConnectionCallbacks, ConnectionOptions, ConnectionState } from './types.js';

export type { CloseInfo, ConnectionCallbacks, ConnectionOptions, ConnectionState } from './types.js';

// The connection's boolean state, packed into one small integer (#flags): an
// idle connection is mostly its fields, so four booleans cost one field.
const PAUSED = 1; // pauseReading() in force
const PEER_ENDED = 2; // EOF read
const FIN_PENDING = 4; // the peer's FIN is queued behind the data (ET must read on to the 0)
const EDGE = 8; // the loop is edge-triggered

/** One connected stream socket: callbacks for input, send()/write() for output. */
export class TcpConnection implements PreReadHandler, ReadyListEntry {
  /** The connected socket (owned: closed when the connection closes). */
  readonly fd: number;
  /** The loop this connection lives on; touch it only from that loop's thread. */
  readonly loop: EventLoop;
  /** @internal The socket's channel in `loop`. */
  readonly [kChannel]: Channel;
  /** Unconsumed input; its storage is taken on first use and given back to the loop's pool when drained. */
  readonly input: ByteBuffer;
  /** Pending output (the write side appends here; read-only for users). */
  readonly output: ByteBuffer;
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
  /** loop.clockMs() read at the last read or write (not the turn's start), rounded up: never
   *  before the activity, so an idle close is never early; a Smi, not a boxed double. */
  lastActivity: number;

  readonly #limits: ConnectionLimits;
  #flags = 0;
  #timers: ConnectionTimers | null = null;
  #face: AwaitFace | null = null;
  readonly #out: ConnectionOutput;
  #remote: SocketAddress | undefined = undefined;
  #local: SocketAddress | undefined = undefined;

  // (#flags is read and set inline: V8 runs private accessors (get #x) through a runtime
  // call, ~15x dearer than the bit test, and these run several times per message.)

  constructor(loop: EventLoop, fd: number, callbacks: ConnectionCallbacks = {}, options: ConnectionOptions = {}) {
    this.loop = loop;
    this.fd = fd;
    this.callbacks = callbacks;
    this.input = new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, loop[kBufferPool]);
    this.#limits = limitsFor(options);
    this.#out = new ConnectionOutput(this, this.#limits);
    this.output = this.#out.buffer;
    if (loop.mode === 'et') this.#flags = EDGE;
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
    return this.output.readableBytes;
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
        this[kIoFailed](errno, 'poll');
        return;
      }
    }
    if (isReadClosed(events)) this.#flags |= FIN_PENDING;
    if (isReadable(events)) this.#handleRead();
    if (isWritable(events) && this.state !== 'closed') this.#out.handleWrite();
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
      this.input.append(arena.subarray(offset, offset + n));
      // The same rule as #handleRead: ET reads on after a full read (or to the queued FIN),
      // unless the turn is past its time budget: then it continues next turn.
      if ((this.#flags & EDGE) !== 0 && (n === this.loop[kReadCap] || (this.#flags & FIN_PENDING) !== 0)) {
        if (overBudget(this.loop)) {
          this.loop[kAddReady](this);
          this.#afterRead(n, false);
        } else this.#handleRead(n);
      } else this.#afterRead(n, false);
    } else if (n === 0) {
      this.#afterRead(0, true);
    } else if (n !== -EAGAIN) {
      this[kIoFailed](-n, 'read');
      return;
    }
    if (isWritable(events) && this.state !== 'closed') this.#out.handleWrite();
  }

  // --- reading ------------------------------------------------------------------------

  /** Read until the kernel has no more (ET) or once (LT); `total` bytes were read already. */
  #handleRead(total = 0): void {
    const r = readSocket(this.loop, this.fd, this.input, (this.#flags & EDGE) !== 0, (this.#flags & FIN_PENDING) !== 0, total, this);
    if (r.errno !== 0) this[kIoFailed](r.errno, 'read');
    else this.#afterRead(r.total, r.eof);
  }

  #afterRead(total: number, eof: boolean): void {
    if (total > 0) {
      const loop = this.loop;
      loop.stats.bytesRead += total;
      this.bytesRead += total;
      this.lastActivity = Math.ceil(loop.clockMs()); // not loop.now: the turn may be long under way
      this.#deliver();
    }
    if (eof && this.state !== 'closed') this.#onPeerEnd();
  }

  #deliver(): void {
    const onMessage = this.callbacks.onMessage;
    if (onMessage !== undefined) onMessage(this, this.input);
    else if (this.#face?.activeReader) this.#face.activeReader.push(this.input.takeAll());
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

  // --- writing (ConnectionOutput does the work) --------------------------------------

  /**
   * Queue `data` for the peer (copied: the caller may reuse its buffer at once): a string
   * (UTF-8) or the bytes of any typed array or DataView (`byteLength` bytes from `byteOffset`).
   * Returns false when pending output is at or above the high-water mark, as
   * node:net's write() does: a cue to pause the producer until onDrain.
   */
  send(data: ArrayBufferView | string): boolean {
    if (this.state === 'closed') return false;
    return this.#out.send(data);
  }

  /** send(), resolving once the bytes reached the kernel (rejects if the connection closes first). */
  write(data: ArrayBufferView | string): Promise<void> {
    this.send(data);
    if (this.state === 'closed') return Promise.reject(new ConnectionClosedError(this.fd));
    const target = this.#out.queuedTotal;
    if (this.bytesWritten >= target) return Promise.resolve();
    return (this.#face ??= new AwaitFace(this.fd)).waitWritten(target);
  }

  /** @internal ConnectionOutput: bytes reached the kernel. */
  [kWritten](): void {
    this.#face?.settleWritten(this.bytesWritten);
  }

  /** @internal ConnectionOutput: a graceful close has drained. */
  [kDrainedForClose](): void {
    this.#closeNow({ reason: (this.#flags & PEER_ENDED) !== 0 ? 'eof' : 'local' });
  }

  /** @internal A read or write failed: close this connection only. */
  [kIoFailed](errno: number, syscall: string): void {
    this.destroy(new SystemError(errno, syscall, `(fd ${this.fd})`));
  }

  // --- interest, back-pressure -----------------------------------------------------

  /** @internal */
  [kUpdateInterest](): void {
    this.#updateInterest();
  }

  #updateInterest(): void {
    if (this.state === 'closed') return;
    let interest = 0;
    if ((this.#flags & PAUSED) === 0 && (this.#flags & PEER_ENDED) === 0 && this.state !== 'closing') interest = Interest.READ;
    if (this.output.readableBytes > 0) interest |= Interest.WRITE;
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
    if (this.state === 'connected') this.#out.shutdown();
  }

  /**
   * Graceful close: stop reading, flush pending output, then close. If the output
   * has not drained within `deadlineMs` (default 5000), close anyway ('deadline').
   */
  close(deadlineMs = 5000): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.output.readableBytes === 0) {
      this.#closeNow({ reason: (this.#flags & PEER_ENDED) !== 0 ? 'eof' : 'local' });
      return;
    }
    this.state = 'closing';
    this.#updateInterest();
    (this.#timers ??= new ConnectionTimers(this, this.loop)).startDeadline(deadlineMs);
  }

  /** Close now, discarding pending output. */
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
    this.#out.discard();
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
      this.#limits.highWaterMark,
      () => this.pauseReading(),
      () => this.resumeReading(),
      () => (this.input.readableBytes > 0 ? this.input.takeAll() : null),
      (this.#flags & PEER_ENDED) !== 0 || this.state === 'closed',
    );
  }
}
