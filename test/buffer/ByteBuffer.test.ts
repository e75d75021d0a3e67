// ByteBuffer: muduo's Buffer layout (prependable | readable | writable), its
// compact-before-grow policy, the readv + scratch (extrabuf) accounting, and
// byte-exact behaviour against a Buffer.concat reference model.
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { prng } from '../prng.js';

function bytes(n: number, start = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff;
  return b;
}

/** Simulates the reactor's readv2(fd, storage, writerIndex, writableBytes, scratch, 0, len). */
function fakeReadv(buf: ByteBuffer, data: Uint8Array, scratch: Uint8Array): number {
  const first = Math.min(data.length, buf.writableBytes);
  buf.storage.set(data.subarray(0, first), buf.writerIndex);
  const rest = Math.min(data.length - first, scratch.length);
  scratch.set(data.subarray(first, first + rest), 0);
  return first + rest;
}

describe('ByteBuffer layout', () => {
  it('starts with the prependable area and the initial writable area', () => {
    const b = new ByteBuffer();
    expect(ByteBuffer.CHEAP_PREPEND).toBe(8);
    expect(b.capacity).toBe(1024 + 8);
    expect(b.readerIndex).toBe(8);
    expect(b.writerIndex).toBe(8);
    expect(b.prependableBytes).toBe(8);
    expect(b.readableBytes).toBe(0);
    expect(b.writableBytes).toBe(1024);
    expect(b.storage.length).toBe(1032);
    const c = new ByteBuffer(16, 4);
    expect(c.capacity).toBe(20);
    expect(c.readerIndex).toBe(4);
    expect(c.prependSize).toBe(4);
  });

  it('moves the indices on append and retrieve', () => {
    const b = new ByteBuffer(64);
    b.append(bytes(20));
    expect(b.readerIndex).toBe(8);
    expect(b.writerIndex).toBe(28);
    expect(b.readableBytes).toBe(20);
    expect(b.writableBytes).toBe(44);
    b.retrieve(5);
    expect(b.readerIndex).toBe(13);
    expect(b.prependableBytes).toBe(13);
    expect(b.readableBytes).toBe(15);
    expect(Buffer.from(b.peek())).toEqual(bytes(15, 5));
    b.append('abc');
    expect(b.writerIndex).toBe(31);
    expect(b.takeString(15, 'latin1')).toBe(bytes(15, 5).toString('latin1'));
    expect(b.takeString(3)).toBe('abc');
    // Retrieving the last byte rewinds both indices to the prepend size.
    expect(b.readerIndex).toBe(8);
    expect(b.writerIndex).toBe(8);
  });

  it('retrieveAll rewinds to prependSize', () => {
    const b = new ByteBuffer(32);
    b.append(bytes(10));
    b.retrieve(3);
    b.retrieveAll();
    expect(b.readerIndex).toBe(8);
    expect(b.writerIndex).toBe(8);
    expect(b.readableBytes).toBe(0);
    expect(b.writableBytes).toBe(32);
  });

  it('peek is a view of the storage, not a copy', () => {
    const b = new ByteBuffer(32);
    b.append(bytes(10));
    b.retrieve(2);
    const v = b.peek();
    expect(v.buffer).toBe(b.storage.buffer);
    expect(v.byteOffset).toBe(b.storage.byteOffset + b.readerIndex);
    expect(v.length).toBe(8);
    b.storage[b.readerIndex] = 0xee;
    expect(v[0]).toBe(0xee);
  });

  it('appends strings by their encoded byte length', () => {
    const b = new ByteBuffer(4);
    b.append('héllo wörld €');
    const expected = Buffer.from('héllo wörld €', 'utf8');
    expect(b.readableBytes).toBe(expected.length);
    expect(Buffer.from(b.peek())).toEqual(expected);
    b.append('ff00', 'hex');
    expect(b.readableBytes).toBe(expected.length + 2);
    expect(b.take(expected.length).toString('utf8')).toBe('héllo wörld €');
    expect(b.readUInt16BE()).toBe(0xff00);
  });
  it('appends and prepends any typed array or DataView by its bytes (byteLength from byteOffset)', () => {
    const b = new ByteBuffer();
    const u16 = new Uint16Array([0x4142, 0x4344]);
    b.append(u16);
    expect(b.readableBytes).toBe(4);
    const ab = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]).buffer;
    b.append(new DataView(ab, 2, 3));
    b.append(new Uint32Array(ab, 4, 1));
    b.prepend(new Uint16Array([0x0102]));
    const expected = Buffer.concat([
      Buffer.from(new Uint16Array([0x0102]).buffer),
      Buffer.from(u16.buffer),
      Buffer.from([7, 6, 5]),
      Buffer.from([5, 4, 3, 2]),
    ]);
    expect(Buffer.from(b.takeAll()).equals(expected)).toBe(true);
  });
});

describe('ByteBuffer growth', () => {
  it('compacts instead of growing when the free space on both sides suffices', () => {
    const b = new ByteBuffer(16, 8);
    b.append(bytes(12));
    b.retrieve(10);
    const storageBefore = b.storage;
    expect(b.writableBytes).toBe(4);
    expect(b.prependableBytes).toBe(18);
    b.append(bytes(10, 100));
    expect(b.capacity).toBe(24);
    expect(b.storage).toBe(storageBefore);
    expect(b.readerIndex).toBe(8);
    expect(b.writerIndex).toBe(8 + 12);
    expect(Buffer.from(b.peek())).toEqual(Buffer.concat([bytes(2, 10), bytes(10, 100)]));
  });

  it('grows by doubling when compaction is not enough, keeping the content', () => {
    const b = new ByteBuffer(16, 8);
    b.append(bytes(10));
    b.append(bytes(10, 10));
    expect(b.capacity).toBe(48);
    expect(b.readerIndex).toBe(8);
    expect(b.writerIndex).toBe(28);
    b.append(bytes(30, 20));
    expect(b.capacity).toBe(96);
    expect(Buffer.from(b.peek())).toEqual(bytes(50));
  });

  it('grows to what is needed when that is more than double', () => {
    const b = new ByteBuffer(16, 8);
    b.append(bytes(3));
    b.retrieve(1);
    b.append(bytes(1000, 3));
    expect(b.capacity).toBe(8 + 2 + 1000);
    expect(Buffer.from(b.peek())).toEqual(bytes(1002, 1));
  });

  it('never shrinks by itself; shrink() reclaims', () => {
    const b = new ByteBuffer(16, 8);
    b.append(bytes(500));
    const big = b.capacity;
    b.retrieveAll();
    b.append(bytes(4));
    expect(b.capacity).toBe(big);
    b.retrieve(1);
    b.shrink();
    expect(b.capacity).toBe(8 + 3);
    expect(b.readerIndex).toBe(8);
    expect(Buffer.from(b.peek())).toEqual(bytes(3, 1));
    b.shrink(100);
    expect(b.capacity).toBe(8 + 3 + 100);
    expect(b.writableBytes).toBe(100);
  });

  it('ensureWritable guarantees room without touching the content', () => {
    const b = new ByteBuffer(8, 8);
    b.append(bytes(6));
    b.ensureWritable(100);
    expect(b.writableBytes).toBeGreaterThanOrEqual(100);
    expect(Buffer.from(b.peek())).toEqual(bytes(6));
    const cap = b.capacity;
    b.ensureWritable(10);
    expect(b.capacity).toBe(cap);
  });

  it('appending a view of its own storage survives growth', () => {
    const b = new ByteBuffer(8, 0);
    b.append(bytes(8));
    b.append(b.peek());
    expect(Buffer.from(b.peek())).toEqual(Buffer.concat([bytes(8), bytes(8)]));
  });

  it('appending a view of its own storage survives compaction', () => {
    const b = new ByteBuffer(12, 0);
    b.append(bytes(12));
    b.retrieve(2);
    b.append(b.peek().subarray(0, 2)); // compaction moves the bytes under this view
    expect(b.capacity).toBe(12);
    expect(Buffer.from(b.peek())).toEqual(Buffer.concat([bytes(10, 2), bytes(2, 2)]));
  });
});

describe('ByteBuffer prepend', () => {
  it('writes a length header in front of the body', () => {
    const b = new ByteBuffer(64);
    b.append('hello');
    b.prependUInt32BE(5);
    expect(b.readerIndex).toBe(4);
    expect(b.readableBytes).toBe(9);
    expect(Array.from(b.peek())).toEqual([0, 0, 0, 5, 104, 101, 108, 108, 111]);
    expect(b.peekUInt32BE()).toBe(5);
    expect(b.readUInt32BE()).toBe(5);
    expect(b.takeString(5)).toBe('hello');
  });

  it('prepends bytes, UInt16 and UInt8 and rejects what does not fit', () => {
    const b = new ByteBuffer(16, 8);
    b.append(Uint8Array.of(9));
    b.prepend(Uint8Array.of(1, 2, 3));
    b.prependUInt16BE(0x0405);
    b.prependUInt8(6);
    expect(b.prependableBytes).toBe(2);
    expect(Array.from(b.peek())).toEqual([6, 4, 5, 1, 2, 3, 9]);
    expect(() => b.prependUInt32BE(1)).toThrow(RangeError);
    expect(() => b.prepend(Uint8Array.of(1, 2, 3))).toThrow(RangeError);
    expect(Array.from(b.peek())).toEqual([6, 4, 5, 1, 2, 3, 9]);
    expect(b.readUInt8()).toBe(6);
    expect(b.readUInt16BE()).toBe(0x0405);
  });

  it('keeps prepended bytes through compaction and growth', () => {
    const b = new ByteBuffer(8, 4);
    b.append(bytes(6));
    b.prependUInt32BE(0xdeadbeef);
    b.append(bytes(40, 6));
    expect(b.peekUInt32BE()).toBe(0xdeadbeef);
    expect(b.readerIndex).toBe(4);
    b.retrieve(4);
    expect(Buffer.from(b.peek())).toEqual(bytes(46));
  });
});

describe('ByteBuffer integers', () => {
  it('appends and reads big-endian integers', () => {
    const b = new ByteBuffer(2);
    b.appendUInt8(0xab);
    b.appendUInt16BE(0x1234);
    b.appendUInt32BE(0x89abcdef);
    expect(Array.from(b.peek())).toEqual([0xab, 0x12, 0x34, 0x89, 0xab, 0xcd, 0xef]);
    expect(b.peekUInt8()).toBe(0xab);
    expect(b.readUInt8()).toBe(0xab);
    expect(b.peekUInt16BE()).toBe(0x1234);
    expect(b.readUInt16BE()).toBe(0x1234);
    expect(b.readableBytes).toBe(4);
    expect(b.readUInt32BE()).toBe(0x89abcdef);
    expect(b.readableBytes).toBe(0);
  });

  it('throws RangeError on short reads and out-of-range values, leaving state alone', () => {
    const b = new ByteBuffer(16);
    b.append(Uint8Array.of(1, 2, 3));
    expect(() => b.peekUInt32BE()).toThrow(RangeError);
    expect(() => b.readUInt32BE()).toThrow(RangeError);
    expect(b.readableBytes).toBe(3);
    b.retrieve(2);
    expect(() => b.peekUInt16BE()).toThrow(RangeError);
    b.retrieve(1);
    expect(() => b.peekUInt8()).toThrow(RangeError);
    expect(() => b.appendUInt8(256)).toThrow(RangeError);
    expect(() => b.appendUInt16BE(-1)).toThrow(RangeError);
    expect(() => b.appendUInt32BE(2 ** 32)).toThrow(RangeError);
    expect(() => b.appendUInt32BE(1.5)).toThrow(RangeError);
    expect(() => b.prependUInt8(300)).toThrow(RangeError);
    expect(b.readableBytes).toBe(0);
    expect(b.readerIndex).toBe(8);
  });
});

describe('ByteBuffer take', () => {
  it('take() returns memory not shared with the storage', () => {
    const b = new ByteBuffer(64);
    b.append(bytes(32));
    const t = b.take(16);
    expect(t).toBeInstanceOf(Buffer);
    expect(t).toEqual(bytes(16));
    expect(t.buffer).not.toBe(b.storage.buffer);
    // Overwrite the whole storage: the taken bytes must not change.
    b.storage.fill(0x55);
    expect(t).toEqual(bytes(16));
    const all = b.takeAll();
    expect(all.length).toBe(16);
    expect(all.buffer).not.toBe(b.storage.buffer);
    expect(b.readableBytes).toBe(0);
    expect(b.takeAll().length).toBe(0);
  });

  it('retrieve/take/takeString beyond the readable bytes throw RangeError', () => {
    const b = new ByteBuffer(16);
    b.append('abcd');
    expect(() => b.retrieve(5)).toThrow(RangeError);
    expect(() => b.take(5)).toThrow(RangeError);
    expect(() => b.takeString(5)).toThrow(RangeError);
    expect(() => b.retrieve(-1)).toThrow(RangeError);
    expect(() => b.retrieve(1.5)).toThrow(RangeError);
    expect(b.readableBytes).toBe(4);
  });

  it('hasWritten/unwrite check their bounds', () => {
    const b = new ByteBuffer(16);
    b.storage.set(Uint8Array.of(7, 8, 9), b.writerIndex);
    b.hasWritten(3);
    expect(Array.from(b.peek())).toEqual([7, 8, 9]);
    expect(() => b.hasWritten(14)).toThrow(RangeError);
    b.unwrite(1);
    expect(Array.from(b.peek())).toEqual([7, 8]);
    expect(() => b.unwrite(3)).toThrow(RangeError);
    expect(() => b.ensureWritable(-1)).toThrow(RangeError);
    expect(() => new ByteBuffer(-1)).toThrow(RangeError);
  });
});

describe('ByteBuffer search', () => {
  it('indexOf/findEOL/findCRLF are relative to readerIndex', () => {
    const b = new ByteBuffer(64);
    b.append('xxGET / HTTP/1.1\r\nHost: a\r\n');
    b.retrieve(2);
    expect(b.findCRLF()).toBe(14);
    expect(b.findEOL()).toBe(15);
    expect(b.indexOf(0x20)).toBe(3);
    expect(b.indexOf(0x20, 4)).toBe(5);
    expect(b.findCRLF(15)).toBe(23);
    expect(b.findEOL(16)).toBe(24);
    expect(b.indexOf(0x7a)).toBe(-1);
    b.retrieve(25);
    expect(b.findEOL()).toBe(-1);
    expect(b.findCRLF()).toBe(-1);
  });

  it('does not find bytes past writerIndex or a CR at the very end', () => {
    const b = new ByteBuffer(32);
    b.append('ab\n');
    b.unwrite(1); // the '\n' is still in storage, past writerIndex
    expect(b.findEOL()).toBe(-1);
    b.append('\r');
    expect(b.findCRLF()).toBe(-1);
    b.append('\n');
    expect(b.findCRLF()).toBe(2);
  });
});

describe('ByteBuffer commitRead (readv into storage + scratch)', () => {
  it('n < writable: everything landed in storage', () => {
    const b = new ByteBuffer(16, 8);
    const scratch = new Uint8Array(64);
    const n = fakeReadv(b, bytes(10), scratch);
    b.commitRead(n, scratch);
    expect(b.writerIndex).toBe(18);
    expect(b.capacity).toBe(24);
    expect(Buffer.from(b.peek())).toEqual(bytes(10));
  });

  it('n == writable: storage exactly full, scratch untouched', () => {
    const b = new ByteBuffer(16, 8);
    const scratch = new Uint8Array(64).fill(0xaa);
    const n = fakeReadv(b, bytes(16), scratch);
    b.commitRead(n, scratch);
    expect(b.writableBytes).toBe(0);
    expect(b.capacity).toBe(24);
    expect(Buffer.from(b.peek())).toEqual(bytes(16));
  });

  it('n > writable: the tail comes from scratch and the buffer grows', () => {
    const b = new ByteBuffer(16, 8);
    b.append(bytes(4, 200));
    const scratch = new Uint8Array(64);
    const data = bytes(50);
    const n = fakeReadv(b, data, scratch);
    expect(n).toBe(50);
    b.commitRead(n, scratch);
    expect(b.readableBytes).toBe(54);
    expect(b.capacity).toBe(8 + 4 + 50); // max(2 * 24, needed)
    expect(Buffer.from(b.peek())).toEqual(Buffer.concat([bytes(4, 200), data]));
  });

  it('n > writable: compacts instead of growing when the prependable space suffices', () => {
    const b = new ByteBuffer(32, 8);
    b.append(bytes(30));
    b.retrieve(26);
    const storage = b.storage;
    const scratch = new Uint8Array(64);
    const data = bytes(20, 77);
    const n = fakeReadv(b, data, scratch);
    b.commitRead(n, scratch);
    expect(b.storage).toBe(storage);
    expect(b.capacity).toBe(40);
    expect(b.readerIndex).toBe(8);
    expect(Buffer.from(b.peek())).toEqual(Buffer.concat([bytes(4, 26), data]));
  });

  it('uses the whole scratch when it is exactly filled', () => {
    const b = new ByteBuffer(4, 0);
    const scratch = new Uint8Array(8);
    const n = fakeReadv(b, bytes(12), scratch);
    b.commitRead(n, scratch);
    expect(Buffer.from(b.peek())).toEqual(bytes(12));
  });

  it('rejects a count larger than storage + scratch', () => {
    const b = new ByteBuffer(4, 0);
    expect(() => b.commitRead(13, new Uint8Array(8))).toThrow(RangeError);
    expect(b.readableBytes).toBe(0);
    expect(() => b.commitRead(-1, new Uint8Array(8))).toThrow(RangeError);
  });
});

describe('ByteBuffer against a reference model', () => {
  for (const seed of [1, 2, 3, 0xc0ffee]) {
    it(`random appends/retrieves/reads match Buffer.concat (seed ${seed})`, () => {
      const rnd = prng(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      const b = new ByteBuffer(int(40), int(2) === 0 ? 0 : 8);
      const scratch = new Uint8Array(256);
      let model = Buffer.alloc(0);
      let counter = 0;
      const fresh = (n: number): Buffer => {
        const out = bytes(n, counter);
        counter += n;
        return out;
      };
      let grew = 0;
      let compacted = 0;
      for (let step = 0; step < 4000; step++) {
        const capBefore = b.capacity;
        const storageBefore = b.storage;
        const readerBefore = b.readerIndex;
        const op = int(9);
        if (op === 0 || op === 1) {
          const d = fresh(int(int(8) === 0 ? 600 : 40));
          b.append(d);
          model = Buffer.concat([model, d]);
        } else if (op === 2) {
          const s = 'ab€'.repeat(int(5));
          b.append(s);
          model = Buffer.concat([model, Buffer.from(s)]);
        } else if (op === 3) {
          const n = int(model.length + 1);
          b.retrieve(n);
          model = model.subarray(n);
        } else if (op === 4) {
          const n = int(model.length + 1);
          const t = b.take(n);
          expect(t).toEqual(model.subarray(0, n));
          model = model.subarray(n);
        } else if (op === 5) {
          const d = fresh(int(300));
          const n = fakeReadv(b, d, scratch);
          b.commitRead(n, scratch);
          model = Buffer.concat([model, d.subarray(0, n)]);
        } else if (op === 6) {
          if (b.prependableBytes >= 4) {
            const v = int(2 ** 32);
            b.prependUInt32BE(v);
            const h = Buffer.alloc(4);
            h.writeUInt32BE(v);
            model = Buffer.concat([h, model]);
          } else {
            expect(() => b.prependUInt32BE(1)).toThrow(RangeError);
          }
        } else if (op === 7) {
          if (model.length >= 4) {
            expect(b.readUInt32BE()).toBe(model.readUInt32BE(0));
            model = model.subarray(4);
          } else {
            expect(() => b.readUInt32BE()).toThrow(RangeError);
          }
        } else {
          const n = int(model.length + 1);
          b.unwrite(n);
          model = model.subarray(0, model.length - n);
        }
        if (b.capacity > capBefore) grew++;
        // Only compaction moves the reader index back during an append.
        else if ((op <= 2 || op === 5) && b.readerIndex < readerBefore) {
          expect(b.storage).toBe(storageBefore);
          expect(b.readerIndex).toBe(b.prependSize);
          compacted++;
        }
        expect(b.readableBytes).toBe(model.length);
        expect(Buffer.compare(Buffer.from(b.peek()), model)).toBe(0);
        expect(b.readerIndex + b.readableBytes).toBe(b.writerIndex);
        expect(b.writerIndex + b.writableBytes).toBe(b.capacity);
        expect(b.capacity).toBeGreaterThanOrEqual(capBefore); // never shrinks implicitly
      }
      expect(grew).toBeGreaterThan(0);
      expect(compacted).toBeGreaterThan(0);
      expect(b.takeAll()).toEqual(model);
    });
  }
});
