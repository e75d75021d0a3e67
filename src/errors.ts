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

// --- codec errors (ERR_CODEC_…) -----------------------------------------------------------

// --- threads errors (ERR_REACTOR_POOL_…, ERR_REACTOR_WORK_…) ------------------------------
