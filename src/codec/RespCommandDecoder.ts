// RESP2 command decoding, the server side: one command at a time from a connection's input,
// multibulk or inline (Redis's sdssplitargs quoting), with Redis's limits and error texts.
// Arguments are offsets into the input's storage (no copy) — valid until the next call on the
// decoder or the next append to the input — and a partial command keeps its progress, so a
// large argument arriving in many reads is scanned once. One decoder per connection, on that
// connection's thread.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { CR, LF, RESP_DEFAULT_LIMITS, fail, latin1Slice, lineEnd, parseRespInteger, type RespLimits } from './resp-types.js';

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
