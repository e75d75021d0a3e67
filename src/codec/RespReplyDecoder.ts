// RESP2 reply decoding, the client side: any value (nested arrays included), one complete
// reply per call; a reply split at any byte waits for the rest, and a large bulk string is not
// rescanned while it arrives. One decoder per connection, on that connection's thread.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { CR, LF, RESP_DEFAULT_LIMITS, RespErrorReply, fail, lineEnd, parseRespInteger, type RespLimits, type RespValue } from './resp-types.js';

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
