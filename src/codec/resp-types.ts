// RESP2's shared vocabulary: the protocol error and its codes, the decoders' limits (Redis's
// defaults), the value model of replies, canonical integer parsing, and the byte-level helpers
// the encoder and both decoders use. Plain functions and immutable data: any thread.
import { ReactorError } from '../errors.js';

/**
 * A RESP stream broke the protocol or a decoder limit. `code` is one of
 * ERR_CODEC_RESP_SYNTAX (malformed framing), ERR_CODEC_RESP_BULK_LENGTH (bad or too large
 * bulk length), ERR_CODEC_RESP_MULTIBULK_LENGTH (bad or too large element count),
 * ERR_CODEC_RESP_INLINE_TOO_BIG (a line longer than maxInlineLength without its end),
 * ERR_CODEC_RESP_NESTING (reply arrays nested deeper than maxDepth). `message` is the
 * text Redis sends for the same fault, so a server can answer `-ERR ${message}`.
 */
export class RespProtocolError extends ReactorError {}

/** Decoder limits; the defaults are Redis's. */
export interface RespLimits {
  /** Largest bulk string accepted (Redis proto-max-bulk-len). Default 512 MiB. */
  maxBulkLength?: number;
  /** Most elements in one array / arguments in one command. Default 1024 * 1024. */
  maxMultibulkLength?: number;
  /** Longest inline command or header line without its end (PROTO_INLINE_MAX_SIZE). Default 64 KiB. */
  maxInlineLength?: number;
  /** Deepest array nesting in a reply (reply decoder only). Default 64. */
  maxDepth?: number;
}

/** The default limits (Redis's). */
export const RESP_DEFAULT_LIMITS: Readonly<Required<RespLimits>> = Object.freeze({
  maxBulkLength: 512 * 1024 * 1024,
  maxMultibulkLength: 1024 * 1024,
  maxInlineLength: 64 * 1024,
  maxDepth: 64,
});

/** An error reply (`-ERR ...`) as a value: decoded replies carry it, never throw it. */
export class RespErrorReply {
  /** The whole error line without the '-', e.g. "ERR unknown command 'x'" or "WRONGTYPE ...". */
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
  /** The first word of the message: "ERR", "WRONGTYPE", "MOVED"... */
  get prefix(): string {
    const sp = this.message.indexOf(' ');
    return sp < 0 ? this.message : this.message.slice(0, sp);
  }
}

/**
 * A RESP2 value: simple string → string, integer → number, bulk string → Buffer (or string
 * with `bulkAsString`), null bulk / null array → null, error → RespErrorReply, array → array.
 */
export type RespValue = string | number | Buffer | null | RespErrorReply | RespValue[];

/** Carriage return and line feed. */
export const CR = 13;
export const LF = 10;

// Buffer's own latin1 slice/write skip toString()/write()'s argument and encoding dispatch
// (measurable per key and value); the public methods stand in where a runtime lacks them.
interface Latin1Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
}
const FAST_LATIN1 =
  typeof (Buffer.prototype as unknown as Partial<Latin1Buffer>).latin1Slice === 'function' &&
  typeof (Buffer.prototype as unknown as Partial<Latin1Buffer>).latin1Write === 'function';

/** b.toString('latin1', start, end) without the dispatch. */
export function latin1Slice(b: Buffer, start: number, end: number): string {
  return FAST_LATIN1 ? (b as unknown as Latin1Buffer).latin1Slice(start, end) : b.toString('latin1', start, end);
}

/** b.write(s, offset, length, 'latin1') without the dispatch. */
export function latin1Write(b: Buffer, s: string, offset: number, length: number): number {
  return FAST_LATIN1 ? (b as unknown as Latin1Buffer).latin1Write(s, offset, length) : b.write(s, offset, length, 'latin1');
}

/** Throws RespProtocolError(code, "Protocol error: " + message). */
export function fail(code: string, message: string): never {
  throw new RespProtocolError(code, `Protocol error: ${message}`);
}

/**
 * Parses bytes[start, end) as a canonical decimal integer (Redis's string2ll: optional '-',
 * no '+', no leading zeros, no spaces). NaN if it is not one or exceeds 2^53 - 1 in size.
 */
export function parseRespInteger(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  const negative = bytes[i] === 45; // '-'
  if (negative && ++i >= end) return NaN;
  if (end - i > 16) return NaN;
  let c = bytes[i]!;
  if (c === 48) return end - i === 1 && !negative ? 0 : NaN; // "0" only; "-0", "01" are not canonical
  let v = 0;
  for (; i < end; i++) {
    c = bytes[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return negative ? -v : v;
}

/** Index of the '\r' of the first "\r\n" in s[from, end), or -1. */
export function lineEnd(s: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end - 1; i++) if (s[i] === CR && s[i + 1] === LF) return i;
  return -1;
}
