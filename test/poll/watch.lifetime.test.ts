// What a raw watch leaves behind: the caller's fd flags after watchStop, and a
// watch whose handle is dropped without watchStop (it must not hold the process
// open once the handle is collected). Process lifetime is observed in a child.
import { describe, expect, it } from 'vitest';
import { native } from '../../src/sys/addon.js';
import { EFD_CLOEXEC, EFD_NONBLOCK } from '../../src/sys/constants.js';
import { runChild } from '../child.js';
import { fdFlags, trackedFds } from '../helpers.js';

const fds = trackedFds();
const O_NONBLOCK = 0o4000;

describe('watchStart / watchStop side effects', () => {
  it('watchStop restores a blocking fd to blocking (libuv set O_NONBLOCK)', () => {
    const fd = fds.add(native.eventfdCreate(0, EFD_CLOEXEC));
    expect(fdFlags(fd) & O_NONBLOCK).toBe(0);
    const watch = native.watchStart(fd, () => {});
    expect(fdFlags(fd) & O_NONBLOCK).toBe(O_NONBLOCK); // libuv's doing, shared through the dup
    native.watchStop(watch);
    expect(fdFlags(fd) & O_NONBLOCK).toBe(0);
    native.watchStop(watch); // idempotent, and leaves the flags alone
    expect(fdFlags(fd) & O_NONBLOCK).toBe(0);
  });

  it('leaves an fd that was already non-blocking non-blocking', () => {
    const fd = fds.add(native.eventfdCreate(0, EFD_CLOEXEC | EFD_NONBLOCK));
    const watch = native.watchStart(fd, () => {});
    native.watchStop(watch);
    expect(fdFlags(fd) & O_NONBLOCK).toBe(O_NONBLOCK);
  });

  it('rejects things that are not watch handles', () => {
    const fd = fds.add(native.eventfdCreate(0, EFD_CLOEXEC));
    const watch = native.watchStart(fd, () => {});
    try {
      for (const bad of [{}, Object.freeze({ onReady: () => {} }), null, 1, 'x', () => {}]) {
        expect(() => native.watchStop(bad as never)).toThrow(TypeError);
      }
      expect(Object.isFrozen(watch)).toBe(true);
      expect(Object.keys(watch)).toEqual([]);
    } finally {
      native.watchStop(watch);
    }
  });
});

// The child's verdict: it prints what it saw and must then exit on its own.
const prelude = `
const { native } = await import(DIST + '/sys/addon.js');
const { EFD_CLOEXEC } = await import(DIST + '/sys/constants.js');
const tick = () => new Promise((r) => setImmediate(r));
`;

describe('a watch handle dropped without watchStop', () => {
  it('stops holding the process open once the handle is collected', async () => {
    const r = await runChild(
      `${prelude}
      const fd = native.eventfdCreate(0, EFD_CLOEXEC);
      native.watchStart(fd, () => {});           // handle dropped at once
      (() => { let h; h = native.watchStart(fd, () => native.watchStop(h)); })(); // callback holds its handle: a cycle
      await tick();
      globalThis.gc();
      console.log('dropped');`,
      { nodeArgs: ['--expose-gc'], timeoutMs: 8000 },
    );
    expect({ timedOut: r.timedOut, code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ timedOut: false, code: 0, signal: null, stderr: '' });
    expect(r.stdout.trim()).toBe('dropped');
  });

  it('keeps running while the handle is reachable, even across a GC', async () => {
    const r = await runChild(
      `${prelude}
      const fd = native.eventfdCreate(0, EFD_CLOEXEC);
      let calls = 0;
      const kept = native.watchStart(fd, () => {
        calls++;
        native.eventfdRead(fd);
        native.watchStop(kept);
        console.log('called ' + calls);
      });
      await tick();
      globalThis.gc();
      await tick();
      native.eventfdWrite(fd, 1);`,
      { nodeArgs: ['--expose-gc'], timeoutMs: 8000 },
    );
    expect({ timedOut: r.timedOut, code: r.code, stderr: r.stderr }).toEqual({ timedOut: false, code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe('called 1');
  });

  it('a watched Epoll the caller dropped still runs (like a Node handle) until it is stopped', async () => {
    const r = await runChild(
      `${prelude}
      const { Epoll } = await import(DIST + '/poll/Epoll.js');
      const { EPOLLIN } = await import(DIST + '/sys/constants.js');
      const fd = native.eventfdCreate(0, EFD_CLOEXEC);
      (() => {
        const ep = new Epoll();
        ep.add(fd, EPOLLIN);
        ep.watch((self) => {
          self.wait(0);
          native.eventfdRead(fd);
          self.close();
          console.log('delivered');
        });
      })();
      await tick();
      globalThis.gc();
      await tick();
      native.eventfdWrite(fd, 1);`,
      { nodeArgs: ['--expose-gc'], timeoutMs: 8000 },
    );
    expect({ timedOut: r.timedOut, code: r.code, stderr: r.stderr }).toEqual({ timedOut: false, code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe('delivered');
  });
});
