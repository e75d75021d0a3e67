// LineCodec: line framing — lines ended by LF or by CRLF — for a stream read into a ByteBuffer
// (text protocols: chat lines, SMTP/Redis-inline style commands).
//
// 'lf': a line ends at '\n'; a '\r' just before it is part of the terminator too (so CRLF
// input also works). 'crlf': a line ends at "\r\n" only; a bare '\n' is an ordinary byte.
// A line longer than `maxLineLength` (terminator excluded) throws CodecError
// ERR_CODEC_LINE_TOO_LONG — as soon as that many bytes are buffered without a terminator, so a
// peer that never ends its line costs bounded memory.
//
// State: the decoder remembers how far it has searched, so bytes arriving a few at a time are
// scanned once, not once per arrival. That makes an instance belong to one input buffer (one
// connection): nothing else may consume from that buffer between decode() calls.
// Lifetime of returned views: as LengthFieldCodec — until the next decode() or mutation of input.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { CodecError, rangeError } from '../errors.js';

/** Options of LineCodec. */
export interface LineOptions {
  /** Terminator: 'lf' (default; an optional '\r' before it is stripped) or 'crlf' (strict). */
  eol?: 'lf' | 'crlf';
  /** Longest line accepted, terminator excluded. Default 64 KiB. */
  maxLineLength?: number;
}

const LF = 10;
const CR = 13;

/** Line decoder and encoder over ByteBuffer; one decoder per input buffer. */
export class LineCodec {
  /** The terminator this codec splits on and writes. */
  readonly eol: 'lf' | 'crlf';
  /** Longest accepted line, terminator excluded. */
  readonly maxLineLength: number;
  /** Bytes of the current (incomplete) line already searched, from readerIndex. */
  #scanned = 0;

  constructor(options: LineOptions = {}) {
    this.eol = options.eol ?? 'lf';
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
    if (this.eol !== 'lf' && this.eol !== 'crlf') throw rangeError(`eol must be 'lf' or 'crlf'`);
    if (!Number.isInteger(this.maxLineLength) || this.maxLineLength < 0) {
      throw rangeError(`maxLineLength must be a non-negative integer, got ${String(this.maxLineLength)}`);
    }
  }

  /**
   * The next complete line without its terminator, consumed from `input`; null if no complete
   * line is buffered. Throws CodecError ERR_CODEC_LINE_TOO_LONG. The view is valid until the
   * next decode() or mutation of `input`.
   */
  decode(input: ByteBuffer): Uint8Array | null {
    const readable = input.readableBytes;
    let at: number;
    let termLength: number;
    if (this.eol === 'lf') {
      at = input.findEOL(Math.min(this.#scanned, readable));
      termLength = 1;
    } else {
      // A '\r' may have been the last byte searched: look again from it.
      at = input.findCRLF(Math.max(0, Math.min(this.#scanned, readable) - 1));
      termLength = 2;
    }
    if (at < 0) {
      this.#scanned = readable;
      // Without a terminator yet, the line already holds every byte bar a possible trailing '\r'.
      const partial = this.eol === 'crlf' || input.storage[input.writerIndex - 1] === CR ? readable - 1 : readable;
      if (partial > this.maxLineLength) this.#tooLong(partial);
      return null;
    }
    let end = at;
    if (this.eol === 'lf' && at > 0 && input.storage[input.readerIndex + at - 1] === CR) {
      end = at - 1;
      termLength = 2;
    }
    if (end > this.maxLineLength) this.#tooLong(end);
    const start = input.readerIndex;
    const line = input.storage.subarray(start, start + end);
    input.retrieve(end + termLength);
    this.#scanned = 0;
    return line;
  }

  /** decode(), as a string in `encoding` (default utf8). */
  decodeString(input: ByteBuffer, encoding: BufferEncoding = 'utf8'): string | null {
    const line = this.decode(input);
    return line === null ? null : Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString(encoding);
  }

  /** Appends `line` and the terminator. A line holding the terminator, or too long, is a CodecError. */
  encode(out: ByteBuffer, line: Uint8Array | string): void {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    if (bytes.length > this.maxLineLength) this.#tooLong(bytes.length);
    if (bytes.indexOf(LF) >= 0 && (this.eol === 'lf' || Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes('\r\n'))) {
      throw new CodecError('ERR_CODEC_VALUE_RANGE', 'a line cannot contain its own terminator');
    }
    out.append(bytes);
    out.append(this.eol === 'lf' ? '\n' : '\r\n', 'latin1');
  }

  #tooLong(length: number): never {
    this.#scanned = 0;
    throw new CodecError('ERR_CODEC_LINE_TOO_LONG', `line of ${length}+ bytes exceeds the maximum ${this.maxLineLength}`);
  }
}
