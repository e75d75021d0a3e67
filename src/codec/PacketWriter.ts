// PacketWriter: builds a binary packet field by field into a ByteBuffer, with chained calls —
// `new PacketWriter(buf, 'le').putByte(op).putInt32(a).putInt32(b)` — like the `Packet`
// builder of C++ game-server tutorials, but with an explicit byte order and range checks:
// a value that does not fit its field is a CodecError (ERR_CODEC_VALUE_RANGE), never silently
// truncated. Fixed-size strings are UTF-8, NUL-padded, and always keep one NUL (a C reader's
// strlen stops inside the field).
//
// Ownership: the writer appends to the caller's ByteBuffer and keeps a count of what it wrote;
// it owns nothing. Single-threaded, like the buffer.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { CodecError, rangeError as outOfRangeError } from '../errors.js';
import type { Endian } from './LengthFieldCodec.js';

/** Chained writer of fixed-layout binary fields into a ByteBuffer. */
export class PacketWriter {
  /** The buffer written to. */
  readonly buffer: ByteBuffer;
  /** Byte order of multi-byte fields. */
  readonly endian: Endian;
  #written = 0;
  #storage: Uint8Array | null = null;
  #view: Buffer | null = null;

  constructor(buffer: ByteBuffer, endian: Endian) {
    if (endian !== 'be' && endian !== 'le') throw outOfRangeError(`endian must be 'be' or 'le'`);
    this.buffer = buffer;
    this.endian = endian;
  }

  /** Bytes written by this writer so far (the C++ Packet's build()). */
  get length(): number {
    return this.#written;
  }

  /** Same as `length`: the size of the packet built so far. */
  build(): number {
    return this.#written;
  }

  /** One byte, from a number in [-128, 255] (a C `char`, either signedness) or a 1-char string like '+'. */
  putByte(value: number | string): this {
    const v = typeof value === 'string' ? byteOf(value) : value;
    check(v, -128, 255, 'byte');
    this.#at(1)[this.buffer.writerIndex] = v & 0xff;
    return this.#advance(1);
  }
  /** Unsigned 8-bit. */
  putUInt8(value: number): this {
    check(value, 0, 0xff, 'uint8');
    return this.putByte(value);
  }
  /** Signed 8-bit. */
  putInt8(value: number): this {
    check(value, -0x80, 0x7f, 'int8');
    return this.putByte(value);
  }
  /** Signed 16-bit. */
  putInt16(value: number): this {
    check(value, -0x8000, 0x7fff, 'int16');
    const b = this.#at(2);
    if (this.endian === 'le') b.writeInt16LE(value, this.buffer.writerIndex);
    else b.writeInt16BE(value, this.buffer.writerIndex);
    return this.#advance(2);
  }
  /** Unsigned 16-bit. */
  putUInt16(value: number): this {
    check(value, 0, 0xffff, 'uint16');
    const b = this.#at(2);
    if (this.endian === 'le') b.writeUInt16LE(value, this.buffer.writerIndex);
    else b.writeUInt16BE(value, this.buffer.writerIndex);
    return this.#advance(2);
  }
  /** Signed 32-bit. */
  putInt32(value: number): this {
    check(value, -0x80000000, 0x7fffffff, 'int32');
    const b = this.#at(4);
    if (this.endian === 'le') b.writeInt32LE(value, this.buffer.writerIndex);
    else b.writeInt32BE(value, this.buffer.writerIndex);
    return this.#advance(4);
  }
  /** Unsigned 32-bit. */
  putUInt32(value: number): this {
    check(value, 0, 0xffffffff, 'uint32');
    const b = this.#at(4);
    if (this.endian === 'le') b.writeUInt32LE(value, this.buffer.writerIndex);
    else b.writeUInt32BE(value, this.buffer.writerIndex);
    return this.#advance(4);
  }
  /** Signed 64-bit. */
  putBigInt64(value: bigint): this {
    if (typeof value !== 'bigint' || value < -(1n << 63n) || value >= 1n << 63n) rangeError('int64', value);
    const b = this.#at(8);
    if (this.endian === 'le') b.writeBigInt64LE(value, this.buffer.writerIndex);
    else b.writeBigInt64BE(value, this.buffer.writerIndex);
    return this.#advance(8);
  }
  /** Unsigned 64-bit. */
  putBigUInt64(value: bigint): this {
    if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) rangeError('uint64', value);
    const b = this.#at(8);
    if (this.endian === 'le') b.writeBigUInt64LE(value, this.buffer.writerIndex);
    else b.writeBigUInt64BE(value, this.buffer.writerIndex);
    return this.#advance(8);
  }
  /** IEEE-754 double. */
  putFloat64(value: number): this {
    if (typeof value !== 'number') rangeError('float64', value);
    const b = this.#at(8);
    if (this.endian === 'le') b.writeDoubleLE(value, this.buffer.writerIndex);
    else b.writeDoubleBE(value, this.buffer.writerIndex);
    return this.#advance(8);
  }
  /** Raw bytes. */
  putBytes(bytes: Uint8Array): this {
    this.buffer.append(bytes);
    this.#written += bytes.length;
    return this;
  }
  /**
   * A C `char[size]`: the UTF-8 bytes of `value`, then NULs up to `size`. At most size - 1
   * bytes of text (one NUL always ends it); a longer string, or one holding a NUL, is a
   * CodecError ERR_CODEC_VALUE_RANGE.
   */
  putFixedString(value: string, size: number): this {
    if (!Number.isInteger(size) || size < 1) throw outOfRangeError(`size must be a positive integer, got ${String(size)}`);
    const n = Buffer.byteLength(value, 'utf8');
    if (n > size - 1 || value.includes('\0')) {
      throw new CodecError('ERR_CODEC_VALUE_RANGE', `string of ${n} bytes does not fit char[${size}] with its NUL`);
    }
    const b = this.#at(size);
    const at = this.buffer.writerIndex;
    b.write(value, at, n, 'utf8');
    b.fill(0, at + n, at + size);
    return this.#advance(size);
  }

  /** A Buffer over the storage with room for n more bytes (re-made only when the storage changes). */
  #at(n: number): Buffer {
    const buf = this.buffer;
    buf.ensureWritable(n);
    const storage = buf.storage;
    if (storage !== this.#storage) {
      this.#storage = storage;
      this.#view = Buffer.from(storage.buffer, storage.byteOffset, storage.byteLength);
    }
    return this.#view!;
  }

  #advance(n: number): this {
    this.buffer.hasWritten(n);
    this.#written += n;
    return this;
  }
}

function byteOf(s: string): number {
  if (s.length !== 1 || s.charCodeAt(0) > 0xff) {
    throw new CodecError('ERR_CODEC_VALUE_RANGE', `putByte takes one Latin-1 character, got ${JSON.stringify(s)}`);
  }
  return s.charCodeAt(0);
}

function check(v: number, min: number, max: number, field: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) rangeError(field, v);
}

function rangeError(field: string, v: unknown): never {
  throw new CodecError('ERR_CODEC_VALUE_RANGE', `${String(v)} does not fit a ${field} field`);
}
