// The one catalogue of coded errors thrown by the library (like undici's lib/core/errors.js).
//
// Every error the library raises for a state or protocol fault is a `ReactorError` with a
// stable `code` (`ERR_REACTOR_…`, `ERR_CODEC_…`): callers branch on `err.code`, never on the
// message. Failures of a system call stay `SystemError` (src/sys/errors.ts), which carries
// Node's own errno codes. This file imports nothing, so every layer may use it.

/**
 * Every `code` the library's errors carry, with what it means. Branch on `err.code`; this
 * catalogue is for lookups and exhaustive switches (`ErrorCode` is its key type). Errors of a
 * failed system call are `SystemError`s with Node's errno codes (`EADDRINUSE`, `ECONNRESET`…).
 */
export const ErrorCodes = Object.freeze({
  // Arguments (Node's own codes; TypeError or RangeError).
  ERR_INVALID_ARG_TYPE: 'an argument (or option) has the wrong type, or a required one is missing',
  ERR_INVALID_ARG_VALUE: 'an argument has the right type but a value that is not allowed (an unknown option key, say)',
  ERR_OUT_OF_RANGE: 'a number outside its allowed range',
  // Installation (thrown by the import).
  ERR_EPOLL_REACTOR_PLATFORM: 'not Linux: epoll exists only there',
  ERR_EPOLL_REACTOR_NOT_BUILT: 'the native addon was not built or approved (npm rebuild epoll-reactor)',
  ERR_REACTOR_BENCH_TOOLS_MISSING: 'the bin\'s bench commands without their development tools (commander, cli-table3): the one-line message says what to install',
  // Loop, channels, timers.
  ERR_REACTOR_LOOP_CLOSED: 'run() on an EventLoop after close()',
  ERR_REACTOR_LOOP_RUNNING: 'run() on an EventLoop that is already running',
  ERR_REACTOR_FD_REGISTERED: 'a second Channel for an fd that already has one in this loop',
  ERR_REACTOR_ALREADY_WATCHED: 'Epoll.watch() (or Ring.watch()) on one that is already watched',
  ERR_REACTOR_TIMER_FOREIGN: 'a TimerNode armed in one loop scheduled in another',
  ERR_REACTOR_TIMER_REENTRANT: 'a timer wheel advanced from one of its own timer callbacks',
  ERR_REACTOR_NON_ERROR_THROWN: 'a callback threw something that is not an Error',
  ERR_REACTOR_URING_UNAVAILABLE: 'io_uring cannot be used here (old kernel, kernel.io_uring_disabled, a seccomp profile); the message names the cause',
  // Connections, servers, clients.
  ERR_REACTOR_WRITE_AFTER_END: 'send()/write() after close(), destroy() or shutdown() on that connection',
  ERR_REACTOR_CONNECTION_CLOSED: 'a write() promise whose connection closed before the bytes reached the kernel',
  ERR_REACTOR_CONCURRENT_READ: 'read() while another read() on the connection is pending',
  ERR_REACTOR_CLIENT_CLOSED: 'connect() on a TcpClient after close() or a failed connect',
  ERR_REACTOR_SERVER_LISTENING: 'listen() on a TcpServer that already listens',
  ERR_REACTOR_SERVER_NOT_LISTENING: 'server.address before listen()',
  // Threads.
  ERR_REACTOR_POOL_HANDLER_THREW: 'user code threw on a loop or work thread',
  ERR_REACTOR_POOL_THREAD_DIED: 'a loop or work thread ended without being asked to',
  ERR_REACTOR_POOL_START_FAILED: 'a thread could not start (handler module missing or invalid, listen failed)',
  ERR_REACTOR_POOL_CLOSED: 'the pool (or the target loop) is closing or closed',
  ERR_REACTOR_POOL_CLOSE_TIMEOUT: 'threads still running after the close deadline were terminated',
  ERR_REACTOR_WORK_QUEUE_FULL: 'a WorkPool submission found maxQueue jobs queued or running',
  ERR_REACTOR_WORK_FAILED: 'a work function threw',
  // Codecs.
  ERR_CODEC_FRAME_TOO_LARGE: 'a length field above the decoder\'s maximum',
  ERR_CODEC_BAD_LENGTH: 'a length field below the minimum',
  ERR_CODEC_LINE_TOO_LONG: 'no line terminator within the maximum line length',
  ERR_CODEC_READ_PAST_END: 'a packet reader asked for more bytes than the packet holds',
  ERR_CODEC_VALUE_RANGE: 'a packet writer was given a value that does not fit its field',
  ERR_CODEC_RESP_SYNTAX: 'RESP: malformed framing',
  ERR_CODEC_RESP_BULK_LENGTH: 'RESP: bulk length not an integer, negative, or too large',
  ERR_CODEC_RESP_MULTIBULK_LENGTH: 'RESP: element count not an integer or too large',
  ERR_CODEC_RESP_INLINE_TOO_BIG: 'RESP: an inline command or header line too long',
  ERR_CODEC_RESP_NESTING: 'RESP: reply arrays nested too deep',
} as const);

/** A code from ErrorCodes. */
export type ErrorCode = keyof typeof ErrorCodes;

/** Base class of every coded error the library throws. */
export class ReactorError extends Error {
  /** Stable, documented identifier: branch on this, not on `message`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

// --- argument errors (Node's codes) ----------------------------------------------------
//
// Thrown at a public boundary for a value of the wrong type (ERR_INVALID_ARG_TYPE), a right
// type with a value that is not allowed (ERR_INVALID_ARG_VALUE), or a number out of range
// (ERR_OUT_OF_RANGE) — a TypeError or RangeError with `code`, as node:net throws them. Here
// (not in src/sys/args.ts, which builds on them) so that codec may use them too.

/** A TypeError/RangeError carrying Node's `code` for argument errors. */
export interface ArgumentError extends Error {
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_OUT_OF_RANGE' | 'ERR_INVALID_ARG_VALUE';
}

function withCode<E extends Error>(err: E, code: ArgumentError['code']): E & ArgumentError {
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return err as E & ArgumentError;
}

/** A TypeError coded ERR_INVALID_ARG_TYPE with this message. */
export function argTypeError(message: string): TypeError & ArgumentError {
  return withCode(new TypeError(message), 'ERR_INVALID_ARG_TYPE');
}

/** A TypeError coded ERR_INVALID_ARG_VALUE with this message. */
export function argValueError(message: string): TypeError & ArgumentError {
  return withCode(new TypeError(message), 'ERR_INVALID_ARG_VALUE');
}

/** A RangeError coded ERR_OUT_OF_RANGE with this message. */
export function rangeError(message: string): RangeError & ArgumentError {
  return withCode(new RangeError(message), 'ERR_OUT_OF_RANGE');
}

// --- loop and tcp state errors (ERR_REACTOR_…) -------------------------------------------

/** `ERR_REACTOR_LOOP_CLOSED`: run() on an EventLoop after close(). */
export class LoopClosedError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_LOOP_CLOSED', 'event loop is closed');
  }
}

/** `ERR_REACTOR_LOOP_RUNNING`: run() on an EventLoop that is already running. */
export class LoopRunningError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_LOOP_RUNNING', 'event loop is already running');
  }
}

/** `ERR_REACTOR_FD_REGISTERED`: a second Channel for an fd that already has one in this loop. */
export class FdRegisteredError extends ReactorError {
  constructor(
    /** The fd that already has a Channel. */
    readonly fd: number,
  ) {
    super('ERR_REACTOR_FD_REGISTERED', `fd ${fd} already has a channel in this loop`);
  }
}

/** `ERR_REACTOR_ALREADY_WATCHED`: Epoll.watch() (or Ring.watch()) on one that is already watched. */
export class AlreadyWatchedError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_ALREADY_WATCHED', 'already watched; call unwatch() first');
  }
}

/** `ERR_REACTOR_TIMER_FOREIGN`: a TimerNode armed in one TimerWheel scheduled in another. */
export class TimerForeignError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_TIMER_FOREIGN', 'TimerNode is armed in another TimerWheel');
  }
}

/** `ERR_REACTOR_TIMER_REENTRANT`: TimerWheel.advance() called from one of its own timer callbacks. */
export class TimerReentrantError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_TIMER_REENTRANT', 'TimerWheel.advance() called from a timer callback');
  }
}

/** `ERR_REACTOR_WRITE_AFTER_END`: send()/write() after close() or shutdown() on that connection. */
export class WriteAfterEndError extends ReactorError {
  constructor(
    /** The connection's fd. */
    readonly fd: number,
  ) {
    super('ERR_REACTOR_WRITE_AFTER_END', `write after end (fd ${fd})`);
  }
}

/**
 * `ERR_REACTOR_CONNECTION_CLOSED`: a write() promise on a connection that is closed, or that
 * closed before its bytes reached the kernel. `reason` is the CloseInfo reason when known.
 */
export class ConnectionClosedError extends ReactorError {
  constructor(
    /** The connection's fd. */
    readonly fd: number,
    /** The CloseInfo reason of the close, when known. */
    readonly reason?: string,
  ) {
    super(
      'ERR_REACTOR_CONNECTION_CLOSED',
      reason === undefined ? `connection closed (fd ${fd})` : `connection closed (${reason}) before the data was written (fd ${fd})`,
    );
  }
}

/** `ERR_REACTOR_CONCURRENT_READ`: conn.read() while another read() on it is still pending. */
export class ConcurrentReadError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_CONCURRENT_READ', 'read() called while another read() is pending');
  }
}

/** `ERR_REACTOR_CLIENT_CLOSED`: connect() on a TcpClient after close() or a failed connect. */
export class ClientClosedError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_CLIENT_CLOSED', 'client is closed');
  }
}

/** `ERR_REACTOR_SERVER_LISTENING`: listen() on a TcpServer that already listens. */
export class ServerListeningError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_SERVER_LISTENING', 'server is already listening');
  }
}

/** `ERR_REACTOR_SERVER_NOT_LISTENING`: server.address before listen(). */
export class ServerNotListeningError extends ReactorError {
  constructor() {
    super('ERR_REACTOR_SERVER_NOT_LISTENING', 'server is not listening');
  }
}

/**
 * `ERR_REACTOR_URING_UNAVAILABLE`: io_uring cannot be used in this process. `errno` is what
 * io_uring_setup(2) answered (`ENOSYS`: a kernel without io_uring, or a seccomp profile that
 * answers ENOSYS; `EPERM`: `kernel.io_uring_disabled` is 2, or 1 without the group, or a seccomp
 * profile such as Docker's default; `ENOMEM`: the locked-memory limit on kernels before 5.12);
 * the message names the likely cause.
 */
export class UringUnavailableError extends ReactorError {
  constructor(
    /** errno name io_uring_setup returned, e.g. 'EPERM'. */
    readonly errno: string,
    cause: string,
  ) {
    super('ERR_REACTOR_URING_UNAVAILABLE', `io_uring is unavailable (io_uring_setup: ${errno}): ${cause}`);
  }
}

/**
 * `ERR_REACTOR_NON_ERROR_THROWN`: a callback threw something that is not an Error (a string,
 * say); the thrown value is `value` (and `cause`). Error callbacks always receive an Error.
 */
export class NonErrorThrownError extends ReactorError {
  constructor(
    /** The non-Error value the callback threw. */
    readonly value: unknown,
  ) {
    super('ERR_REACTOR_NON_ERROR_THROWN', `a callback threw a non-Error value: ${describe(value)}`, { cause: value });
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** What a callback threw, as an Error (itself if it is one, else a NonErrorThrownError). */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new NonErrorThrownError(thrown);
}

// --- codec errors (ERR_CODEC_…) -----------------------------------------------------------

/**
 * A codec met input it must refuse, or was asked to write a value that does not fit its field.
 * Codes (stable):
 *  - `ERR_CODEC_FRAME_TOO_LARGE`: a length field above the decoder's maximum. Raised as soon as
 *    the length field is read, before any room is made for the frame.
 *  - `ERR_CODEC_BAD_LENGTH`: a length field below the minimum (negative for a signed field, or
 *    smaller than the protocol's smallest frame).
 *  - `ERR_CODEC_LINE_TOO_LONG`: no line terminator within the maximum line length.
 *  - `ERR_CODEC_READ_PAST_END`: a packet reader asked for more bytes than the packet holds.
 *  - `ERR_CODEC_VALUE_RANGE`: a packet writer was given a number outside its field's range, or
 *    a string longer than its fixed-size field.
 * After a decoder throws, the stream is out of sync: close the connection (with the reason).
 */
export class CodecError extends ReactorError {}

// RESP2 (the RESP codec throws these as RespProtocolError, a ReactorError defined beside it in
// src/codec/resp-types.ts; the message is Redis's "Protocol error: …" text):
//   ERR_CODEC_RESP_SYNTAX            malformed framing (bad type byte, missing CRLF, unbalanced quotes)
//   ERR_CODEC_RESP_BULK_LENGTH       bulk length not an integer, negative, or over maxBulkLength
//   ERR_CODEC_RESP_MULTIBULK_LENGTH  element count not an integer or over maxMultibulkLength
//   ERR_CODEC_RESP_INLINE_TOO_BIG    an inline command or header line over maxInlineLength
//   ERR_CODEC_RESP_NESTING           reply arrays nested deeper than maxDepth

// --- threads errors (ERR_REACTOR_POOL_…, ERR_REACTOR_WORK_…) ------------------------------
//
// Errors raised by src/threads (LoopPool, LoopThread, WorkPool). Errors that happened on
// another thread carry that thread's stack in `remoteStack` (the local `stack` only shows
// where the report was received).

/** Where a threads error came from: a loop (index), a work thread, or the pool itself. */
export interface ThreadOrigin {
  /** 'loop' (a LoopThread), 'work' (a WorkPool thread) or 'pool' (the main thread). */
  kind: 'loop' | 'work' | 'pool';
  /** Index of the loop or work thread; -1 for the pool. */
  index: number;
}

/** Base of the threads errors: a coded error that may carry a stack from another thread. */
export class ThreadsError extends ReactorError {
  /** The stack of the original error, captured on the thread where it was thrown. */
  readonly remoteStack: string | undefined;
  /** Which thread reported it. */
  readonly origin: ThreadOrigin;

  constructor(code: string, message: string, origin: ThreadOrigin, remoteStack?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.origin = origin;
    this.remoteStack = remoteStack;
  }
}

/**
 * `ERR_REACTOR_POOL_HANDLER_THREW`: user code (a handler callback, a task posted to a loop, a
 * work function) threw or rejected on a worker thread. The affected connection, if any, was
 * closed (reason 'error'); everything else keeps running. `connectionId` names it (-1: none).
 */
export class HandlerThrewError extends ThreadsError {
  /** Global id of the connection that was closed because of it; -1 when none was. */
  readonly connectionId: number;
  /** The callback that threw: 'onMessage', 'onPost', a work function's name, ... */
  readonly where: string;

  constructor(origin: ThreadOrigin, where: string, connectionId: number, message: string, remoteStack?: string) {
    super('ERR_REACTOR_POOL_HANDLER_THREW', `${origin.kind} ${origin.index}: ${where} threw: ${message}`, origin, remoteStack);
    this.where = where;
    this.connectionId = connectionId;
  }
}

/**
 * `ERR_REACTOR_POOL_THREAD_DIED`: a loop or work thread ended without being asked to (an
 * uncaught exception outside any handler, process.exit() in a worker, out of memory). The
 * pool does not restart it: it closes the other threads and `LoopPool.done` rejects, so the
 * process can exit non-zero.
 */
export class ThreadDiedError extends ThreadsError {
  constructor(origin: ThreadOrigin, detail: string, remoteStack?: string) {
    super('ERR_REACTOR_POOL_THREAD_DIED', `${origin.kind} thread ${origin.index} died: ${detail}`, origin, remoteStack);
  }
}

/** `ERR_REACTOR_POOL_START_FAILED`: a thread could not start (handler module missing or invalid, listen failed). */
export class PoolStartError extends ThreadsError {
  constructor(origin: ThreadOrigin, message: string, remoteStack?: string) {
    super('ERR_REACTOR_POOL_START_FAILED', `${origin.kind} thread ${origin.index} failed to start: ${message}`, origin, remoteStack);
  }
}

/** `ERR_REACTOR_POOL_CLOSED`: the pool (or the target loop) is closing or closed. */
export class PoolClosedError extends ThreadsError {
  constructor(message: string, origin: ThreadOrigin = { kind: 'pool', index: -1 }) {
    super('ERR_REACTOR_POOL_CLOSED', message, origin);
  }
}

/** `ERR_REACTOR_POOL_CLOSE_TIMEOUT`: threads still running after the close deadline were terminated. */
export class PoolCloseTimeoutError extends ThreadsError {
  constructor(message: string) {
    super('ERR_REACTOR_POOL_CLOSE_TIMEOUT', message, { kind: 'pool', index: -1 });
  }
}

/**
 * `ERR_REACTOR_WORK_QUEUE_FULL`: a WorkPool submission found `maxQueue` jobs already queued
 * or running. Thrown synchronously by the submit call; nothing was queued. The caller decides
 * (reply "busy", pause that connection's reading, drop the request).
 */
export class WorkQueueFullError extends ThreadsError {
  constructor(maxQueue: number, origin: ThreadOrigin) {
    super('ERR_REACTOR_WORK_QUEUE_FULL', `work queue full (${maxQueue} jobs queued or running)`, origin);
  }
}

/** `ERR_REACTOR_WORK_FAILED`: a work function threw; the job's promise rejects with this. */
export class WorkFailedError extends ThreadsError {
  /** The work function's name. */
  readonly fn: string;

  constructor(fn: string, origin: ThreadOrigin, message: string, remoteStack?: string) {
    super('ERR_REACTOR_WORK_FAILED', `work function '${fn}' failed on work thread ${origin.index}: ${message}`, origin, remoteStack);
    this.fn = fn;
  }
}
