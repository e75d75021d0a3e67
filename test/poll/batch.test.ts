// The batched turn's native calls (native/batch.cc) through Epoll.waitRead and
// the raw writeMany: which events get read, where their bytes land, what the
// results mean, and that bad arguments are rejected before any I/O happens.
import { describe, expect, it } from 'vitest';
import { AUTO_READ, Epoll, NOT_READ } from '../../src/poll/Epoll.js';
import { native } from '../../src/sys/addon.js';
import { EAGAIN, EBADF, EPOLLIN, EPOLLRDHUP, SHUT_WR } from '../../src/sys/constants.js';
import { readSome, tcpPair, trackedFds, until, writeAll } from '../helpers.js';

const fds = trackedFds();

const text = (arena: Uint8Array, offset: number, n: number): string => Buffer.from(arena.subarray(offset, offset + n)).toString();

function sliceOf(ep: Epoll, n: number, results: Int32Array, fd: number): { result: number; offset: number; token: number } {
  let offset = 0;
  for (let i = 0; i < n; i++) {
    if (ep.fdAt(i) === fd) return { result: results[i]!, offset, token: ep.tokenAt(i) };
    if (results[i]! > 0) offset += results[i]!;
  }
  throw new Error(`no event for fd ${fd}`);
}

describe('Epoll.waitRead (epoll_wait + reads in one call)', () => {
  it('reads AUTO_READ fds into consecutive arena slices and leaves the others alone', async () => {
    const ep = new Epoll({ maxEvents: 8 });
    try {
      const [c1, s1] = tcpPair(fds);
      const [c2, s2] = tcpPair(fds);
      const [c3, s3] = tcpPair(fds);
      ep.add(s1, EPOLLIN, 1 + AUTO_READ);
      ep.add(s2, EPOLLIN, 2 + AUTO_READ);
      ep.add(s3, EPOLLIN, 3); // not flagged: reported, not read
      writeAll(c1, 'first');
      writeAll(c2, 'second!');
      writeAll(c3, 'third');
      const results = new Int32Array(8);
      const arena = new Uint8Array(1024);
      let n = 0;
      await until(() => (n = ep.waitRead(0, results, arena, 64)) === 3, 2000, 'three ready fds');
      const a = sliceOf(ep, n, results, s1);
      const b = sliceOf(ep, n, results, s2);
      const c = sliceOf(ep, n, results, s3);
      expect([a.result, b.result, c.result]).toEqual([5, 7, NOT_READ]);
      expect(text(arena, a.offset, a.result)).toBe('first');
      expect(text(arena, b.offset, b.result)).toBe('second!');
      expect(a.token >>> 0).toBe((1 + AUTO_READ) >>> 0);
      expect(readSome(s3).toString()).toBe('third'); // still queued for its owner
    } finally {
      ep.close();
    }
  });

  it('reports EOF as 0, EAGAIN as -EAGAIN, and reads at most readCap per fd', async () => {
    const ep = new Epoll();
    try {
      const [c1, s1] = tcpPair(fds);
      const [c2, s2] = tcpPair(fds);
      ep.add(s1, EPOLLIN | EPOLLRDHUP, 1 + AUTO_READ);
      ep.add(s2, EPOLLIN, 2 + AUTO_READ);
      native.shutdown(c1, SHUT_WR);
      writeAll(c2, 'x'.repeat(100));
      const results = new Int32Array(ep.maxEvents);
      const arena = new Uint8Array(256);
      let n = 0;
      await until(() => (n = ep.waitRead(0, results, arena, 40)) === 2, 2000, 'two ready fds');
      expect(sliceOf(ep, n, results, s1).result).toBe(0);
      expect(sliceOf(ep, n, results, s2).result).toBe(40); // capped; LT reports the rest again
      n = ep.waitRead(0, results, arena, 40);
      expect(sliceOf(ep, n, results, s2).result).toBe(40);
      n = ep.waitRead(0, results, arena, 40);
      expect(sliceOf(ep, n, results, s2).result).toBe(20);
      expect(native.read(s2, arena, 0, 8)).toBe(-EAGAIN);
    } finally {
      ep.close();
    }
  });

  it('does not read when less than readCap of arena is left (NOT_READ: the caller reads)', async () => {
    const ep = new Epoll();
    try {
      const [c1, s1] = tcpPair(fds);
      const [c2, s2] = tcpPair(fds);
      ep.add(s1, EPOLLIN, 1 + AUTO_READ);
      ep.add(s2, EPOLLIN, 2 + AUTO_READ);
      writeAll(c1, 'a'.repeat(30));
      writeAll(c2, 'b'.repeat(30));
      const results = new Int32Array(ep.maxEvents);
      const arena = new Uint8Array(48); // room for one 32-byte read, not two
      await until(() => ep.waitRead(0, results, arena, 32) === 2, 2000, 'two ready fds');
      expect([results[0], results[1]]).toEqual([30, NOT_READ]);
      const unread = ep.fdAt(1);
      expect(readSome(unread).toString()).toMatch(/^(a{30}|b{30})$/);
    } finally {
      ep.close();
    }
  });

  it('rejects bad arguments with TypeError/RangeError', () => {
    const ep = new Epoll({ maxEvents: 4 });
    try {
      const arena = new Uint8Array(64);
      expect(() => ep.waitRead(0, new Int32Array(2), arena, 8)).toThrow(RangeError); // results shorter than maxEvents
      expect(() => ep.waitRead(0, new Int32Array(4), arena, 0)).toThrow(RangeError);
      expect(() => ep.waitRead(0, new Int32Array(4), arena, 65)).toThrow(RangeError);
      expect(() => ep.waitRead(0, new Uint32Array(4) as unknown as Int32Array, arena, 8)).toThrow(TypeError);
      expect(() => ep.waitRead(0, new Int32Array(4), [] as unknown as Uint8Array, 8)).toThrow(TypeError);
    } finally {
      ep.close();
    }
  });
});

describe('writeMany (one call, many fds)', () => {
  it('writes each entry to its fd and replaces its length with the result', () => {
    const [c1, s1] = tcpPair(fds);
    const [c2, s2] = tcpPair(fds);
    const arena = new Uint8Array(Buffer.from('hello, world'));
    const table = new Int32Array([s1, 0, 5, s2, 7, 5, 999_999, 0, 1]);
    expect(native.writeMany(table, 3, arena)).toBe(3);
    expect(Array.from(table)).toEqual([s1, 0, 5, s2, 7, 5, 999_999, 0, -EBADF]);
    expect(readSome(c1).toString()).toBe('hello');
    expect(readSome(c2).toString()).toBe('world');
  });

  it('validates every entry before writing any', () => {
    const [c1, s1] = tcpPair(fds);
    const arena = new Uint8Array(8);
    expect(() => native.writeMany(new Int32Array([s1, 0, 4, s1, 6, 4]), 2, arena)).toThrow(RangeError);
    expect(() => native.writeMany(new Int32Array([s1, 0, 4]), 2, arena)).toThrow(RangeError);
    expect(() => native.writeMany(new Int32Array([-1, 0, 4]), 1, arena)).toThrow(RangeError);
    expect(() => native.writeMany([s1, 0, 4] as unknown as Int32Array, 1, arena)).toThrow(TypeError);
    expect(native.read(c1, arena, 0, 8)).toBe(-EAGAIN); // nothing left
  });
});

describe('pageOffset and the page-aligned read arena', () => {
  it('reports where a Uint8Array starts within its page, and BatchIo aligns its arena to a page', async () => {
    const { BatchIo } = await import('../../src/loop/BatchIo.js');
    const big = new Uint8Array(1 << 20);
    const off = native.pageOffset(big);
    expect(off).toBeGreaterThanOrEqual(0);
    expect(off).toBeLessThan(4096);
    expect(native.pageOffset(big.subarray(5))).toBe((off + 5) % 4096);
    expect(native.pageOffset(big.subarray((4096 - off) % 4096))).toBe(0);
    expect(() => native.pageOffset([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    for (const readArenaSize of [1 << 20, 200_000, 65_536]) {
      const b = new BatchIo(16, { readArenaSize });
      expect(native.pageOffset(b.readArena)).toBe(0);
      expect(b.readArena.length).toBe(readArenaSize);
    }
  });
});
