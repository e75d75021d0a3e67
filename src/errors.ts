// The one catalogue of coded errors thrown by the library (like undici's lib/core/errors.js).
//
// Every error the library raises for a state or protocol fault is a `ReactorError` with a
// stable `code` (`ERR_REACTOR_…`, `ERR_CODEC_…`): callers branch on `err.code`, never on the
// message. Failures of a system call stay `SystemError` (src/sys/errors.ts), which carries
// Node's own errno codes. This file imports nothing, so every layer may use it.

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
  constructor(readonly fd: number) {
    super('ERR_REACTOR_FD_REGISTERED', `fd ${fd} already has a channel in this loop`);
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
  constructor(readonly fd: number) {
    super('ERR_REACTOR_WRITE_AFTER_END', `write after end (fd ${fd})`);
  }
}

/**
 * `ERR_REACTOR_CONNECTION_CLOSED`: a write() promise on a connection that is closed, or that
 * closed before its bytes reached the kernel. `reason` is the CloseInfo reason when known.
 */
export class ConnectionClosedError extends ReactorError {
  constructor(
    readonly fd: number,
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

// --- codec errors (ERR_CODEC_…) -----------------------------------------------------------

// --- threads errors (ERR_REACTOR_POOL_…, ERR_REACTOR_WORK_…) ------------------------------
