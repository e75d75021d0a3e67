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

// RESP2 (src/codec/resp.ts throws these as RespProtocolError, a ReactorError defined beside
// its codec so that file stands alone; the message is Redis's "Protocol error: …" text):
//   ERR_CODEC_RESP_SYNTAX            malformed framing (bad type byte, missing CRLF, unbalanced quotes)
//   ERR_CODEC_RESP_BULK_LENGTH       bulk length not an integer, negative, or over maxBulkLength
//   ERR_CODEC_RESP_MULTIBULK_LENGTH  element count not an integer or over maxMultibulkLength
//   ERR_CODEC_RESP_INLINE_TOO_BIG    an inline command or header line over maxInlineLength
//   ERR_CODEC_RESP_NESTING           reply arrays nested deeper than maxDepth

// --- threads errors (ERR_REACTOR_POOL_…, ERR_REACTOR_WORK_…) ------------------------------
