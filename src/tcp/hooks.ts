// Internal hooks of TcpConnection that its output side (ConnectionOutput) calls.
// Symbol-keyed, like src/loop/symbols.ts: not public API (src/index.ts does not
// export this file). Stateless; any thread.

/** A read or write system call failed with `errno`: close with reason 'error'. */
export const kIoFailed = Symbol('ioFailed');
/** Output reached the kernel up to conn.bytesWritten: settle write() promises. */
export const kWritten = Symbol('written');
/** Pending output changed between empty and non-empty: recompute the interest. */
export const kUpdateInterest = Symbol('updateInterest');
/** A graceful close's output has drained: close now. */
export const kDrainedForClose = Symbol('drainedForClose');
/** The connection's Channel (the output side reads the interest the kernel holds). */
export const kChannel = Symbol('channel');
