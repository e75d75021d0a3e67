// ByteBuffer: a growable byte queue with a cheap prepend area, after muduo's
// net/Buffer.h. Connections use one for input (the reactor reads into it) and one
// for output (send() appends, the reactor writes from the readable part).
//
//   +-------------------+------------------+------------------+
//   | prependable bytes |  readable bytes  |  writable bytes  |
//   |                   |     (CONTENT)    |                  |
//   +-------------------+------------------+------------------+
//   0      <=      readerIndex   <=   writerIndex    <=     capacity
//
// Ownership: a ByteBuffer owns its storage (one Uint8Array, replaced only when it
// grows or shrink() is called). Single-threaded: it belongs to one connection of
// one event loop and is never touched from another thread.
// Lazy storage: with a BufferPool, a buffer has no storage (capacity 0) until its
// first write takes a pool block, and release() gives it back once empty — so an
// idle connection holds none. A pooled block may hold old bytes past writerIndex.
//
// Memory rules:
//   - Bytes handed out by take()/takeAll() are copies: they never share memory
//     with the storage, so the user may keep them for as long as they like.
//   - peek() and `storage` are views without a copy. They are valid only until
//     the next mutating call (append, retrieve, prepend, commitRead, shrink...):
//     a mutation may move the readable bytes (compaction) or swap the storage
//     (growth), so re-read them after every mutation and never keep them.
//   - Growth doubles the capacity (or more if one append needs it) and compacts
//     first when that suffices; the buffer never shrinks by itself (shrink() does).
//   - append/retrieve/commitRead allocate nothing unless the buffer has to grow.
//
// The prependable area lets a codec write a length header in front of a message
// it has already serialised, without moving the body (prependUInt32BE).
//
// Loans (the connection's read path only: lendStorage/endLoan below, not public API):
// an input buffer with no storage of its own may be lent the loop's read arena for
// the length of one onMessage call, its readable bytes being the slice the turn
// pre-read — no copy, no pool block. While lent it reads like any buffer (peek,
// take, retrieve, the codecs' storage/readerIndex) but nothing is ever written into
// the arena: writableBytes and capacity say there is no room, and the first call
// that would write (append, ensureWritable, prepend, commitRead, hasWritten...)
// first moves the readable bytes into storage of its own (a pool block), as growth
// would. When the call returns, endLoan() does the same for whatever is left
// unread, so a buffer kept across turns never shows the arena's next contents.
// Views taken while lent (peek, storage) end with the loan, as they end with any
// mutation.

import type { BufferPool } from './BufferPool.js';
import { asBytes, checkCount, checkUInt, type BytesLike } from './checks.js';
import { rangeError } from '../errors.js';

export { asBytes, type BytesLike } from './checks.js';

/** Storage of a buffer that has none (lazy, or released): shared, zero bytes long. */
const NO_STORAGE = Buffer.alloc(0);

/**
 * @internal The connection's read path: lend empty, storage-less `b` the bytes arena[offset,
 * offset + n) as its readable bytes, for one callback (see the header). Not public API.
 */
export let lendStorage: (b: ByteBuffer, arena: Buffer, offset: number, n: number) => void;
/** @internal Ends a loan (no-op if none): unread bytes move into storage of `b`'s own. */
export let endLoan: (b: ByteBuffer) => void;

/** A growable byte queue with a prependable area (muduo's Buffer). */
export class ByteBuffer {
  /** Default size of the prependable area: room for a 4- or 8-byte length header. */
  static readonly CHEAP_PREPEND = 8;
  /** Default size of the initial writable area. */
  static readonly INITIAL_SIZE = 1024;

  #buf: Buffer;
  #r: number;
  #w: number;
  readonly #reserved: number;
  readonly #pool: BufferPool | null;
  /** #buf is a read arena lent for one callback (see the header): never written, never pooled. */
  #lent = false;

  static {
    lendStorage = (b, arena, offset, n) => {
      // Only an empty buffer with no storage: nothing of its own to lose or to order before the slice.
      if (b.#buf.length !== 0) throw rangeError('lendStorage: the buffer has storage of its own');
      b.#buf = arena;
      b.#r = offset;
      b.#w = offset + n;
      b.#lent = true;
    };
    endLoan = (b) => {
      if (!b.#lent) return;
      if (b.#w === b.#r) {
        b.#lent = false;
        b.#buf = NO_STORAGE;
        b.#r = b.#w = 0;
      } else b.#makeSpace(0); // unread bytes: into storage of its own
    };
  }

  /** Without a pool, allocates prependSize + initialSize bytes now; with one, nothing until the first write. */
  constructor(initialSize: number = ByteBuffer.INITIAL_SIZE, prependSize: number = ByteBuffer.CHEAP_PREPEND, pool: BufferPool | null = null) {
    checkCount(initialSize, 'initialSize');
    checkCount(prependSize, 'prependSize');
    this.#reserved = prependSize;
    this.#pool = pool;
    // Buffer.alloc: zero-filled and never carved out of Node's shared pool, so the
    // storage starts at offset 0 of its own ArrayBuffer and shows no stale bytes.
    this.#buf = pool !== null ? NO_STORAGE : Buffer.alloc(prependSize + initialSize);
    this.#r = this.#w = pool !== null ? 0 : prependSize;
  }

  // --- geometry ------------------------------------------------------------------

  /**
   * The whole backing store, for the reactor's readv/write calls (read it with
   * readerIndex/writerIndex). Replaced when the buffer grows: re-read after every
   * mutation. Do not write into it except between writerIndex and capacity,
   * followed by hasWritten()/commitRead().
   */
  get storage(): Uint8Array {
    return this.#buf;
  }
  /** Offset of the first readable byte (the prependable area ends here). */
  get readerIndex(): number {
    return this.#r;
  }
  /** Offset one past the last readable byte (the writable area starts here). */
  get writerIndex(): number {
    return this.#w;
  }
  /** Bytes ready to read: writerIndex - readerIndex. */
  get readableBytes(): number {
    return this.#w - this.#r;
  }
  /** Bytes that fit after writerIndex without growing the storage. */
  get writableBytes(): number {
    return this.#lent ? 0 : this.#buf.length - this.#w;
  }
  /** Bytes free before readerIndex, for prepend*() (equals readerIndex). */
  get prependableBytes(): number {
    return this.#lent ? this.#reserved : this.#r; // lent: what a prepend will find once it has moved the bytes
  }
  /** Total size of the storage, prependable area included. */
  get capacity(): number {
    return this.#lent ? this.#w : this.#buf.length; // lent: no room after the bytes
  }
  /** Size of the prependable area the buffer resets to (constructor's prependSize). */
  get prependSize(): number {
    return this.#reserved;
  }

  // --- reading -------------------------------------------------------------------

  /** The readable bytes, as a view (no copy). Valid until the next mutation. */
  peek(): Uint8Array {
    return this.#buf.subarray(this.#r, this.#w);
  }

  /** Drops n readable bytes. RangeError if n > readableBytes. */
  retrieve(n: number): void {
    checkCount(n, 'n');
    const readable = this.#w - this.#r;
    if (n > readable) throw rangeError(`retrieve(${n}): only ${readable} bytes readable`);
    if (n < readable) this.#r += n;
    else this.retrieveAll();
  }

  /**
   * Drops everything and rewinds both indices to prependSize: an emptied buffer
   * has its whole writable area back, so the common "read it all" path never
   * needs compaction.
   */
  retrieveAll(): void {
    this.#r = this.#w = this.#buf.length === 0 ? 0 : this.#reserved; // no storage: no prepend area yet
  }

  /** Copies n readable bytes out (memory not shared with the storage) and retrieves them. */
  take(n: number): Buffer {
    checkCount(n, 'n');
    const readable = this.#w - this.#r;
    if (n > readable) throw rangeError(`take(${n}): only ${readable} bytes readable`);
    // allocUnsafe may hand out a slice of Node's shared pool, never our storage;
    // every byte of it is overwritten right away.
    const out = Buffer.allocUnsafe(n);
    this.#buf.copy(out, 0, this.#r, this.#r + n);
    this.retrieve(n);
    return out;
  }

  /** Retrieves every readable byte, as a copy. */
  takeAll(): Buffer {
    return this.take(this.#w - this.#r);
  }

  /** Decodes n readable bytes and retrieves them. */
  takeString(n: number, encoding: BufferEncoding = 'utf8'): string {
    checkCount(n, 'n');
    const readable = this.#w - this.#r;
    if (n > readable) throw rangeError(`takeString(${n}): only ${readable} bytes readable`);
    const s = this.#buf.toString(encoding, this.#r, this.#r + n);
    this.retrieve(n);
    return s;
  }

  /** The first readable byte, not retrieved. Throws RangeError if the buffer is empty. */
  peekUInt8(): number {
    return getUIntBE(this.#buf, this.#r, this.#w, 1);
  }
  /** The first 2 readable bytes as a big-endian uint16, not retrieved. Throws RangeError if fewer are readable. */
  peekUInt16BE(): number {
    return getUIntBE(this.#buf, this.#r, this.#w, 2);
  }
  /** The first 4 readable bytes as a big-endian uint32, not retrieved. Throws RangeError if fewer are readable. */
  peekUInt32BE(): number {
    return getUIntBE(this.#buf, this.#r, this.#w, 4);
  }
  /** Reads and retrieves one byte. Throws RangeError if the buffer is empty. */
  readUInt8(): number {
    return readUIntBE(this, 1);
  }
  /** Reads and retrieves a big-endian uint16. Throws RangeError if fewer than 2 bytes are readable. */
  readUInt16BE(): number {
    return readUIntBE(this, 2);
  }
  /** Reads and retrieves a big-endian uint32. Throws RangeError if fewer than 4 bytes are readable. */
  readUInt32BE(): number {
    return readUIntBE(this, 4);
  }

  // --- searching (for line codecs) -------------------------------------------------

  /**
   * Position of the first `byte` at or after `from`, both relative to readerIndex;
   * -1 if absent. Codecs resuming a search pass the old length as `from`.
   */
  indexOf(byte: number, from = 0): number {
    checkCount(from, 'from');
    return indexOfByte(this.#buf, this.#r, this.#w, byte, from);
  }

  /** Position of the first "\r\n" (of its '\r') relative to readerIndex, -1 if absent. */
  findCRLF(from = 0): number {
    checkCount(from, 'from');
    return indexOfCRLF(this.#buf, this.#r, this.#w, from);
  }

  /** Position of the first '\n' relative to readerIndex, -1 if absent. */
  findEOL(from = 0): number {
    return this.indexOf(10, from);
  }

  // --- writing -------------------------------------------------------------------

  /**
   * Appends the bytes of any typed array or DataView (all `byteLength` of them, from its
   * `byteOffset`), of a whole ArrayBuffer, or a string encoded straight into the storage (no
   * temporary Buffer). Anything else is ERR_INVALID_ARG_TYPE.
   */
  append(input: BytesLike | string, encoding: BufferEncoding = 'utf8'): void {
    if (typeof input === 'string') {
      const len = Buffer.byteLength(input, encoding);
      this.ensureWritable(len);
      this.#w += this.#buf.write(input, this.#w, len, encoding);
      return;
    }
    let data = asBytes(input, 'input');
    const len = data.byteLength;
    // (Storage checked first: `.buffer` is a runtime call in V8, and an empty
    // storage — a pooled buffer between messages — cannot be aliased.)
    if (len > this.#buf.length - this.#w && this.#buf.length !== 0 && data.buffer === this.#buf.buffer) {
      // A view of our own storage (e.g. append(peek())): making space may move or
      // replace those bytes, so copy them first. Rare, hence the allocation.
      data = new Uint8Array(data);
    }
    this.ensureWritable(len);
    this.#buf.set(data, this.#w);
    this.#w += len;
  }

  /** Appends one byte (v in 0..255), growing the storage if needed. */
  appendUInt8(v: number): void {
    appendUIntBE(this, v, 1);
  }
  /** Appends v (0..65535) as a big-endian uint16, growing the storage if needed. */
  appendUInt16BE(v: number): void {
    appendUIntBE(this, v, 2);
  }
  /** Appends v (0..2^32-1) as a big-endian uint32, growing the storage if needed. */
  appendUInt32BE(v: number): void {
    appendUIntBE(this, v, 4);
  }

  /** Makes writableBytes >= n, compacting or growing as needed. */
  ensureWritable(n: number): void {
    checkCount(n, 'n');
    if (this.#buf.length - this.#w < n || this.#lent) this.#makeSpace(n);
  }

  /** Accounts for n bytes written directly into storage at writerIndex. */
  hasWritten(n: number): void {
    checkCount(n, 'n');
    const writable = this.writableBytes;
    if (n > writable) throw rangeError(`hasWritten(${n}): only ${writable} bytes writable`);
    this.#w += n;
  }

  /** Takes back the last n bytes written (e.g. a header reserved then not needed). */
  unwrite(n: number): void {
    checkCount(n, 'n');
    const readable = this.#w - this.#r;
    if (n > readable) throw rangeError(`unwrite(${n}): only ${readable} bytes readable`);
    this.#w -= n;
  }

  /**
   * Accounts for a readv of n bytes into {storage + writerIndex, writableBytes}
   * then {scratch, ...}: the first min(n, writableBytes) bytes are already in
   * place, the rest sit at scratch[0..]. This is muduo's extrabuf trick: one
   * per-loop scratch (64 KiB) lets a single syscall take a large burst without
   * every connection keeping a large buffer, and the buffer grows only when
   * that much really arrived. No allocation unless it has to grow, except that
   * the overflow path takes one small view of scratch when only part of it is used
   * (Node 20 has no copy between two typed arrays that avoids it).
   */
  commitRead(n: number, scratch: Uint8Array): void {
    checkCount(n, 'n');
    const writable = this.writableBytes;
    if (n <= writable) {
      this.#w += n;
      return;
    }
    const extra = n - writable;
    if (extra > scratch.length) {
      throw rangeError(`commitRead(${n}): ${writable} writable + ${scratch.length} scratch bytes is less`);
    }
    this.#w += writable; // to the end of the storage
    this.ensureWritable(extra); // compaction or growth keeps the bytes just accounted for
    this.#buf.set(extra === scratch.length ? scratch : scratch.subarray(0, extra), this.#w);
    this.#w += extra;
  }

  // --- prepending ------------------------------------------------------------------

  /** Writes data (any ArrayBufferView, by bytes) just before the readable bytes. RangeError if prependableBytes is too small. */
  prepend(view: ArrayBufferView): void {
    const data = asBytes(view);
    const len = data.byteLength;
    if (this.#buf.length === 0 || this.#lent) this.#makeSpace(0); // no storage (or lent): take a block to get the prepend area
    if (len > this.#r) throw rangeError(`prepend(${len} bytes): only ${this.#r} bytes prependable`);
    this.#buf.set(data, this.#r - len);
    this.#r -= len;
  }

  /** Writes one byte (v in 0..255) just before the readable bytes. Throws RangeError if no byte is prependable. */
  prependUInt8(v: number): void {
    this.#prependUInt(v, 1);
  }
  /** Writes v as a big-endian uint16 just before the readable bytes. Throws RangeError if fewer than 2 bytes are prependable. */
  prependUInt16BE(v: number): void {
    this.#prependUInt(v, 2);
  }
  /** Writes v as a big-endian uint32 just before the readable bytes (a length header). Throws RangeError if fewer than 4 bytes are prependable. */
  prependUInt32BE(v: number): void {
    this.#prependUInt(v, 4);
  }

  // --- memory ------------------------------------------------------------------------

  /** When nothing is readable, give the storage back (to the pool, if any); returns whether it did. */
  release(): boolean {
    if (this.#w !== this.#r || this.#buf.length === 0) return false;
    if (this.#lent) this.#lent = false; // a lent arena is not ours to pool
    else this.#pool?.give(this.#buf);
    this.#buf = NO_STORAGE;
    this.#r = this.#w = 0;
    return true;
  }

  /**
   * Reallocates the storage to exactly prependSize + readableBytes + reserve
   * bytes (with a pool: the smallest size class that holds them): the way back after a burst made the buffer large (e.g. when a
   * connection goes idle). Always allocates.
   */
  shrink(reserve = 0): void {
    checkCount(reserve, 'reserve');
    const readable = this.#w - this.#r;
    const next = this.#alloc(this.#reserved + readable + reserve);
    this.#buf.copy(next, this.#reserved, this.#r, this.#w);
    if (this.#lent) this.#lent = false;
    else this.#pool?.give(this.#buf);
    this.#buf = next;
    this.#r = this.#reserved;
    this.#w = this.#reserved + readable;
  }

  // --- internals ---------------------------------------------------------------------

  /**
   * muduo's makeSpace. If the free bytes on both sides (minus the prepend area we
   * keep) hold n, slide the readable bytes back to prependSize: a memmove of what
   * is still unread, usually little, and no allocation. Otherwise allocate
   * max(2 * capacity, needed): doubling keeps the cost of a long run of appends
   * linear. Only the readable bytes are copied, already compacted.
   */
  #makeSpace(n: number): void {
    const readable = this.#w - this.#r;
    const writable = this.#buf.length - this.#w;
    if (this.#lent) {
      // A lent arena is never written: the readable bytes move into a block of our own.
      const next = this.#alloc(Math.max(this.#reserved + ByteBuffer.INITIAL_SIZE, this.#reserved + readable + n));
      this.#buf.copy(next, this.#reserved, this.#r, this.#w);
      this.#buf = next;
      this.#lent = false;
    } else if (this.#buf.length === 0) {
      // No storage yet (lazy, or released): the first block, with the prepend area.
      this.#buf = this.#alloc(Math.max(this.#reserved + ByteBuffer.INITIAL_SIZE, this.#reserved + n));
    } else if (writable + this.#r - this.#reserved >= n) {
      this.#buf.copyWithin(this.#reserved, this.#r, this.#w);
    } else {
      const next = this.#alloc(Math.max(2 * this.#buf.length, this.#reserved + readable + n));
      this.#buf.copy(next, this.#reserved, this.#r, this.#w);
      this.#pool?.give(this.#buf);
      this.#buf = next;
    }
    this.#r = this.#reserved;
    this.#w = this.#reserved + readable;
  }

  /** At least `size` bytes: a pool block of its size class, or a fresh zero-filled buffer. */
  #alloc(size: number): Buffer {
    const pool = this.#pool;
    return pool !== null ? pool.take(pool.sizeFor(size)) : Buffer.alloc(size);
  }

  /** prependUInt8/16BE/32BE: checks v, makes the prepend area exist, writes v before readerIndex. */
  #prependUInt(v: number, n: UIntWidth): void {
    checkUIntWidth(v, n);
    if (this.#buf.length === 0 || this.#lent) this.#makeSpace(0); // no storage (or lent): take a block to get the prepend area
    if (this.#r < n) throw rangeError(`prepend of ${n} bytes: only ${this.#r} bytes prependable`);
    setUIntBE(this.#buf, this.#r - n, v, n);
    this.#r -= n;
  }
}

// --- helpers of ByteBuffer's fixed-width and search methods (module-private) -------------
//
// Fixed-width big-endian unsigned integers (1, 2 or 4 bytes): the value check, the byte-level
// read or write, and the read/append steps through the buffer's public geometry. Byte
// searches: plain loops bounded at writerIndex (a native indexOf cannot be bounded there and
// would scan the stale writable area). No allocation.

/** Widths of the fixed-width helpers, in bytes. */
type UIntWidth = 1 | 2 | 4;

/** Throws RangeError unless v is an integer that fits in `width` unsigned bytes. */
function checkUIntWidth(v: number, width: UIntWidth): void {
  checkUInt(v, width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff);
}

/** The big-endian uint of `width` bytes at buf[at]; RangeError if fewer than `width` bytes lie before `end`. */
function getUIntBE(buf: Uint8Array, at: number, end: number, width: UIntWidth): number {
  if (end - at < width) throw rangeError(`need ${width} readable bytes, have ${end - at}`);
  if (width === 1) return buf[at];
  const b = buf as Buffer;
  return width === 2 ? b.readUInt16BE(at) : b.readUInt32BE(at);
}

/** Writes v (already checked) as a big-endian uint of `width` bytes at buf[at] (room already made). */
function setUIntBE(buf: Uint8Array, at: number, v: number, width: UIntWidth): void {
  if (width === 1) buf[at] = v;
  else if (width === 2) (buf as Buffer).writeUInt16BE(v, at);
  else (buf as Buffer).writeUInt32BE(v, at);
}

/** Reads and retrieves the first `width` readable bytes of b as a big-endian uint. */
function readUIntBE(b: ByteBuffer, width: UIntWidth): number {
  const v = getUIntBE(b.storage, b.readerIndex, b.writerIndex, width);
  b.retrieve(width);
  return v;
}

/** Appends v as a big-endian uint of `width` bytes to b, growing its storage if needed. */
function appendUIntBE(b: ByteBuffer, v: number, width: UIntWidth): void {
  checkUIntWidth(v, width);
  b.ensureWritable(width);
  setUIntBE(b.storage, b.writerIndex, v, width);
  b.hasWritten(width);
}

/** Position of the first `byte` in buf[start + from .. end), relative to start; -1 if absent. */
function indexOfByte(buf: Uint8Array, start: number, end: number, byte: number, from: number): number {
  for (let i = start + from; i < end; i++) {
    if (buf[i] === byte) return i - start;
  }
  return -1;
}

/** Position of the first "\r\n" (of its '\r') in buf[start + from .. end), relative to start; -1 if absent. */
function indexOfCRLF(buf: Uint8Array, start: number, end: number, from: number): number {
  const last = end - 1;
  for (let i = start + from; i < last; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i - start;
  }
  return -1;
}
