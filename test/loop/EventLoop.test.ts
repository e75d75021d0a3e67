// EventLoop: tasks, timers, stop, cross-thread wakeups and stale-event safety,
// under both drivers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { EventLoop } from '../../src/loop/EventLoop.js';
import { Channel } from '../../src/loop/Channel.js';
import { resolveAddon, native } from '../../src/sys/addon.js';
import { EPOLLIN } from '../../src/sys/constants.js';
import { Fds, openFdCount, tcpPair, writeAll } from '../helpers.js';
import { deferred, withLoop } from '../tcp/harness.js';

/**
 * A worker thread that is already running before the scenario starts, and runs
 * `code` only when go() is called. (Starting a worker can need the parent's
 * Node loop, which an exclusive reactor loop does not let run.)
 */
async function helperThread(code: string, data: Record<string, unknown>, transferList: MessagePort[] = []) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     Atomics.wait(workerData.flag, 0, 0);
     ${code}`,
    { eval: true, workerData: { ...data, flag }, transferList },
  );
  await new Promise((r) => worker.once('online', r));
  return {
    go: () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    },
    stop: () => worker.terminate(),
  };
}

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

describe.each(['integrated', 'exclusive'] as const)('EventLoop (%s driver)', (driver) => {
  it('runs queued tasks in order, and runInLoop inline inside a turn', async () => {
    await withLoop('lt', driver, async (loop) => {
      const order: string[] = [];
      const done = deferred(loop, 'tasks');
      loop.queueInLoop(() => {
        order.push('a');
        loop.runInLoop(() => order.push('inline'));
        loop.queueInLoop(() => {
          order.push('c');
          done.resolve();
        });
        order.push('b');
      });
      await done.promise;
      expect(order).toEqual(['a', 'inline', 'b', 'c']);
    });
  });

  it('fires wheel timers no earlier than asked, in order', async () => {
    await withLoop('lt', driver, async (loop) => {
      const fired: Array<[string, number]> = [];
      const start = performance.now();
      const done = deferred(loop, 'timers');
      loop.setTimeout(() => fired.push(['b', performance.now() - start]), 60);
      loop.setTimeout(() => fired.push(['a', performance.now() - start]), 20);
      const cancelled = loop.setTimeout(() => fired.push(['never', 0]), 30);
      loop.cancel(cancelled);
      loop.setTimeout(() => done.resolve(), 100);
      await done.promise;
      expect(fired.map((f) => f[0])).toEqual(['a', 'b']);
      expect(fired[0]![1]).toBeGreaterThanOrEqual(19);
      expect(fired[1]![1]).toBeGreaterThanOrEqual(59);
      expect(loop.stats.timersFired).toBeGreaterThanOrEqual(3);
    });
  });

  it('a timer scheduled after a long idle stretch is measured from now, not from the last tick', async () => {
    const fds = new Fds();
    const [a, b] = tcpPair(fds);
    const poke = await helperThread(
      `setTimeout(() => require(workerData.addon).write(workerData.fd, Buffer.from('x'), 0, 1), 150);`,
      { addon: resolveAddon(), fd: b },
    );
    try {
      await withLoop('lt', driver, async (loop) => {
        const first = deferred(loop, 'first timer');
        loop.setTimeout(() => first.resolve(), 10);
        await first.promise;
        // let the wheel go stale: nothing scheduled while we wait for the poke
        const idle = deferred(loop, 'poke from the helper thread');
        const ch = new Channel(loop, a, {
          handleEvent: () => {
            ch.remove();
            idle.resolve();
          },
        });
        ch.setInterest(EPOLLIN);
        const t0 = performance.now();
        poke.go();
        await idle.promise;
        expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
        const late = deferred(loop, 'late timer');
        const t1 = performance.now();
        loop.setTimeout(() => late.resolve(), 50);
        await late.promise;
        expect(performance.now() - t1).toBeGreaterThanOrEqual(49);
      });
    } finally {
      await poke.stop();
      fds.closeAll();
    }
  });

  it('takes messages from another thread through an attached port and the waker', async () => {
    const { port1, port2 } = new MessageChannel();
    const wakerFd = new Int32Array(new SharedArrayBuffer(4));
    const sender = await helperThread(
      `const addon = require(workerData.addon);
       for (const n of [1, 2, 3]) { workerData.port.postMessage(n); addon.eventfdWrite(workerData.wakerFd[0], 1); }`,
      { addon: resolveAddon(), port: port2, wakerFd },
      [port2],
    );
    try {
      await withLoop('lt', driver, async (loop) => {
        const got: number[] = [];
        const done = deferred(loop, 'messages from the worker');
        loop.attachPort(port1, (msg) => {
          got.push(msg as number);
          if (got.length === 3) done.resolve();
        });
        wakerFd[0] = loop.wakerFd;
        sender.go();
        await done.promise;
        expect(got).toEqual([1, 2, 3]);
      });
    } finally {
      await sender.stop();
      port1.close();
    }
  });

  it('drops events whose registration was removed earlier in the same batch', async () => {
    await withLoop('lt', driver, async (loop) => {
      const fds = new Fds();
      const [a, peerA] = tcpPair(fds);
      const [b, peerB] = tcpPair(fds);
      const delivered: number[] = [];
      const done = deferred(loop, 'first event');
      // whichever fires first removes (and closes) the other: its queued event must be dropped
      let chA: Channel;
      let chB: Channel;
      const kill = (victim: Channel, fd: number) => {
        victim.remove();
        fds.forget(fd);
        loop.closeFd(fd);
      };
      chA = new Channel(loop, a, { handleEvent: () => (delivered.push(a), kill(chB, b), chA.remove(), done.resolve()) });
      chB = new Channel(loop, b, { handleEvent: () => (delivered.push(b), kill(chA, a), chB.remove(), done.resolve()) });
      chA.setInterest(EPOLLIN);
      chB.setInterest(EPOLLIN);
      writeAll(peerA, 'x');
      writeAll(peerB, 'y');
      // both readable before the loop looks: one batch holds both events
      await new Promise<void>((r) => loop.queueInLoop(r));
      await done.promise;
      expect(delivered).toHaveLength(1);
      const survivor = delivered[0] === a ? a : b;
      fds.forget(survivor);
      native.close(survivor);
      fds.closeAll();
    });
  });

  it('runs promise continuations right after the busy turn that queued them, and a whole chain before it sleeps', async () => {
    await withLoop('lt', driver, async (loop) => {
      const fds = new Fds();
      const [a, peer] = tcpPair(fds);
      writeAll(peer, 'x'); // never read: level-triggered, so every turn is busy with it
      let events = 0;
      let ranAfter = -1;
      const busy = deferred(loop, '50 busy turns');
      const ch = new Channel(loop, a, {
        handleEvent: () => {
          events++;
          if (events === 1) void Promise.resolve().then(() => (ranAfter = events));
          if (events === 50) {
            ch.remove();
            busy.resolve();
          }
        },
      });
      ch.setInterest(EPOLLIN);
      await busy.promise;
      expect(ranAfter).toBe(1); // not when the loop went idle: the fd kept every turn busy
      // A chain of 20 continuations started by a timer, nothing else to do and the next timer
      // 5 s away: every link must run before the loop blocks until then.
      const far = loop.setTimeout(() => {}, 5000);
      const chain = deferred(loop, 'a chain of 20 continuations');
      const t0 = performance.now();
      loop.setTimeout(() => {
        let p = Promise.resolve();
        for (let i = 0; i < 20; i++) p = p.then(() => {});
        void p.then(() => chain.resolve());
      }, 1);
      await chain.promise;
      expect(performance.now() - t0).toBeLessThan(2500);
      loop.cancel(far);
      fds.closeAll();
    });
  });
});

describe('EventLoop lifecycle', () => {
  it('close() releases its fds, rejects bad options, counts turns', async () => {
    const before = openFdCount();
    const loop = new EventLoop();
    expect(openFdCount()).toBeGreaterThan(before);
    const done = loop.run();
    loop.queueInLoop(() => loop.stop());
    await done;
    expect(loop.stats.turns).toBeGreaterThanOrEqual(1);
    loop.close();
    loop.close();
    expect(openFdCount()).toBe(before);
    expect(() => new EventLoop({ mode: 'xt' as 'lt' })).toThrow(TypeError);
    expect(() => new EventLoop({ driver: 'both' as 'integrated' })).toThrow(TypeError);
    expect(() => loop.run()).toThrow(/closed/);
  });

  it.each(['integrated', 'exclusive'] as const)(
    'close() from a timer callback (%s) ends the run and closes the fds after the turn, not inside it',
    async (driver) => {
      const before = openFdCount();
      const loop = new EventLoop({ driver });
      let fired = 0;
      loop.setTimeout(() => {
        fired++;
        loop.close();
        expect(loop.closed).toBe(true);
      }, 30);
      await loop.run(); // must settle without an EBADF from the rest of the turn
      expect(fired).toBe(1);
      expect(loop.closed).toBe(true);
      expect(openFdCount()).toBe(before);
      loop.close(); // still a no-op afterwards
    },
  );
});
