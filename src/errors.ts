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

// --- threads errors (ERR_REACTOR_POOL_…, ERR_REACTOR_WORK_…) ------------------------------
