// Fixed-width big-endian unsigned integers (1, 2 or 4 bytes) for ByteBuffer's
// peek/read/append UInt helpers, which delegate here in one line: the value check,
// the byte-level read or write, and the read/append steps through the buffer's public
// geometry (storage, readerIndex, writerIndex, retrieve, ensureWritable, hasWritten).
// Stateless; single-threaded like the buffer it is given. No allocation.

import type { ByteBuffer } from './ByteBuffer.js';
import { checkUInt } from './checks.js';
import { rangeError } from '../errors.js';

/** Widths of the fixed-width helpers, in bytes. */
export type UIntWidth = 1 | 2 | 4;

/** Throws RangeError unless v is an integer that fits in `width` unsigned bytes. */
export function checkUIntWidth(v: number, width: UIntWidth): void {
  checkUInt(v, width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff);
}

/** The big-endian uint of `width` bytes at buf[at]; RangeError if fewer than `width` bytes lie before `end`. */
export function getUIntBE(buf: Uint8Array, at: number, end: number, width: UIntWidth): number {
  if (end - at < width) throw rangeError(`need ${width} readable bytes, have ${end - at}`);
  if (width === 1) return buf[at];
  const b = buf as Buffer;
  return width === 2 ? b.readUInt16BE(at) : b.readUInt32BE(at);
}

/** Writes v (already checked) as a big-endian uint of `width` bytes at buf[at] (room already made). */
export function setUIntBE(buf: Uint8Array, at: number, v: number, width: UIntWidth): void {
  if (width === 1) buf[at] = v;
  else if (width === 2) (buf as Buffer).writeUInt16BE(v, at);
  else (buf as Buffer).writeUInt32BE(v, at);
}

/** Reads and retrieves the first `width` readable bytes of b as a big-endian uint. */
export function readUIntBE(b: ByteBuffer, width: UIntWidth): number {
  const v = getUIntBE(b.storage, b.readerIndex, b.writerIndex, width);
  b.retrieve(width);
  return v;
}

/** Appends v as a big-endian uint of `width` bytes to b, growing its storage if needed. */
export function appendUIntBE(b: ByteBuffer, v: number, width: UIntWidth): void {
  checkUIntWidth(v, width);
  b.ensureWritable(width);
  setUIntBE(b.storage, b.writerIndex, v, width);
  b.hasWritten(width);
}
