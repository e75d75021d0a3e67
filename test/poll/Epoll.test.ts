// Epoll: the raw demultiplexer, on real sockets, FIFOs and eventfds. Follows the
// behaviours CPython's Lib/test/test_epoll.py checks for select.epoll, plus the
// LT/ET/ONESHOT semantics and argument checking this library promises.
import { describe, expect, it } from 'vitest';
import { openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Epoll } from '../../src/poll/Epoll.js';
import { EventFd } from '../../src/poll/EventFd.js';
import { TimerFd } from '../../src/poll/TimerFd.js';
import { resolveAddon } from '../../src/sys/addon.js';
import { native } from '../../src/sys/addon.js';
import {
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLLEXCLUSIVE,
  EPOLLPRI,
  EPOLLWAKEUP,
  SHUT_WR,
} from '../../src/sys/constants.js';
import { SystemError } from '../../src/sys/SystemError.js';
import { fdFlags, fifoPair, O_CLOEXEC, openFdCount, readSome, tcpPair, trackedFds, writeAll } from '../helpers.js';

const fds = trackedFds();

function withEpoll(fn: (ep: Epoll) => void, options?: { maxEvents?: number }): void {
  const ep = new Epoll(options);
  try {
    fn(ep);
  } finally {
    ep.close();
  }
}

/** The (fd -> events) map of the last wait. */
function eventsOf(ep: Epoll, n: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < n; i++) m.set(ep.fdAt(i), ep.eventsAt(i));
  return m;
}

function expectSystemError(fn: () => unknown, code: string, syscall = 'epoll_ctl'): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SystemError);
  const err = caught as SystemError;
  expect(err.code).toBe(code);
  expect(err.syscall).toBe(syscall);
  expect(err.errno).toBeGreaterThan(0);
}

describe('Epoll lifecycle', () => {
  it('creates a real, close-on-exec epoll fd', () => {
    withEpoll((ep) => {
      expect(Number.isInteger(ep.fd)).toBe(true);
      expect(ep.fd).toBeGreaterThan(2);
      expect(fdFlags(ep.fd) & O_CLOEXEC).toBe(O_CLOEXEC);
      expect(ep.closed).toBe(false);
    });
  });

  it('close() twice is a no-op and every other call after close throws EBADF', () => {
    const ep = new Epoll();
    const before = openFdCount();
    ep.close();
    expect(openFdCount()).toBe(before - 1);
    ep.close();
    expect(ep.closed).toBe(true);
    expectSystemError(() => ep.fd, 'EBADF', 'fileno');
    expectSystemError(() => ep.add(0, EPOLLIN), 'EBADF');
    expectSystemError(() => ep.modify(0, EPOLLIN), 'EBADF');
    expectSystemError(() => ep.delete(0), 'EBADF');
    expectSystemError(() => ep.wait(0), 'EBADF', 'epoll_wait');
    expectSystemError(() => ep.poll(0), 'EBADF', 'epoll_wait');
    expect(() => ep.watch(() => {})).toThrow(SystemError);
  });

  it('rejects bad maxEvents', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 21]) expect(() => new Epoll({ maxEvents: bad })).toThrow(RangeError);
    expect(() => new Epoll({ maxEvents: 'x' as unknown as number })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('Epoll control', () => {
  it('add twice is EEXIST; modify/delete of an unregistered fd is ENOENT', () => {
    withEpoll((ep) => {
      const [a] = tcpPair(fds);
      ep.add(a, EPOLLIN);
      expectSystemError(() => ep.add(a, EPOLLIN), 'EEXIST');
      const [b] = tcpPair(fds);
      expectSystemError(() => ep.modify(b, EPOLLIN), 'ENOENT');
      expectSystemError(() => ep.delete(b), 'ENOENT');
      ep.delete(a);
      expectSystemError(() => ep.delete(a), 'ENOENT');
    });
  });

  it('a regular file is EPERM; a closed fd is EBADF', () => {
    withEpoll((ep) => {
      const file = fds.add(openSync(new URL(import.meta.url), 'r'));
      expectSystemError(() => ep.add(file, EPOLLIN), 'EPERM');
      const [a] = tcpPair(fds);
      native.close(a);
      fds.forget(a);
      expectSystemError(() => ep.add(a, EPOLLIN), 'EBADF');
      expectSystemError(() => ep.delete(a), 'EBADF');
    });
  });

  it('unknown event bits are EINVAL, checked before the kernel sees them', () => {
    withEpoll((ep) => {
      const [a] = tcpPair(fds);
      for (const bad of [0x20, 0x800, 1 << 20]) expectSystemError(() => ep.add(a, EPOLLIN | bad), 'EINVAL');
      ep.add(a, EPOLLIN | EPOLLPRI | EPOLLRDHUP);
      expectSystemError(() => ep.modify(a, EPOLLIN | 0x800), 'EINVAL');
    });
  });

  it('accepts flags as signed or unsigned 32-bit numbers', () => {
    const signed = EPOLLIN | EPOLLET;
    expect(signed).toBeLessThan(0);
    withEpoll((ep) => {
      const [a, b] = tcpPair(fds);
      const [c, d] = tcpPair(fds);
      ep.add(a, signed, 1);
      ep.add(c, signed >>> 0, 2);
      writeAll(b, 'x');
      writeAll(d, 'y');
      const n = ep.wait(1000);
      expect(n).toBe(2);
      const m = eventsOf(ep, n);
      expect(m.get(a)! & EPOLLIN).toBe(EPOLLIN);
      expect(m.get(c)! & EPOLLIN).toBe(EPOLLIN);
    });
  });

  it('EXCLUSIVE and WAKEUP are accepted at add time', () => {
    withEpoll((ep) => {
      const [a, b] = tcpPair(fds);
      ep.add(a, EPOLLIN | EPOLLEXCLUSIVE);
      ep.add(b, EPOLLIN | EPOLLWAKEUP);
      expect(ep.wait(0)).toBe(0);
    });
  });

  it('tokens come back with events and follow modify, across the full uint32 range', () => {
    withEpoll((ep) => {
      const [a, b] = tcpPair(fds);
      ep.add(a, EPOLLIN, 7);
      writeAll(b, 'hello');
      expect(ep.wait(1000)).toBe(1);
      expect(ep.fdAt(0)).toBe(a);
      expect(ep.tokenAt(0)).toBe(7);
      ep.modify(a, EPOLLIN, 0xffffffff);
      expect(ep.wait(1000)).toBe(1);
      expect(ep.tokenAt(0)).toBe(0xffffffff);
      ep.modify(a, EPOLLIN, 0);
      expect(ep.wait(1000)).toBe(1);
      expect(ep.tokenAt(0)).toBe(0);
      expect(ep.fdAt(0)).toBe(a);
    });
  });
});

describe('Epoll wait', () => {
  it('reports writable then readable+writable on a connected pair (CPython control_and_wait)', () => {
    withEpoll((ep) => {
      const [client, server] = tcpPair(fds);
      ep.add(client, EPOLLIN | EPOLLOUT);
      ep.add(server, EPOLLIN | EPOLLOUT);
      let n = ep.wait(1000);
      expect(eventsOf(ep, n)).toEqual(new Map([[client, EPOLLOUT], [server, EPOLLOUT]]));
      writeAll(client, 'Python');
      writeAll(server, 'Python');
      const deadline = Date.now() + 1000;
      let m = new Map<number, number>();
      while (Date.now() < deadline) {
        n = ep.wait(100);
        m = eventsOf(ep, n);
        if (m.get(client) === (EPOLLIN | EPOLLOUT) && m.get(server) === (EPOLLIN | EPOLLOUT)) break;
      }
      expect(m).toEqual(new Map([[client, EPOLLIN | EPOLLOUT], [server, EPOLLIN | EPOLLOUT]]));
      ep.delete(client);
      ep.modify(server, EPOLLIN);
      n = ep.wait(0);
      expect(eventsOf(ep, n)).toEqual(new Map([[server, EPOLLIN]]));
    });
  });

  it('LT reports again while data remains; ET reports once per edge', () => {
    withEpoll((ep) => {
      const [lt, ltPeer] = tcpPair(fds);
      const [et, etPeer] = tcpPair(fds);
      ep.add(lt, EPOLLIN, 1);
      ep.add(et, EPOLLIN | EPOLLET, 2);
      writeAll(ltPeer, 'abc');
      writeAll(etPeer, 'abc');
      // both become readable (the two writes may land in separate waits)
      const seen = new Set<number>();
      const until1 = Date.now() + 1000;
      while (seen.size < 2 && Date.now() < until1) {
        const k = ep.wait(100);
        for (let i = 0; i < k; i++) seen.add(ep.tokenAt(i));
      }
      expect(seen).toEqual(new Set([1, 2]));
      let n: number;
      // nothing read: LT fires again, ET does not
      n = ep.wait(0);
      expect(eventsOf(ep, n)).toEqual(new Map([[lt, EPOLLIN]]));
      n = ep.wait(0);
      expect(eventsOf(ep, n)).toEqual(new Map([[lt, EPOLLIN]]));
      // a new edge (more data) fires ET once more
      writeAll(etPeer, 'more');
      const deadline = Date.now() + 1000;
      let sawEt = false;
      while (!sawEt && Date.now() < deadline) {
        n = ep.wait(100);
        sawEt = eventsOf(ep, n).has(et);
      }
      expect(sawEt).toBe(true);
      expect(eventsOf(ep, ep.wait(0)).has(et)).toBe(false);
      // draining LT makes it quiet
      expect(readSome(lt).toString()).toBe('abc');
      expect(ep.wait(0)).toBe(0);
    });
  });

  it('ONESHOT disarms after one event until modify re-arms it', () => {
    withEpoll((ep) => {
      const [a, b] = tcpPair(fds);
      ep.add(a, EPOLLIN | EPOLLONESHOT, 3);
      writeAll(b, 'x');
      expect(ep.wait(1000)).toBe(1);
      expect(ep.tokenAt(0)).toBe(3);
      expect(ep.wait(0)).toBe(0);
      writeAll(b, 'y');
      expect(ep.wait(50)).toBe(0);
      ep.modify(a, EPOLLIN | EPOLLONESHOT, 4);
      expect(ep.wait(1000)).toBe(1);
      expect(ep.tokenAt(0)).toBe(4);
    });
  });

  it('reports RDHUP when the peer half-closes and HUP when both directions are shut', () => {
    withEpoll((ep) => {
      const [a, b] = tcpPair(fds);
      ep.add(a, EPOLLIN | EPOLLRDHUP);
      native.shutdown(b, SHUT_WR);
      expect(ep.wait(1000)).toBe(1);
      expect(ep.eventsAt(0) & (EPOLLIN | EPOLLRDHUP)).toBe(EPOLLIN | EPOLLRDHUP);
      native.shutdown(a, SHUT_WR);
      const deadline = Date.now() + 1000;
      let ev = 0;
      while (!(ev & EPOLLHUP) && Date.now() < deadline) ev = ep.wait(100) ? ep.eventsAt(0) : 0;
      expect(ev & EPOLLHUP).toBe(EPOLLHUP);
      expect(ev & EPOLLERR).toBe(0);
    });
  });

  it('works on pipes (FIFOs from node:fs)', () => {
    withEpoll((ep) => {
      const [r, w] = fifoPair(fds);
      ep.add(r, EPOLLIN, 11);
      ep.add(w, EPOLLOUT, 12);
      let m = eventsOf(ep, ep.wait(1000));
      expect(m.get(w)).toBe(EPOLLOUT);
      expect(m.has(r)).toBe(false);
      writeAll(w, 'pipe');
      m = eventsOf(ep, ep.wait(1000));
      expect(m.get(r)).toBe(EPOLLIN);
      expect(readSome(r).toString()).toBe('pipe');
    });
  });

  it('honours timeouts: 0 returns at once, a positive timeout is never cut short', () => {
    withEpoll((ep) => {
      const [a] = tcpPair(fds);
      ep.add(a, EPOLLIN);
      let t = performance.now();
      expect(ep.wait(0)).toBe(0);
      expect(performance.now() - t).toBeLessThan(50);
      for (const ms of [1, 20, 50.3]) {
        t = performance.now();
        expect(ep.wait(ms)).toBe(0);
        // the kernel may round up; it must never return early (CPython's test_timeout_rounding)
        expect(performance.now() - t).toBeGreaterThanOrEqual(ms - 0.5);
      }
    });
  });

  it('wait(-1) blocks until an eventfd is written from a worker thread', async () => {
    const ep = new Epoll();
    const efd = new EventFd();
    const backstop = new TimerFd(); // wakes the wait if the worker never writes
    try {
      ep.add(efd.fd, EPOLLIN, 1);
      ep.add(backstop.fd, EPOLLIN, 2);
      backstop.set(10_000);
      const worker = new Worker(
        `const { workerData } = require('node:worker_threads');
         const addon = require(workerData.addon);
         setTimeout(() => addon.eventfdWrite(workerData.fd, 5), 100);`,
        { eval: true, workerData: { addon: resolveAddon(), fd: efd.fd } },
      );
      const online = new Promise((r) => worker.once('online', r));
      await online;
      const t = performance.now();
      const n = ep.wait(-1);
      const elapsed = performance.now() - t;
      expect(n).toBe(1);
      expect(ep.tokenAt(0)).toBe(1);
      expect(efd.read()).toBe(5);
      expect(elapsed).toBeGreaterThan(50);
      await worker.terminate();
    } finally {
      backstop.close();
      efd.close();
      ep.close();
    }
  });

  it('with maxEvents smaller than the ready set, LT rotates so every fd is reported', () => {
    withEpoll(
      (ep) => {
        const readers: number[] = [];
        for (let i = 0; i < 5; i++) {
          const [a, b] = tcpPair(fds);
          ep.add(a, EPOLLIN);
          writeAll(b, 'x');
          readers.push(a);
        }
        const seen = new Set<number>();
        for (let round = 0; round < 6 && seen.size < 5; round++) {
          const n = ep.wait(1000);
          expect(n).toBeLessThanOrEqual(2);
          for (let i = 0; i < n; i++) seen.add(ep.fdAt(i));
        }
        expect([...seen].sort()).toEqual([...readers].sort());
      },
      { maxEvents: 2 },
    );
  });

  it('poll() returns [fd, events] pairs (the slow path)', () => {
    withEpoll((ep) => {
      const [a, b] = tcpPair(fds);
      ep.add(a, EPOLLIN);
      expect(ep.poll(0)).toEqual([]);
      writeAll(b, 'z');
      expect(ep.poll(1000)).toEqual([[a, EPOLLIN]]);
    });
  });
});

describe('Epoll argument checking', () => {
  it('rejects wrong types and ranges with TypeError/RangeError, never a crash', () => {
    withEpoll((ep) => {
      const [a] = tcpPair(fds);
      expect(() => ep.add('3' as unknown as number, EPOLLIN)).toThrow(TypeError);
      expect(() => ep.add({} as unknown as number, EPOLLIN)).toThrow(TypeError);
      expect(() => ep.add(undefined as unknown as number, EPOLLIN)).toThrow(TypeError);
      expect(() => ep.add(-1, EPOLLIN)).toThrow(RangeError);
      expect(() => ep.add(1.5, EPOLLIN)).toThrow(RangeError);
      expect(() => ep.add(2 ** 40, EPOLLIN)).toThrow(RangeError);
      expect(() => ep.add(a, 'IN' as unknown as number)).toThrow(TypeError);
      expect(() => ep.add(a, 2 ** 32)).toThrow(RangeError);
      expect(() => ep.add(a, -(2 ** 31) - 1)).toThrow(RangeError);
      expect(() => ep.add(a, EPOLLIN, -1)).toThrow(RangeError);
      expect(() => ep.add(a, EPOLLIN, 2 ** 32)).toThrow(RangeError);
      expect(() => ep.add(a, EPOLLIN, 0.5)).toThrow(RangeError);
      expect(() => ep.wait('x' as unknown as number)).toThrow(TypeError);
      expect(() => ep.wait(Number.NaN)).toThrow(TypeError);
      expect(() => ep.fdAt(0)).toThrow(RangeError);
      expect(() => ep.eventsAt(-1)).toThrow(RangeError);
      expect(() => ep.watch('x' as unknown as () => void)).toThrow(TypeError);
      // still usable afterwards
      ep.add(a, EPOLLIN);
      expect(ep.wait(0)).toBe(0);
    });
  });

  it('the native layer checks its arguments too', () => {
    const out = new Uint32Array(3);
    expect(() => native.epollWait(-1 as number, out, 1, 0)).toThrow(RangeError);
    expect(() => native.epollWait(0, out, 2, 0)).toThrow(RangeError);
    expect(() => native.epollWait(0, new Int32Array(3) as unknown as Uint32Array, 1, 0)).toThrow(TypeError);
    expect(() => native.read(0, 'x' as unknown as Uint8Array, 0, 1)).toThrow(TypeError);
    expect(() => native.read(0, new Uint8Array(4), 2, 3)).toThrow(RangeError);
    expect(() => native.readv(0, [new Uint8Array(1), 5 as unknown as Uint8Array])).toThrow(TypeError);
  });
});
