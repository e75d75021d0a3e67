// The integrated driver: the epoll fd watched from Node's own libuv loop. The
// reactor's events must arrive while setTimeout, promises and node:net keep
// working in the same thread.
import { describe, expect, it } from 'vitest';
import { createServer, connect, type Socket } from 'node:net';
import { Epoll } from '../../src/poll/Epoll.js';
import { EPOLLIN } from '../../src/sys/constants.js';
import { readSome, tcpPair, trackedFds, until, writeAll } from '../helpers.js';

const fds = trackedFds();

describe('Epoll.watch (integrated driver)', () => {
  it('delivers events while timers and node:net run in the same thread', async () => {
    const ep = new Epoll();
    const [a, b] = tcpPair(fds);
    ep.add(a, EPOLLIN, 42);
    const received: string[] = [];
    let calls = 0;
    ep.watch((self) => {
      calls++;
      const n = self.wait(0);
      for (let i = 0; i < n; i++) {
        expect(self.tokenAt(i)).toBe(42);
        received.push(readSome(self.fdAt(i)).toString());
      }
    });
    // a node:net echo pair in the same process
    const server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client: Socket = connect(port, '127.0.0.1');
    const echoed: Buffer[] = [];
    client.on('data', (d) => echoed.push(d));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      for (let i = 0; i < 5; i++) {
        writeAll(b, `m${i};`);
        client.write(`n${i};`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await until(() => received.join('') === 'm0;m1;m2;m3;m4;', 3000, 'epoll data');
      await until(() => Buffer.concat(echoed).toString() === 'n0;n1;n2;n3;n4;', 3000, 'node:net echo');
      expect(ticks).toBeGreaterThan(3);
      expect(calls).toBeGreaterThanOrEqual(1);
      // promises resolved inside onReady run right after it (MakeCallback drains microtasks)
      let microtaskRan = false;
      ep.unwatch();
      ep.watch((self) => {
        self.wait(0);
        readSome(a);
        void Promise.resolve().then(() => {
          microtaskRan = true;
        });
      });
      writeAll(b, 'x');
      await until(() => microtaskRan, 3000, 'microtask after onReady');
      // unwatch stops delivery
      ep.unwatch();
      const before = calls;
      writeAll(b, 'late');
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toBe(before);
      expect(ep.wait(0)).toBe(1);
    } finally {
      clearInterval(timer);
      client.destroy();
      await new Promise((r) => server.close(r));
      ep.close();
    }
  });

  it('unwatch from inside the callback is safe, and close() stops a watch', async () => {
    const ep = new Epoll();
    const [a, b] = tcpPair(fds);
    ep.add(a, EPOLLIN);
    let calls = 0;
    ep.watch((self) => {
      calls++;
      self.unwatch(); // level-triggered and undrained: would be called again if this did not stop it
    });
    writeAll(b, 'x');
    await until(() => calls === 1, 3000, 'first call');
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1);
    expect(ep.watching).toBe(false);
    ep.watch(() => {
      calls++;
    });
    expect(() => ep.watch(() => {})).toThrow(/already watched/);
    ep.close(); // must stop the watch and close the fd without a crash
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBeLessThanOrEqual(2);
  });

  it('unref() lets the process exit; ref() is the default', () => {
    const ep = new Epoll();
    try {
      ep.watch(() => {});
      expect(ep.unref()).toBe(ep);
      expect(ep.ref()).toBe(ep);
    } finally {
      ep.close();
    }
  });
});
