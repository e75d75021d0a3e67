// LengthFieldCodec: length-prefixed framing — `[length][payload]` — for a stream read into a
// ByteBuffer (Netty's LengthFieldBasedFrameDecoder, reduced to what binary protocols use).
//
// The length field is 4 bytes by default (2 for small-packet protocols), big- or little-endian
// as the caller says, unsigned or signed (a negative signed length is refused), and counts the
// payload only or, with `includesHeader`, the whole frame with its own field.
//
// Limits: a length above `maxFrameSize` (default and hard ceiling 32 MiB) or below
// `minFrameSize` throws a CodecError as soon as the field is read.
//
// Memory is bounded by bytes received, never by bytes announced: for an incomplete frame the
// decoder at most doubles the room after what has arrived (capped at the frame's end), so a
// peer that announces 32 MiB and sends 4 bytes costs 4 bytes' worth of buffer, and N idle peers
// cost N × what they sent. A large frame that does arrive grows the buffer by amortised
// doubling (each byte copied at most about twice in all). decode() hands out a view of the
// payload: no further copy.
//
// Lifetime: a view returned by decode() is valid until the next decode() or the next mutation
// of the input buffer (both may move the bytes). Copy it (Buffer.from) to keep it. A codec
// holds only its options, so one instance may serve every connection of a loop. No I/O.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { CodecError, rangeError } from '../errors.js';

/** Byte order of a multi-byte field. */
export type Endian = 'be' | 'le';

/** Hard ceiling of `maxFrameSize`: 32 MiB. */
export const MAX_FRAME_SIZE_CEILING = 32 * 1024 * 1024;

/** Options of LengthFieldCodec. */
export interface LengthFieldOptions {
  /** Byte order of the length field. Default 'be' (network order). */
  endian?: Endian;
  /** Size of the length field: 4 (default) or 2 bytes. */
  fieldSize?: 2 | 4;
  /** Read the field as a signed integer (a negative length is refused). Default false. */
  signed?: boolean;
  /** The length counts the whole frame, length field included. Default false (payload only). */
  includesHeader?: boolean;
  /** Largest length-field value accepted. Default and ceiling: 32 MiB. */
  maxFrameSize?: number;
  /** Smallest length-field value accepted. Default 0. */
  minFrameSize?: number;
}

/** Length-prefixed frame decoder and encoder over ByteBuffer. Stateless between calls. */
export class LengthFieldCodec {
  /** Byte order of the length field. */
  readonly endian: Endian;
  /** Size of the length field in bytes. */
  readonly fieldSize: 2 | 4;
  /** Whether the field is read as a signed integer. */
  readonly signed: boolean;
  /** Whether the length counts the length field itself. */
  readonly includesHeader: boolean;
  /** Largest accepted length-field value. */
  readonly maxFrameSize: number;
  /** Smallest accepted length-field value. */
  readonly minFrameSize: number;
  readonly #header = new Uint8Array(4);

  constructor(options: LengthFieldOptions = {}) {
    this.endian = options.endian ?? 'be';
    this.fieldSize = options.fieldSize ?? 4;
    this.signed = options.signed ?? false;
    this.includesHeader = options.includesHeader ?? false;
    if (this.endian !== 'be' && this.endian !== 'le') throw rangeError(`endian must be 'be' or 'le'`);
    if (this.fieldSize !== 2 && this.fieldSize !== 4) throw rangeError('fieldSize must be 2 or 4');
    const fieldMax = this.fieldSize === 2 ? (this.signed ? 0x7fff : 0xffff) : this.signed ? 0x7fffffff : 0xffffffff;
    this.maxFrameSize = options.maxFrameSize ?? Math.min(MAX_FRAME_SIZE_CEILING, fieldMax);
    this.minFrameSize = options.minFrameSize ?? (this.includesHeader ? this.fieldSize : 0);
    const max = this.maxFrameSize;
    const min = this.minFrameSize;
    if (!Number.isInteger(max) || max < 0 || max > MAX_FRAME_SIZE_CEILING || max > fieldMax) {
      throw rangeError(`maxFrameSize must be an integer in [0, ${Math.min(MAX_FRAME_SIZE_CEILING, fieldMax)}], got ${String(max)}`);
    }
    if (!Number.isInteger(min) || min < 0 || min > max || (this.includesHeader && min < this.fieldSize)) {
      throw rangeError(`minFrameSize must be an integer in [${this.includesHeader ? this.fieldSize : 0}, maxFrameSize], got ${String(min)}`);
    }
  }

  /**
   * The next complete frame's payload (the bytes after the length field), consumed from
   * `input`; null if the frame is not complete yet (nothing consumed). Throws CodecError
   * (ERR_CODEC_FRAME_TOO_LARGE, ERR_CODEC_BAD_LENGTH) on a length outside the limits, leaving
   * `input` as it was. The returned view is valid until the next decode() or mutation of `input`.
   */
  decode(input: ByteBuffer): Uint8Array | null {
    const readable = input.readableBytes;
    const f = this.fieldSize;
    if (readable < f) return null;
    const length = this.#readLength(input.storage, input.readerIndex);
    const frame = this.includesHeader ? length : f + length;
    if (readable < frame) {
      // Room for as much again as has arrived, never more than the frame still needs: doubling
      // paced by the bytes received, not by the length the peer announced.
      const room = Math.min(frame - readable, readable);
      if (input.writableBytes < room) input.ensureWritable(room);
      return null;
    }
    const start = input.readerIndex + f;
    const view = input.storage.subarray(start, input.readerIndex + frame);
    input.retrieve(frame);
    return view;
  }

  /** Appends `[length][payload]` to `out`. CodecError ERR_CODEC_FRAME_TOO_LARGE if it cannot be framed. */
  encode(out: ByteBuffer, payload: Uint8Array): void {
    this.#writeHeader(payload.length);
    out.append(this.#header.subarray(0, this.fieldSize));
    out.append(payload);
  }

  /**
   * Frames the readable bytes of `buf` in place: writes their length into the prependable area
   * just before them (no copy of the payload). `buf` needs fieldSize prependable bytes (a
   * ByteBuffer has 8 by default).
   */
  prependHeader(buf: ByteBuffer): void {
    this.#writeHeader(buf.readableBytes);
    buf.prepend(this.#header.subarray(0, this.fieldSize));
  }

  #writeHeader(payloadLength: number): void {
    const value = this.includesHeader ? payloadLength + this.fieldSize : payloadLength;
    if (value > this.maxFrameSize || value < this.minFrameSize) {
      throw new CodecError(
        value > this.maxFrameSize ? 'ERR_CODEC_FRAME_TOO_LARGE' : 'ERR_CODEC_BAD_LENGTH',
        `frame length ${value} outside [${this.minFrameSize}, ${this.maxFrameSize}]`,
      );
    }
    const h = this.#header;
    if (this.fieldSize === 2) {
      if (this.endian === 'be') (h[0] = value >>> 8), (h[1] = value & 0xff);
      else (h[0] = value & 0xff), (h[1] = value >>> 8);
    } else if (this.endian === 'be') {
      (h[0] = value >>> 24), (h[1] = (value >>> 16) & 0xff), (h[2] = (value >>> 8) & 0xff), (h[3] = value & 0xff);
    } else {
      (h[0] = value & 0xff), (h[1] = (value >>> 8) & 0xff), (h[2] = (value >>> 16) & 0xff), (h[3] = value >>> 24);
    }
  }

  /** Reads and checks the length field at `at`. */
  #readLength(b: Uint8Array, at: number): number {
    let v: number;
    if (this.fieldSize === 2) {
      v = this.endian === 'be' ? (b[at]! << 8) | b[at + 1]! : b[at]! | (b[at + 1]! << 8);
      if (this.signed) v = (v << 16) >> 16;
    } else {
      v = this.endian === 'be'
        ? (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!
        : b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
      if (!this.signed) v >>>= 0; // the shifts above produced an int32
    }
    if (v > this.maxFrameSize) {
      throw new CodecError('ERR_CODEC_FRAME_TOO_LARGE', `frame length ${v} exceeds the maximum ${this.maxFrameSize}`);
    }
    if (v < this.minFrameSize) {
      throw new CodecError('ERR_CODEC_BAD_LENGTH', `frame length ${v} is below the minimum ${this.minFrameSize}`);
    }
    return v;
  }
}
