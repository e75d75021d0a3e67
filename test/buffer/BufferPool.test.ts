// BufferPool and the lazy ByteBuffer: a pooled buffer holds no storage until
// its first write, gives it back on release() once empty, and behaves like an
// ordinary ByteBuffer in between (prepend area included); the pool keeps blocks
// by size up to its byte bound.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/buffer/BufferPool.js';
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';

function pooled(pool = new BufferPool()): ByteBuffer {
  return new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, pool);
}

describe('BufferPool', () => {
  it('hands back a given block of the same size, and allocates otherwise', () => {
    const pool = new BufferPool(1032, 4096);
    const a = pool.take(1032);
    expect(a.length).toBe(1032);
    pool.give(a);
    expect(pool.pooledBytes).toBe(1032);
    expect(pool.take(1032)).toBe(a);
    expect(pool.pooledBytes).toBe(0);
    const b = pool.take(2064);
    expect(b).not.toBe(a);
    expect(b.length).toBe(2064);
  });

  it('sizes blocks in classes (the block size doubled), so a returned block fits the next request of its class', () => {
    const pool = new BufferPool(1032);
    expect(pool.sizeFor(1)).toBe(1032);
    expect(pool.sizeFor(1032)).toBe(1032);
    expect(pool.sizeFor(1033)).toBe(2064);
    expect(pool.sizeFor(16 * 1024 + 8)).toBe(16512); // 1032 * 16
    const b = new ByteBuffer(ByteBuffer.INITIAL_SIZE, ByteBuffer.CHEAP_PREPEND, pool);
    b.append(Buffer.alloc(16000));
    const block = b.storage;
    expect(block.length).toBe(16512);
    b.retrieveAll();
    b.release();
    b.append(Buffer.alloc(9000)); // another size, the same class: the same block
    expect(b.storage).toBe(block);
  });

  it('keeps at most maxBytes, dropping what does not fit', () => {
    const pool = new BufferPool(1000, 2500);
    pool.give(Buffer.alloc(1000));
    pool.give(Buffer.alloc(1000));
    pool.give(Buffer.alloc(1000)); // would be 3000 > 2500: dropped
    expect(pool.pooledBytes).toBe(2000);
    pool.clear();
    expect(pool.pooledBytes).toBe(0);
    expect(() => new BufferPool(0)).toThrow(RangeError);
    expect(() => new BufferPool(10, -1)).toThrow(RangeError);
  });
});

describe('ByteBuffer with a pool (lazy storage)', () => {
  it('allocates nothing until the first write, then takes a pool block with the prepend area', () => {
    const pool = new BufferPool();
    const b = pooled(pool);
    expect(b.capacity).toBe(0);
    expect(b.readableBytes).toBe(0);
    expect(b.writableBytes).toBe(0);
    expect(b.peek().length).toBe(0);
    b.retrieveAll(); // no storage yet: indices stay consistent
    expect(b.writableBytes).toBe(0);
    b.append('hello');
    expect(b.capacity).toBe(pool.blockSize);
    expect(b.prependableBytes).toBe(ByteBuffer.CHEAP_PREPEND);
    expect(b.takeString(5)).toBe('hello');
  });

  it('release() gives the storage back only when empty, and the next write takes it again', () => {
    const pool = new BufferPool();
    const b = pooled(pool);
    b.append(Buffer.from('abc'));
    const storage = b.storage;
    expect(b.release()).toBe(false); // 3 bytes still readable
    expect(b.capacity).toBe(pool.blockSize);
    b.retrieve(3);
    expect(b.release()).toBe(true);
    expect(b.capacity).toBe(0);
    expect(pool.pooledBytes).toBe(pool.blockSize);
    expect(b.release()).toBe(false); // nothing left to release
    b.append(Buffer.from('xyz'));
    expect(b.storage).toBe(storage); // the same block, back from the pool
    expect(pool.pooledBytes).toBe(0);
    expect(b.takeString(3)).toBe('xyz');
  });

  it('growth takes the bigger block from the pool and gives the old one back', () => {
    const pool = new BufferPool();
    const b = pooled(pool);
    b.append(Buffer.alloc(100, 1));
    const small = b.storage;
    b.append(Buffer.alloc(5000, 2));
    expect(b.capacity).toBeGreaterThanOrEqual(5108);
    expect(pool.take(small.length)).toBe(small);
    const all = b.takeAll();
    expect(all.subarray(0, 100).every((x) => x === 1)).toBe(true);
    expect(all.subarray(100).every((x) => x === 2)).toBe(true);
  });

  it('a storage-less buffer can prepend (it takes a block first) and readv into scratch', () => {
    const b = pooled();
    b.prependUInt32BE(7);
    expect(b.readableBytes).toBe(4);
    expect(b.readUInt32BE()).toBe(7);
    b.release();
    const c = pooled();
    c.prepend(Uint8Array.of(1, 2));
    expect([...c.peek()]).toEqual([1, 2]);
    // The reactor's read into a storage-less buffer: 0 bytes fit in storage, the rest in scratch.
    const d = pooled();
    const scratch = Buffer.from('0123456789');
    expect(d.writableBytes).toBe(0);
    d.commitRead(10, scratch);
    expect(d.takeString(10)).toBe('0123456789');
  });

  it('a block reused from the pool shows only its new content', () => {
    const pool = new BufferPool();
    const a = pooled(pool);
    a.append('secret-from-another-connection');
    a.retrieveAll();
    a.release();
    const b = pooled(pool);
    b.append('hi');
    expect(Buffer.from(b.peek()).toString()).toBe('hi');
    expect(b.indexOf(0x73 /* 's' */)).toBe(-1); // searches never look past writerIndex
  });
});
