// BufferPool: storage blocks for ByteBuffers, shared by the connections of one
// event loop, so that an idle connection holds no buffer memory: a pooled
// ByteBuffer takes a block on first use and gives it back when it drains
// (ByteBuffer.release()), and the next connection that needs one takes it
// from here instead of allocating.
//
// Blocks are kept by exact size — pooled buffers only ask for the default block
// and its doublings (sizeFor) — up to `maxBytes` in all; beyond that a returned block is
// simply dropped for the GC. Blocks come back with the bytes of their previous
// user: only [readerIndex, writerIndex) of a ByteBuffer is content, and nothing
// outside that range is ever shown except through its raw `storage`.
//
// Ownership: the pool owns the free blocks; a block handed out belongs to the
// ByteBuffer that took it until it is given back. Single-threaded: one pool per
// loop, touched only from that loop's thread.
import { rangeError } from '../errors.js';

/** A free list of Buffers by size, bounded in total bytes. */
export class BufferPool {
  /** Size of the block a pooled ByteBuffer starts with (its prepend area plus initial size). */
  readonly blockSize: number;
  /** The most bytes the pool keeps. */
  readonly maxBytes: number;
  readonly #free = new Map<number, Buffer[]>();
  /** The free blocks of blockSize (kept apart from #free: see take()). */
  readonly #base: Buffer[] = [];
  #bytes = 0;

  constructor(blockSize = 1032, maxBytes = 1 << 20) {
    if (!Number.isInteger(blockSize) || blockSize < 1) throw rangeError(`blockSize must be a positive integer, got ${blockSize}`);
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw rangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    this.blockSize = blockSize;
    this.maxBytes = maxBytes;
  }

  /**
   * The size of block that holds `n` bytes: blockSize doubled until it fits.
   * Pooled buffers allocate only these sizes, so a returned block fits the next
   * request of its class (every 16 KiB message takes the same 16,512-byte block).
   */
  sizeFor(n: number): number {
    let size = this.blockSize;
    while (size < n) size *= 2;
    return size;
  }

  /** A block of exactly `size` bytes: a pooled one if there is one, else a new zero-filled one. */
  take(size: number): Buffer {
    // The default size is nearly every request (a connection's first block): its list
    // is a field, not a Map entry, so the common take and give cost no hash lookup.
    const block = size === this.blockSize ? this.#base.pop() : this.#free.get(size)?.pop();
    if (block === undefined) return Buffer.alloc(size);
    this.#bytes -= size;
    return block;
  }

  /** Give a block back (kept while the pool holds less than maxBytes, else dropped). */
  give(block: Buffer): void {
    const size = block.length;
    if (size === 0 || this.#bytes + size > this.maxBytes) return;
    let list = size === this.blockSize ? this.#base : this.#free.get(size);
    if (list === undefined) this.#free.set(size, (list = []));
    list.push(block);
    this.#bytes += size;
  }

  /** Bytes held in free blocks. */
  get pooledBytes(): number {
    return this.#bytes;
  }

  /** Drop every free block. */
  clear(): void {
    this.#free.clear();
    this.#base.length = 0;
    this.#bytes = 0;
  }
}
