// RESP2, the Redis serialisation protocol: an encoder that appends to a ByteBuffer, a
// command decoder for servers (multibulk and inline commands, Redis's limits and error
// texts) and a reply decoder for clients (any RESP2 value, nested arrays included).
//
// Decoding is streaming: each decoder reads from a connection's input ByteBuffer, takes
// exactly the bytes of one complete message, and leaves a partial message untouched (it may
// be split at any byte). A decoder keeps the progress of a partial message between calls
// (a large command arriving in many reads is scanned once), so one decoder serves one
// stream. Malformed input or a broken limit throws RespProtocolError, whose message is
// Redis's own text ("Protocol error: invalid bulk length"); the stream is unusable after it.
//
// Threading and lifetime: plain single-threaded objects owned by one connection. The
// command decoder hands out arguments as offsets into a byte array (no copy); they stay
// valid until the next call on the decoder or the next append to the input buffer.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
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

const CR = 13;
const LF = 10;

// Buffer's own latin1 slice/write skip toString()/write()'s argument and encoding dispatch
// (measurable per key and value); the public methods stand in where a runtime lacks them.
interface Latin1Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
}
const FAST_LATIN1 =
  typeof (Buffer.prototype as unknown as Partial<Latin1Buffer>).latin1Slice === 'function' &&
  typeof (Buffer.prototype as unknown as Partial<Latin1Buffer>).latin1Write === 'function';

function latin1Slice(b: Buffer, start: number, end: number): string {
  return FAST_LATIN1 ? (b as unknown as Latin1Buffer).latin1Slice(start, end) : b.toString('latin1', start, end);
}

function latin1Write(b: Buffer, s: string, offset: number, length: number): number {
  return FAST_LATIN1 ? (b as unknown as Latin1Buffer).latin1Write(s, offset, length) : b.write(s, offset, length, 'latin1');
}

function fail(code: string, message: string): never {
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

// --- encoding ----------------------------------------------------------------------------

/** Writes the decimal digits of a safe integer into `out` at its writer index. */
function putInt(out: ByteBuffer, n: number): void {
  out.ensureWritable(21);
  const s = out.storage;
  let w = out.writerIndex;
  const start = w;
  if (n < 0) {
    s[w++] = 45;
    n = -n;
  }
  if (n < 10) s[w++] = 48 + n;
  else {
    let digits = 0;
    for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
    w += digits;
    for (let i = w - 1; n >= 1; i--) {
      s[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
  }
  out.hasWritten(w - start);
}

function putLine(out: ByteBuffer, type: number, n: number): void {
  out.ensureWritable(24);
  out.storage[out.writerIndex] = type;
  out.hasWritten(1);
  putInt(out, n);
  putCRLF(out);
}

function putCRLF(out: ByteBuffer): void {
  out.ensureWritable(2);
  const w = out.writerIndex;
  const s = out.storage;
  s[w] = CR;
  s[w + 1] = LF;
  out.hasWritten(2);
}

/** Appends `+s\r\n`. `s` must hold no CR or LF (not checked: it is the caller's constant). */
export function writeSimpleString(out: ByteBuffer, s: string): void {
  out.appendUInt8(43);
  out.append(s, 'latin1');
  putCRLF(out);
}

/** Appends `-message\r\n`; CR and LF in `message` become spaces (Redis does the same). */
export function writeError(out: ByteBuffer, message: string): void {
  out.appendUInt8(45);
  out.append(/[\r\n]/.test(message) ? message.replace(/[\r\n]/g, ' ') : message);
  putCRLF(out);
}

/** Appends `:n\r\n` (n a safe integer or a bigint within int64). */
export function writeInteger(out: ByteBuffer, n: number | bigint): void {
  if (typeof n === 'bigint' || !Number.isSafeInteger(n)) {
    out.append(`:${typeof n === 'bigint' ? n.toString() : Math.trunc(n).toFixed(0)}\r\n`, 'latin1');
  } else putLine(out, 58, n);
}

/** Appends a bulk string `$len\r\n...\r\n` (a string is encoded as UTF-8). */
export function writeBulkString(out: ByteBuffer, data: Uint8Array | string): void {
  if (typeof data === 'string') {
    putLine(out, 36, Buffer.byteLength(data));
    out.append(data);
  } else {
    putLine(out, 36, data.length);
    out.append(data);
  }
  putCRLF(out);
}

/** Appends a binary-safe string (one char per byte, latin1: see argLatin1) as a bulk string. */
export function writeBulkLatin1(out: ByteBuffer, s: string): void {
  const len = s.length;
  out.ensureWritable(len + 26); // "$" + up to 21 digits + CRLF + s + CRLF: one capacity check
  // ByteBuffer's storage is a Buffer (Buffer.alloc), which has the latin1 encoder.
  const st = out.storage as Buffer;
  const start = out.writerIndex;
  st[start] = 36;
  let w = putDigits(st, start + 1, len);
  st[w++] = CR;
  st[w++] = LF;
  w += latin1Write(st, s, w, len);
  st[w++] = CR;
  st[w++] = LF;
  out.hasWritten(w - start);
}

/** Writes the decimal digits of a non-negative safe integer at s[w]; returns the index after them. */
function putDigits(s: Uint8Array, w: number, n: number): number {
  if (n < 10) {
    s[w] = 48 + n;
    return w + 1;
  }
  let digits = 0;
  for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
  for (let i = w + digits - 1; n >= 1; i--) {
    s[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return w + digits;
}

/** Appends bytes[start, end) as a bulk string, without a temporary view. */
export function writeBulkBytes(out: ByteBuffer, bytes: Uint8Array, start: number, end: number): void {
  const len = end - start;
  putLine(out, 36, len);
  out.ensureWritable(len + 2);
  out.storage.set(len === bytes.length ? bytes : bytes.subarray(start, end), out.writerIndex);
  out.hasWritten(len);
  putCRLF(out);
}

/** Appends the null bulk string `$-1\r\n`. */
export function writeNull(out: ByteBuffer): void {
  out.append('$-1\r\n', 'latin1');
}

/** Appends the null array `*-1\r\n`. */
export function writeNullArray(out: ByteBuffer): void {
  out.append('*-1\r\n', 'latin1');
}

/** Appends an array header `*n\r\n`; the caller then writes its n elements. */
export function writeArrayHeader(out: ByteBuffer, n: number): void {
  putLine(out, 42, n);
}

/** Appends any RESP value (strings become bulk strings; use writeSimpleString for `+`). */
export function writeValue(out: ByteBuffer, v: RespValue | bigint | undefined): void {
  if (v === null || v === undefined) writeNull(out);
  else if (typeof v === 'string' || v instanceof Uint8Array) writeBulkString(out, v);
  else if (typeof v === 'number' || typeof v === 'bigint') writeInteger(out, v);
  else if (v instanceof RespErrorReply) writeError(out, v.message);
  else {
    writeArrayHeader(out, v.length);
    for (const e of v) writeValue(out, e);
  }
}

/** Appends a command as a multibulk array of bulk strings (numbers in decimal). */
export function writeCommand(out: ByteBuffer, args: ReadonlyArray<string | Uint8Array | number>): void {
  writeArrayHeader(out, args.length);
  for (const a of args) writeBulkString(out, typeof a === 'number' ? String(a) : a);
}

/** Encodes a command into a new Buffer (convenience for clients and tests). */
export function encodeCommand(args: ReadonlyArray<string | Uint8Array | number>): Buffer {
  let size = 16;
  for (const a of args) size += 16 + (typeof a === 'string' ? Buffer.byteLength(a) : typeof a === 'number' ? 24 : a.length);
  const out = Buffer.allocUnsafe(size);
  let w = out.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const a of args) {
    const s = typeof a === 'number' ? String(a) : a;
    const len = typeof s === 'string' ? Buffer.byteLength(s) : s.length;
    w += out.write(`$${len}\r\n`, w, 'latin1');
    w += typeof s === 'string' ? out.write(s, w) : (out.set(s, w), len);
    out[w++] = CR;
    out[w++] = LF;
  }
  return out.subarray(0, w);
}

// --- decoding commands (server side) ------------------------------------------------------

/**
 * Server-side decoder: one command at a time from a connection's input, multibulk
 * (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) or inline (`GET k\r\n`, quotes as in redis-cli).
 *
 *   let argc;
 *   while ((argc = dec.decode(input)) > 0) handle(dec);   // dec.argBuffer / argOffset / argLength
 *
 * Empty commands (`*0`, a blank line) are skipped, as Redis does.
 */
export class RespCommandDecoder {
  /** Number of arguments of the last decoded command. */
  argc = 0;
  /** The bytes the last command's arguments live in (the input's storage, or a private copy for inline). */
  argBuffer: Uint8Array = new Uint8Array(0);
  /** True if the last command was inline. */
  inline = false;
  readonly #maxBulk: number;
  readonly #maxCount: number;
  readonly #maxInline: number;
  #offsets = new Int32Array(16);
  #lengths = new Int32Array(16);
  // Progress of a partial multibulk command, relative to the input's reader index.
  #expected = -1; // arguments announced by '*', -1 before the header
  #parsed = 0;
  #pos = 0;
  #bulkLen = -1; // length announced by the current '$' header, -1 before it
  #inlineBuf: Buffer = Buffer.alloc(0);

  constructor(limits: RespLimits = {}) {
    this.#maxBulk = limits.maxBulkLength ?? RESP_DEFAULT_LIMITS.maxBulkLength;
    this.#maxCount = limits.maxMultibulkLength ?? RESP_DEFAULT_LIMITS.maxMultibulkLength;
    this.#maxInline = limits.maxInlineLength ?? RESP_DEFAULT_LIMITS.maxInlineLength;
  }

  /** Offset of argument i in argBuffer. */
  argOffset(i: number): number {
    return this.#offsets[i]!;
  }
  /** Length in bytes of argument i. */
  argLength(i: number): number {
    return this.#lengths[i]!;
  }
  /** Argument i as a new Buffer (a copy the caller owns). */
  arg(i: number): Buffer {
    const o = this.#offsets[i]!;
    return Buffer.from(this.argBuffer.subarray(o, o + this.#lengths[i]!));
  }
  /** Argument i decoded as a string. */
  argString(i: number, encoding: BufferEncoding = 'utf8'): string {
    const o = this.#offsets[i]!;
    return this.#argBytes().toString(encoding, o, o + this.#lengths[i]!);
  }
  /** Argument i as a binary-safe string, one char per byte (latin1): a cheap map key. */
  argLatin1(i: number): string {
    const o = this.#offsets[i]!;
    return latin1Slice(this.#argBytes(), o, o + this.#lengths[i]!);
  }
  /** argBuffer as a Buffer (the same memory; the view is cached per storage array). */
  #argBytes(): Buffer {
    const b = this.argBuffer;
    if (b !== this.#viewOf) {
      this.#viewOf = b;
      this.#view = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
    }
    return this.#view;
  }
  #viewOf: Uint8Array | null = null;
  #view: Buffer = Buffer.alloc(0);
  /** Every argument as a new Buffer. */
  args(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < this.argc; i++) out.push(this.arg(i));
    return out;
  }
  /** True if argument i equals `lower` ignoring ASCII case (`lower` must be lower-case ASCII). */
  argIs(i: number, lower: string): boolean {
    const len = this.#lengths[i]!;
    if (len !== lower.length) return false;
    const b = this.argBuffer;
    const o = this.#offsets[i]!;
    for (let k = 0; k < len; k++) if ((b[o + k]! | 0x20) !== lower.charCodeAt(k)) return false;
    return true;
  }
  /** Argument i as a canonical integer (see parseRespInteger), NaN if it is not one. */
  argInteger(i: number): number {
    const o = this.#offsets[i]!;
    return parseRespInteger(this.argBuffer, o, o + this.#lengths[i]!);
  }

  /**
   * Decodes the next complete command and retrieves its bytes from `input`. Returns its
   * argument count (> 0), or 0 if `input` holds no complete command yet (its progress is
   * kept). Throws RespProtocolError on malformed input or a broken limit.
   */
  decode(input: ByteBuffer): number {
    for (;;) {
      const readable = input.readableBytes;
      if (readable === 0) return 0;
      if (this.#expected < 0 && input.storage[input.readerIndex] !== 42) {
        const n = this.#decodeInline(input);
        if (n !== -1) return n;
        continue; // a blank line was skipped
      }
      const n = this.#decodeMultibulk(input);
      if (n !== -1) return n;
    }
  }

  /** Returns argc, 0 if incomplete, -1 if an empty command was skipped. */
  #decodeMultibulk(input: ByteBuffer): number {
    const s = input.storage;
    const r = input.readerIndex;
    const end = input.writerIndex;
    if (this.#expected < 0) {
      const eol = lineEnd(s, r + 1, end);
      if (eol < 0) {
        if (end - r > this.#maxInline) fail('ERR_CODEC_RESP_INLINE_TOO_BIG', 'too big mbulk count string');
        return 0;
      }
      const n = parseRespInteger(s, r + 1, eol);
      if (!(n <= this.#maxCount)) fail('ERR_CODEC_RESP_MULTIBULK_LENGTH', 'invalid multibulk length');
      if (n <= 0) {
        input.retrieve(eol + 2 - r);
        return -1;
      }
      this.#expected = n;
      this.#parsed = 0;
      this.#pos = eol + 2 - r;
      this.#bulkLen = -1;
      if (this.#offsets.length < n) {
        const size = Math.max(n, this.#offsets.length * 2);
        this.#offsets = new Int32Array(size);
        this.#lengths = new Int32Array(size);
      }
    }
    while (this.#parsed < this.#expected) {
      let p = r + this.#pos;
      if (this.#bulkLen < 0) {
        if (p >= end) return 0;
        if (s[p] !== 36) fail('ERR_CODEC_RESP_SYNTAX', `expected '$', got '${String.fromCharCode(s[p]!)}'`);
        const eol = lineEnd(s, p + 1, end);
        if (eol < 0) {
          if (end - p > this.#maxInline) fail('ERR_CODEC_RESP_INLINE_TOO_BIG', 'too big bulk count string');
          return 0;
        }
        const len = parseRespInteger(s, p + 1, eol);
        if (!(len >= 0 && len <= this.#maxBulk)) fail('ERR_CODEC_RESP_BULK_LENGTH', 'invalid bulk length');
        this.#bulkLen = len;
        p = eol + 2;
        this.#pos = p - r;
      }
      const len = this.#bulkLen;
      if (end - p < len + 2) return 0;
      if (s[p + len] !== CR || s[p + len + 1] !== LF) fail('ERR_CODEC_RESP_SYNTAX', 'expected CRLF after bulk string');
      this.#offsets[this.#parsed] = p - r; // relative until the command is complete
      this.#lengths[this.#parsed++] = len;
      this.#bulkLen = -1;
      this.#pos = p + len + 2 - r;
    }
    const argc = this.#expected;
    for (let i = 0; i < argc; i++) this.#offsets[i]! += r;
    this.#expected = -1;
    this.argc = argc;
    this.argBuffer = s;
    this.inline = false;
    input.retrieve(this.#pos); // moves indices only: the argument bytes stay where they are
    return argc;
  }

  /** Returns argc, 0 if incomplete, -1 if a blank line was skipped. */
  #decodeInline(input: ByteBuffer): number {
    const s = input.storage;
    const r = input.readerIndex;
    const nl = input.indexOf(LF);
    if (nl < 0) {
      if (input.readableBytes > this.#maxInline) fail('ERR_CODEC_RESP_INLINE_TOO_BIG', 'too big inline request');
      return 0;
    }
    let end = r + nl;
    if (end > r && s[end - 1] === CR) end--;
    const argc = this.#splitArgs(s, r, end);
    input.retrieve(nl + 1);
    if (argc === 0) return -1;
    this.argc = argc;
    this.argBuffer = this.#inlineBuf;
    this.inline = true;
    return argc;
  }

  /** Redis's sdssplitargs: blanks separate, "..." with \n \r \t \b \a \xHH escapes, '...' with \'. */
  #splitArgs(s: Uint8Array, start: number, end: number): number {
    if (this.#inlineBuf.length < end - start) this.#inlineBuf = Buffer.alloc(Math.max(end - start, 256));
    const out = this.#inlineBuf;
    let w = 0;
    let argc = 0;
    let p = start;
    for (;;) {
      while (p < end && isSpace(s[p]!)) p++;
      if (p >= end) return argc;
      const argStart = w;
      let quote = 0; // 0, or the quote character we are inside
      for (;;) {
        if (p >= end) {
          if (quote !== 0) fail('ERR_CODEC_RESP_SYNTAX', 'unbalanced quotes in request');
          break;
        }
        const c = s[p]!;
        if (quote === 34) {
          if (c === 92 && p + 3 < end && s[p + 1] === 120 && isHex(s[p + 2]!) && isHex(s[p + 3]!)) {
            out[w++] = (hexValue(s[p + 2]!) << 4) | hexValue(s[p + 3]!);
            p += 3;
          } else if (c === 92 && p + 1 < end) {
            const e = s[++p]!;
            out[w++] = e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e;
          } else if (c === 34) {
            if (p + 1 < end && !isSpace(s[p + 1]!)) fail('ERR_CODEC_RESP_SYNTAX', 'unbalanced quotes in request');
            p++;
            break;
          } else out[w++] = c;
        } else if (quote === 39) {
          if (c === 92 && p + 1 < end && s[p + 1] === 39) {
            out[w++] = 39;
            p++;
          } else if (c === 39) {
            if (p + 1 < end && !isSpace(s[p + 1]!)) fail('ERR_CODEC_RESP_SYNTAX', 'unbalanced quotes in request');
            p++;
            break;
          } else out[w++] = c;
        } else if (isSpace(c)) break;
        else if (c === 34 || c === 39) quote = c;
        else out[w++] = c;
        p++;
      }
      if (argc === this.#offsets.length) this.#growArgs();
      this.#offsets[argc] = argStart;
      this.#lengths[argc++] = w - argStart;
    }
  }

  #growArgs(): void {
    const offsets = new Int32Array(this.#offsets.length * 2);
    const lengths = new Int32Array(this.#lengths.length * 2);
    offsets.set(this.#offsets);
    lengths.set(this.#lengths);
    this.#offsets = offsets;
    this.#lengths = lengths;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}
function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}

/** Index of the '\r' of the first "\r\n" in s[from, end), or -1. */
function lineEnd(s: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end - 1; i++) if (s[i] === CR && s[i + 1] === LF) return i;
  return -1;
}

// --- decoding replies (client side) -------------------------------------------------------

/** Options of RespReplyDecoder. */
export interface RespReplyDecoderOptions extends RespLimits {
  /** Decode bulk strings as UTF-8 strings instead of Buffers. Default false. */
  bulkAsString?: boolean;
}

const INCOMPLETE: unique symbol = Symbol('incomplete');

/**
 * Client-side decoder: any RESP2 value, one complete reply per call.
 *
 *   let v;
 *   while ((v = dec.decode(input)) !== undefined) onReply(v);
 *
 * A reply split at any byte waits for the rest; a large bulk string is not rescanned
 * while it arrives (the decoder remembers how many bytes it still needs).
 */
export class RespReplyDecoder {
  readonly #maxBulk: number;
  readonly #maxCount: number;
  readonly #maxInline: number;
  readonly #maxDepth: number;
  readonly #bulkAsString: boolean;
  #need = 0; // readable bytes needed before a retry can complete the pending reply
  #pos = 0; // absolute cursor while parsing

  constructor(options: RespReplyDecoderOptions = {}) {
    this.#maxBulk = options.maxBulkLength ?? RESP_DEFAULT_LIMITS.maxBulkLength;
    this.#maxCount = options.maxMultibulkLength ?? RESP_DEFAULT_LIMITS.maxMultibulkLength;
    this.#maxInline = options.maxInlineLength ?? RESP_DEFAULT_LIMITS.maxInlineLength;
    this.#maxDepth = options.maxDepth ?? RESP_DEFAULT_LIMITS.maxDepth;
    this.#bulkAsString = options.bulkAsString ?? false;
  }

  /**
   * Decodes the next complete reply and retrieves its bytes from `input`; undefined if
   * `input` holds no complete reply yet. Throws RespProtocolError on malformed input.
   */
  decode(input: ByteBuffer): RespValue | undefined {
    const readable = input.readableBytes;
    if (readable === 0 || readable < this.#need) return undefined;
    const r = input.readerIndex;
    this.#pos = r;
    const v = this.#value(input.storage, input.writerIndex, 0);
    if (v === INCOMPLETE) return undefined;
    this.#need = 0;
    input.retrieve(this.#pos - r);
    return v;
  }

  #incomplete(upTo: number, r0: number): typeof INCOMPLETE {
    this.#need = Math.max(this.#need, upTo - r0);
    return INCOMPLETE;
  }

  #value(s: Uint8Array, end: number, depth: number): RespValue | typeof INCOMPLETE {
    const start = this.#pos;
    const r0 = depth === 0 ? start : this.#root;
    if (depth === 0) this.#root = start;
    if (start >= end) return this.#incomplete(start + 1, r0);
    const type = s[start]!;
    const eol = lineEnd(s, start + 1, end);
    if (eol < 0) {
      if (end - start > this.#maxInline) fail('ERR_CODEC_RESP_INLINE_TOO_BIG', 'too big reply line');
      this.#need = 0; // lines are short: rescan them
      return INCOMPLETE;
    }
    this.#pos = eol + 2;
    switch (type) {
      case 43: // '+'
        return Buffer.from(s.buffer, s.byteOffset + start + 1, eol - start - 1).toString('utf8');
      case 45: // '-'
        return new RespErrorReply(Buffer.from(s.buffer, s.byteOffset + start + 1, eol - start - 1).toString('utf8'));
      case 58: {
        // ':'
        const n = parseRespInteger(s, start + 1, eol);
        if (Number.isNaN(n)) {
          const text = Buffer.from(s.buffer, s.byteOffset + start + 1, eol - start - 1).toString('latin1');
          if (!/^-?[0-9]{1,19}$/.test(text)) fail('ERR_CODEC_RESP_SYNTAX', 'invalid integer reply');
          return Number(text); // beyond 2^53: the nearest double
        }
        return n;
      }
      case 36: {
        // '$'
        const len = parseRespInteger(s, start + 1, eol);
        if (len === -1) return null;
        if (!(len >= 0 && len <= this.#maxBulk)) fail('ERR_CODEC_RESP_BULK_LENGTH', 'invalid bulk length');
        const p = eol + 2;
        if (end - p < len + 2) return this.#incomplete(p + len + 2, r0);
        if (s[p + len] !== CR || s[p + len + 1] !== LF) fail('ERR_CODEC_RESP_SYNTAX', 'expected CRLF after bulk string');
        this.#pos = p + len + 2;
        const view = Buffer.from(s.buffer, s.byteOffset + p, len);
        return this.#bulkAsString ? view.toString('utf8') : Buffer.from(view);
      }
      case 42: {
        // '*'
        const n = parseRespInteger(s, start + 1, eol);
        if (n === -1) return null;
        if (!(n >= 0 && n <= this.#maxCount)) fail('ERR_CODEC_RESP_MULTIBULK_LENGTH', 'invalid multibulk length');
        if (depth >= this.#maxDepth) fail('ERR_CODEC_RESP_NESTING', 'reply nested too deeply');
        const arr: RespValue[] = new Array<RespValue>(n);
        for (let i = 0; i < n; i++) {
          const v = this.#value(s, end, depth + 1);
          if (v === INCOMPLETE) return INCOMPLETE;
          arr[i] = v;
        }
        return arr;
      }
      default:
        fail('ERR_CODEC_RESP_SYNTAX', `unexpected reply type '${String.fromCharCode(type)}'`);
    }
  }

  #root = 0;
}
