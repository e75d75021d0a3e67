// ByteBuffer loans (the connection's read path): an empty, storage-less buffer lent a slice
// of a read arena reads it in place, never writes into or pools the arena, and keeps only
// copies once the loan ends — whatever the callback did with it meanwhile.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/buffer/BufferPool.js';
import { ByteBuffer, endLoan, lendStorage } from '../../src/buffer/ByteBuffer.js';
import { LineCodec } from '../../src/codec/LineCodec.js';

/** A 256-byte arena holding 0..255, and a pooled buffer lent arena[100, 110). */
function lent(): { arena: Buffer; b: ByteBuffer; pool: BufferPool; snapshot: Buffer } {
  const arena = Buffer.alloc(256);
  for (let i = 0; i < arena.length; i++) arena[i] = i;
  const pool = new BufferPool();
  const b = new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, pool);
  lendStorage(b, arena, 100, 10);
  return { arena, b, pool, snapshot: Buffer.from(arena) };
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('ByteBuffer loans', () => {
  it('reads the lent slice in place, with no room to write into the arena', () => {
    const { arena, b } = lent();
    expect(b.storage).toBe(arena);
    expect(b.readerIndex).toBe(100);
    expect(b.readableBytes).toBe(10);
    expect(b.writableBytes).toBe(0);
    expect(b.capacity).toBe(b.writerIndex);
    expect(b.prependableBytes).toBe(ByteBuffer.CHEAP_PREPEND);
    expect([...b.peek()]).toEqual(range(100, 10));
    expect(b.peekUInt16BE()).toBe((100 << 8) | 101);
    expect(b.indexOf(105)).toBe(5);
    expect([...b.take(3)]).toEqual(range(100, 3));
    expect(b.readUInt8()).toBe(103);
    expect(b.takeString(2, 'latin1')).toBe(String.fromCharCode(104, 105));
    expect(() => b.hasWritten(1)).toThrow(RangeError);
  });

  it('moves the bytes into storage of its own before any write, leaving the arena untouched', () => {
    for (const write of [
      (b: ByteBuffer) => b.append(Buffer.from([1, 2])),
      (b: ByteBuffer) => b.append('hi'),
      (b: ByteBuffer) => b.appendUInt32BE(7),
      (b: ByteBuffer) => b.ensureWritable(0),
      (b: ByteBuffer) => b.prependUInt16BE(9),
      (b: ByteBuffer) => b.prepend(Buffer.from([5])),
      (b: ByteBuffer) => b.commitRead(3, Buffer.from([1, 2, 3])),
      (b: ByteBuffer) => b.shrink(),
      (b: ByteBuffer) => b.append(b.peek()), // a view of the arena itself
    ]) {
      const { arena, b, snapshot } = lent();
      write(b);
      expect(b.storage).not.toBe(arena);
      expect(arena.equals(snapshot)).toBe(true);
      expect(b.writableBytes).toBe(b.capacity - b.writerIndex);
      expect([...b.peek()].join(',')).toContain(range(100, 10).join(','));
      arena.fill(0); // the arena's next turn: the buffer's bytes are its own now
      expect([...b.peek()].join(',')).toContain(range(100, 10).join(','));
    }
  });

  it('endLoan keeps the unread bytes as its own, or gives up the arena when all were read', () => {
    const { arena, b, pool } = lent();
    b.retrieve(4);
    endLoan(b);
    arena.fill(0);
    expect([...b.peek()]).toEqual(range(104, 6));
    expect(b.readerIndex).toBe(ByteBuffer.CHEAP_PREPEND);
    expect(b.writableBytes).toBeGreaterThan(0);
    b.retrieveAll();
    expect(b.release()).toBe(true);
    expect(pool.pooledBytes).toBe(pool.blockSize); // its own block went back, not the arena

    const all = lent();
    all.b.retrieveAll();
    endLoan(all.b);
    expect(all.b.capacity).toBe(0);
    endLoan(all.b); // no loan: nothing to do
    expect(all.b.capacity).toBe(0);
  });

  it('never gives the arena to the pool', () => {
    const { arena, b, pool } = lent();
    b.retrieveAll();
    expect(b.release()).toBe(true);
    expect(b.capacity).toBe(0);
    expect(pool.pooledBytes).toBe(0);
    expect(pool.take(arena.length)).not.toBe(arena);
    const s = lent();
    s.b.shrink(); // moves the bytes out: the arena must not be handed back either
    expect(s.pool.pooledBytes).toBe(0);
  });

  it('lends only to a buffer with no storage of its own', () => {
    const b = new ByteBuffer();
    expect(() => lendStorage(b, Buffer.alloc(16), 0, 4)).toThrow(RangeError);
  });

  it('a codec keeps its partial line across the end of a loan', () => {
    const { arena, b } = lent();
    arena.write('ab\ncd', 100, 'latin1');
    lendStorage((b.retrieveAll(), endLoan(b), b), arena, 100, 5);
    const codec = new LineCodec();
    expect(Buffer.from(codec.decode(b)!).toString()).toBe('ab');
    expect(codec.decode(b)).toBeNull();
    endLoan(b);
    arena.fill(0);
    b.append('e\n');
    expect(Buffer.from(codec.decode(b)!).toString()).toBe('cde');
  });
});
