// epoll-reactor/compat in-process: the npm `epoll` API, checked against the
// original package itself (a devDependency) wherever both can run side by side.
import { describe, expect, it } from 'vitest';
import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { Epoll } from '../../src/compat/index.js';
import { EventFd } from '../../src/poll/EventFd.js';
import { EPOLLIN, EPOLLPRI } from '../../src/sys/constants.js';
import { execFileSync } from 'node:child_process';
import { Fds, tcpPair } from '../helpers.js';

const require = createRequire(import.meta.url);
const Original = (require('epoll') as { Epoll: typeof Epoll }).Epoll;

const NAMES = ['EPOLLIN', 'EPOLLOUT', 'EPOLLRDHUP', 'EPOLLPRI', 'EPOLLERR', 'EPOLLHUP', 'EPOLLET', 'EPOLLONESHOT'] as const;

type Event = [err: Error | null, fd: number, events: number];

/** Collects callbacks; `next(n)` resolves once n have arrived (or rejects after `ms`). */
function recorder() {
  const events: Event[] = [];
  let waiter: (() => void) | null = null;
  let want = 0;
  const cb = (err: Error | null, fd: number, events_: number) => {
    events.push([err, fd, events_]);
    if (waiter && events.length >= want) waiter();
  };
  const next = (n: number, ms = 2000) =>
    new Promise<void>((resolve, reject) => {
      want = n;
      if (events.length >= n) return resolve();
      const t = setTimeout(() => reject(new Error(`only ${events.length} of ${n} events after ${ms} ms`)), ms);
      waiter = () => {
        clearTimeout(t);
        waiter = null;
        resolve();
      };
    });
  return { cb, events, next };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('compat Epoll: the npm epoll API', () => {
  it('has the original constants, with the same values, read-only', () => {
    for (const name of NAMES) {
      expect(Epoll[name], name).toBe(Original[name]);
      const d = Object.getOwnPropertyDescriptor(Epoll, name)!;
      expect(d.writable, name).toBe(false);
      expect(d.enumerable, name).toBe(true);
    }
    expect(Epoll.EPOLLPRI).toBe(EPOLLPRI);
  });

  it('chains add/modify/remove, close() returns null, a second close() throws, `closed` follows', () => {
    const efd = new EventFd();
    try {
      for (const E of [Epoll, Original]) {
        const ep = new E(() => {});
        expect(ep.closed).toBe(false);
        expect(ep.add(efd.fd, E.EPOLLIN)).toBe(ep);
        expect(ep.modify(efd.fd, E.EPOLLOUT)).toBe(ep);
        expect(ep.remove(efd.fd)).toBe(ep);
        expect(ep.close()).toBe(null);
        expect(ep.closed).toBe(true);
        expect(() => ep.close()).toThrow("close can't be called more than once");
        expect(() => ep.add(efd.fd, E.EPOLLIN)).toThrow("add can't be called after calling close");
        expect(() => ep.modify(efd.fd, E.EPOLLIN)).toThrow("modify can't be called after calling close");
        expect(() => ep.remove(efd.fd)).toThrow("remove can't be called after calling close");
      }
    } finally {
      efd.close();
    }
  });

  it('accepts every constant in add and modify (the original verify-events test)', () => {
    const efd = new EventFd();
    const ep = new Epoll(() => {});
    try {
      for (const name of NAMES) ep.add(efd.fd, Epoll[name]).remove(efd.fd);
      ep.add(efd.fd, Epoll.EPOLLONESHOT);
      for (const name of NAMES) ep.modify(efd.fd, Epoll[name]);
      ep.remove(efd.fd);
      ep.add(efd.fd, Epoll.EPOLLIN | Epoll.EPOLLET).modify(efd.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT | Epoll.EPOLLET).remove(efd.fd);
    } finally {
      ep.close();
      efd.close();
    }
  });

  it('throws what the original throws for misuse and for failed syscalls', () => {
    const efd = new EventFd();
    const notOpen = 987_654; // above any fd this process has
    try {
      for (const E of [Epoll, Original]) {
        expect(() => new (E as unknown as new (x: unknown) => Epoll)(42)).toThrow('First argument to construtor must be a callback');
        const ep = new E(() => {});
        expect(() => ep.add('3' as unknown as number, E.EPOLLIN)).toThrow('incorrect arguments passed to add(int fd, int events)');
        expect(() => ep.add(1.5, E.EPOLLIN)).toThrow('incorrect arguments passed to add(int fd, int events)');
        expect(() => ep.modify(efd.fd, 'x' as unknown as number)).toThrow('incorrect arguments passed to modify(int fd, int events)');
        expect(() => ep.remove(null as unknown as number)).toThrow('incorrect arguments passed to remove(int fd)');
        expect(() => ep.add(notOpen, E.EPOLLIN)).toThrow(/^Bad file descriptor$/);
        expect(() => ep.modify(efd.fd, E.EPOLLIN)).toThrow(/^No such file or directory$/);
        ep.add(efd.fd, E.EPOLLIN);
        // one set per thread, as in the original: the same fd cannot be in two instances
        const other = new E(() => {});
        expect(() => other.add(efd.fd, E.EPOLLIN)).toThrow(/^File exists$/);
        other.close();
        ep.remove(efd.fd).close();
      }
      const ep = new Epoll(() => {});
      let err: unknown;
      try {
        ep.add(notOpen, Epoll.EPOLLIN);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ message: 'Bad file descriptor', code: 'EBADF', errno: 9, syscall: 'epoll_ctl' });
      ep.close();
    } finally {
      efd.close();
    }
  });

  it('calls back with (null, fd, events) on the main thread, in the async context of the constructor', async () => {
    const efd = new EventFd();
    const als = new AsyncLocalStorage<string>();
    const seen: Array<{ store: string | undefined; resource: unknown }> = [];
    const rec = recorder();
    const ep = als.run('made-here', () =>
      new Epoll((err, fd, events) => {
        seen.push({ store: als.getStore(), resource: executionAsyncResource() });
        rec.cb(err, fd, events);
      }),
    );
    try {
      ep.add(efd.fd, Epoll.EPOLLIN);
      await als.run('elsewhere', async () => {
        efd.write(1);
        await rec.next(1);
      });
      expect(rec.events[0]).toEqual([null, efd.fd, EPOLLIN]);
      expect(seen[0]!.store).toBe('made-here');
      expect((seen[0]!.resource as object).constructor.name).toBe('AsyncResource');
    } finally {
      ep.remove(efd.fd).close();
      efd.close();
    }
  });

  it('EPOLLONESHOT: one event, then none until modify() re-arms it (the original one-shot and two-shot tests)', async () => {
    const efd = new EventFd({ initval: 1 }); // readable, never read: LT would report it every turn
    const rec = recorder();
    const ep = new Epoll(rec.cb);
    try {
      ep.add(efd.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT);
      await rec.next(1);
      await sleep(100);
      expect(rec.events.length).toBe(1);
      ep.modify(efd.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT);
      await rec.next(2);
      await sleep(100);
      expect(rec.events.length).toBe(2);
      expect(rec.events.map((e) => e[1])).toEqual([efd.fd, efd.fd]);
    } finally {
      ep.remove(efd.fd).close();
      efd.close();
    }
  });

  it('delivers every ready fd of one wake-up before anything else runs (the original: one per round trip)', async () => {
    const fds = Array.from({ length: 100 }, () => new EventFd({ initval: 1 }));
    let inFirstBatch = 0;
    let batchOver = false;
    const ep = new Epoll(() => {
      if (inFirstBatch === 0) setImmediate(() => (batchOver = true));
      if (!batchOver) inFirstBatch++;
    });
    try {
      for (const f of fds) ep.add(f.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT);
      const deadline = Date.now() + 2000;
      while (!batchOver && Date.now() < deadline) await sleep(5);
      expect(inFirstBatch).toBe(100);
    } finally {
      for (const f of fds) ep.remove(f.fd);
      ep.close();
      for (const f of fds) f.close();
    }
  });

  it('drops an event whose fd an earlier callback of the same batch removed', async () => {
    const a = new EventFd({ initval: 1 });
    const b = new EventFd({ initval: 1 });
    const got: number[] = [];
    const ep = new Epoll((_err, fd) => {
      got.push(fd);
      const other = fd === a.fd ? b.fd : a.fd;
      if (got.length === 1) ep.remove(other);
    });
    try {
      ep.add(a.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT).add(b.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT);
      await sleep(100);
      expect(got.length).toBe(1);
    } finally {
      ep.remove(got[0]!).close();
      a.close();
      b.close();
    }
  });

  it('close() deregisters every fd it added, so they can be added again', async () => {
    const a = new EventFd();
    const b = new EventFd();
    const ep = new Epoll(() => {});
    ep.add(a.fd, Epoll.EPOLLIN).add(b.fd, Epoll.EPOLLIN);
    ep.close();
    const again = new Epoll(() => {});
    try {
      again.add(a.fd, Epoll.EPOLLIN).add(b.fd, Epoll.EPOLLIN).remove(a.fd).remove(b.fd);
    } finally {
      again.close();
      a.close();
      b.close();
    }
  });

  it('EPOLLPRI reports urgent data, as a GPIO interrupt would be (TCP out-of-band byte)', async () => {
    const fds = new Fds();
    const [client, server] = tcpPair(fds);
    const rec = recorder();
    const ep = new Epoll(rec.cb);
    try {
      ep.add(server, Epoll.EPOLLPRI);
      // MSG_OOB from a helper (Node has no send(2) flags); the client socket is its fd 3.
      execFileSync('python3', ['-c', 'import socket; s=socket.socket(fileno=3); s.send(b"!", socket.MSG_OOB); s.detach()'], {
        stdio: ['ignore', 'ignore', 'inherit', client],
      });
      await rec.next(1);
      expect(rec.events[0]![1]).toBe(server);
      expect(rec.events[0]![2]! & EPOLLPRI).toBe(EPOLLPRI);
    } finally {
      ep.remove(server).close();
      fds.closeAll();
    }
  });
});
