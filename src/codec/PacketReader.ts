// PacketReader: reads a binary packet field by field — `r.getByte(); r.getInt32()` — the reading
// half of the C++ tutorials' `Packet` class, with an explicit byte order and a bounds check on
// every read: asking for more bytes than the packet holds is a CodecError
// (ERR_CODEC_READ_PAST_END), never a read of whatever follows in memory.
//
// Ownership: the reader views the caller's bytes (a frame from a decoder, usually a view into
// the connection's input buffer): it copies nothing except what getBytes/getFixedString return,
// and must not outlive the view it reads. reset() points it at the next packet without
// allocating a new reader. Single-threaded.
import { CodecError, rangeError } from '../errors.js';
import type { Endian } from './LengthFieldCodec.js';

/** Bounds-checked reader of fixed-layout binary fields. */
export class PacketReader {
  /** Byte order of multi-byte fields. */
  readonly endian: Endian;
  #bytes: Buffer;
  #pos = 0;

  constructor(bytes: Uint8Array, endian: Endian) {
    if (endian !== 'be' && endian !== 'le') throw rangeError(`endian must be 'be' or 'le'`);
    this.endian = endian;
    this.#bytes = asBuffer(bytes);
  }

  /** Reads `bytes` from its start from now on. */
  reset(bytes: Uint8Array): this {
    this.#bytes = asBuffer(bytes);
    this.#pos = 0;
    return this;
  }

  /** Offset of the next read. */
  get position(): number {
    return this.#pos;
  }
  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }
  /** Size of the packet. */
  get length(): number {
    return this.#bytes.length;
  }

  /** One byte as a C `char` on x86: signed, -128..127. */
  getByte(): number {
    return this.getInt8();
  }
  /** Signed 8-bit. */
  getInt8(): number {
    return this.#bytes.readInt8(this.#take(1));
  }
  /** Unsigned 8-bit. */
  getUInt8(): number {
    return this.#bytes[this.#take(1)]!;
  }
  /** Signed 16-bit. */
  getInt16(): number {
    const at = this.#take(2);
    return this.endian === 'le' ? this.#bytes.readInt16LE(at) : this.#bytes.readInt16BE(at);
  }
  /** Unsigned 16-bit. */
  getUInt16(): number {
    const at = this.#take(2);
    return this.endian === 'le' ? this.#bytes.readUInt16LE(at) : this.#bytes.readUInt16BE(at);
  }
  /** Signed 32-bit. */
  getInt32(): number {
    const at = this.#take(4);
    return this.endian === 'le' ? this.#bytes.readInt32LE(at) : this.#bytes.readInt32BE(at);
  }
  /** Unsigned 32-bit. */
  getUInt32(): number {
    const at = this.#take(4);
    return this.endian === 'le' ? this.#bytes.readUInt32LE(at) : this.#bytes.readUInt32BE(at);
  }
  /** Signed 64-bit. */
  getBigInt64(): bigint {
    const at = this.#take(8);
    return this.endian === 'le' ? this.#bytes.readBigInt64LE(at) : this.#bytes.readBigInt64BE(at);
  }
  /** Unsigned 64-bit. */
  getBigUInt64(): bigint {
    const at = this.#take(8);
    return this.endian === 'le' ? this.#bytes.readBigUInt64LE(at) : this.#bytes.readBigUInt64BE(at);
  }
  /** IEEE-754 double. */
  getFloat64(): number {
    const at = this.#take(8);
    return this.endian === 'le' ? this.#bytes.readDoubleLE(at) : this.#bytes.readDoubleBE(at);
  }
  /** A copy of the next n bytes. */
  getBytes(n: number): Buffer {
    const at = this.#take(n);
    return Buffer.from(this.#bytes.subarray(at, at + n));
  }
  /** Skips n bytes. */
  skip(n: number): this {
    this.#take(n);
    return this;
  }
  /**
   * A C `char[size]`: `size` bytes are consumed; the text is the UTF-8 before the first NUL
   * (all `size` bytes if there is none — a C writer may fill the field exactly).
   */
  getFixedString(size: number): string {
    const at = this.#take(size);
    const field = this.#bytes.subarray(at, at + size);
    const nul = field.indexOf(0);
    return field.toString('utf8', 0, nul < 0 ? size : nul);
  }

  /** Claims n bytes and returns their offset; throws if the packet has fewer left. */
  #take(n: number): number {
    if (!Number.isInteger(n) || n < 0) throw rangeError(`byte count must be a non-negative integer, got ${String(n)}`);
    const at = this.#pos;
    if (n > this.#bytes.length - at) {
      throw new CodecError(
        'ERR_CODEC_READ_PAST_END',
        `read of ${n} bytes at offset ${at} runs past the end of a ${this.#bytes.length}-byte packet`,
      );
    }
    this.#pos = at + n;
    return at;
  }
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
