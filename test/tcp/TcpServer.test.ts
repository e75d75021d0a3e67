// TcpServer + TcpConnection end to end, the same suite in every mode x driver:
// byte-exact echo at many sizes and pipelining depths, many connections,
// half-close, resets mid-write, a peer that never reads, connection storms,
// idle cleanup and graceful shutdown. Client and server share one loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import type { EventLoop } from '../../src/loop/EventLoop.js';
import type { CloseInfo, TcpConnection } from '../../src/tcp/TcpConnection.js';
import { startEcho } from '../../examples/echo.js';
import { openFdCount } from '../helpers.js';
import { ByteStream, MATRIX, deferred, echoClient, withLoop } from './harness.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

function echoServer(loop: EventLoop, idleTimeoutMs = 0): TcpServer {
  return startEcho(loop, { host: '127.0.0.1', port: 0, mode: loop.mode, idleTimeoutMs });
}

async function closeServer(server: TcpServer): Promise<void> {
  await server.close(1000);
  expect(server.size).toBe(0);
}

describe.each(MATRIX)('TcpServer echo ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('echoes byte-exact at odd sizes up to 100 KB, pipelined', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = echoServer(loop);
      const runs = [
        { messages: 200, size: 1, depth: 1 },
        { messages: 100, size: 64, depth: 16 },
        { messages: 40, size: 1000, depth: 8 },
        { messages: 10, size: 65536 + 13, depth: 4 },
        { messages: 8, size: 100_007, depth: 8 },
      ];
      const conns = await Promise.all(runs.map((r, i) => echoClient(loop, server.address, { ...r, seed: i + 1 })));
      expect(server.size).toBe(runs.length);
      for (const c of conns) c.close();
      await closeServer(server);
      expect(loop.stats.reads).toBeGreaterThan(0);
      expect(loop.stats.bytesRead).toBe(2 * runs.reduce((s, r) => s + r.messages * r.size, 0));
    });
  });

  it('keeps byte order when one handler mixes small corked sends and big ones written at once', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      // Echo each chunk back in pieces of 1 B .. 40 KiB: pieces of 8 KiB and more
      // (DIRECT_SEND) are written at once when nothing is pending, the others cork.
      const sizes = [1, 9000, 3, 40_000, 700, 8192, 8191, 20_000];
      let k = 0;
      const server = new TcpServer(loop, {
        onMessage(conn, input) {
          while (input.readableBytes > 0) {
            const n = Math.min(sizes[k++ % sizes.length]!, input.readableBytes);
            conn.send(input.take(n));
          }
        },
      }, { address: '127.0.0.1:0' });
      server.listen();
      const conns = await Promise.all([
        echoClient(loop, server.address, { messages: 6, size: 100_003, depth: 3, seed: 7 }),
        echoClient(loop, server.address, { messages: 50, size: 9001, depth: 4, seed: 8 }),
      ]);
      for (const c of conns) c.close();
      await closeServer(server);
    });
  });

  it('with a zero time budget (ET: one read per connection per turn, then the ready list) still echoes byte-exact', async () => {
    await withLoop(mode, { driver, io, options: { turnBudgetMs: 0 } }, async (loop) => {
      const server = echoServer(loop);
      const conns = await Promise.all([
        echoClient(loop, server.address, { messages: 12, size: 300_001, depth: 4, seed: 21 }),
        echoClient(loop, server.address, { messages: 200, size: 64, depth: 1, seed: 22 }),
      ]);
      for (const c of conns) c.close();
      await closeServer(server);
      expect(loop.turnBudgetMs).toBe(0);
    });
  });

  it('serves 200 concurrent connections', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = echoServer(loop);
      const conns = await Promise.all(
        Array.from({ length: 200 }, (_, i) => echoClient(loop, server.address, { messages: 5, size: 512, depth: 2, seed: 100 + i })),
      );
      expect(server.size).toBe(200);
      for (const c of conns) c.close();
      await closeServer(server);
    });
  });

  it('half-close: the peer FIN comes after all its data, and we still answer before closing', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = echoServer(loop);
      const payload = new ByteStream(7).next(300_000);
      const chunks: Buffer[] = [];
      const closed = deferred<CloseInfo>(loop, 'client sees the server close');
      const client = new TcpClient(loop, server.address, {
        onMessage(_c, input) {
          chunks.push(input.takeAll());
        },
        onEnd(conn) {
          conn.close();
        },
        onClose(_c, info) {
          closed.resolve(info);
        },
      }, { allowHalfOpen: true });
      const conn = await client.connect();
      conn.send(payload);
      conn.shutdown(); // FIN after the data drains; we keep reading
      expect(() => conn.send('late')).toThrow(/write after end/);
      const info = await closed.promise;
      expect(info.reason).toBe('eof');
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
      await closeServer(server);
    });
  });

  it('a peer that resets mid-write closes that connection only', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const closes: CloseInfo[] = [];
      const server = new TcpServer(loop, {
        onConnection(conn) {
          conn.send(Buffer.alloc(8 << 20, 7)); // far more than the socket buffers hold
        },
        onClose(_c, info) {
          closes.push(info);
        },
      });
      server.listen();
      const victim = await new TcpClient(loop, server.address, { onMessage: () => {} }).connect();
      victim.pauseReading(); // leave the data in the kernel's receive buffer
      await new Promise<void>((r) => loop.setTimeout(() => r(), 30));
      victim.destroy(); // closing with unread data makes the kernel answer with RST
      const gone = deferred(loop, 'server notices the reset');
      const check = (): void => {
        if (closes.length) gone.resolve();
        else loop.setTimeout(check, 5);
      };
      check();
      await gone.promise;
      expect(closes[0]!.reason).toBe('error');
      expect(['EPIPE', 'ECONNRESET']).toContain(closes[0]!.error!.code);
      // the server still serves others
      server.setCallbacks({
        onConnection: () => {},
        onMessage(conn, input) {
          conn.send(input.peek());
          input.retrieveAll();
        },
      });
      const ok = await echoClient(loop, server.address, { messages: 10, size: 100, depth: 2, seed: 3 });
      ok.close();
      await closeServer(server);
    });
  });

  it('a peer that never reads gets back-pressure, not unbounded buffering, and loses nothing', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = echoServer(loop);
      const total = 48 << 20;
      const stream = new ByteStream(11);
      const check = new ByteStream(11);
      let received = 0;
      let bad = false;
      const done = deferred(loop, 'all 48 MiB echoed back');
      const client = new TcpClient(loop, server.address, {
        onMessage(_c, input) {
          const chunk = input.takeAll();
          if (!chunk.equals(check.next(chunk.length))) bad = true;
          received += chunk.length;
          if (received === total) done.resolve();
        },
      });
      const conn = await client.connect();
      conn.pauseReading(); // a reader that does not read
      let sent = 0;
      let maxServerPending = 0;
      const serverConn = (): TcpConnection | undefined => server.connections.find((c) => c !== undefined);
      // send while the server will take it; stop when back-pressure reaches us
      const pump = deferred(loop, 'sender blocked by back-pressure');
      const step = (): void => {
        while (sent < total && conn.pendingOutput < 1 << 20) {
          conn.send(stream.next(256 << 10));
          sent += 256 << 10;
        }
        maxServerPending = Math.max(maxServerPending, serverConn()?.pendingOutput ?? 0);
        if (sent < total && conn.pendingOutput >= 1 << 20 && serverConn()?.readingPaused) pump.resolve();
        else loop.setTimeout(step, 2);
      };
      step();
      await pump.promise;
      // the server stopped reading from us and holds a bounded amount
      expect(serverConn()!.readingPaused).toBe(true);
      expect(maxServerPending).toBeLessThan(16 << 20);
      expect(sent).toBeLessThan(total);
      // now read: everything comes back, byte-exact
      conn.resumeReading();
      const rest = (): void => {
        while (sent < total && conn.pendingOutput < 1 << 20) {
          conn.send(stream.next(256 << 10));
          sent += 256 << 10;
        }
        if (sent < total) loop.setTimeout(rest, 1);
      };
      rest();
      await done.promise;
      expect(bad).toBe(false);
      conn.close();
      await closeServer(server);
    }, 30_000);
  });

  it('survives a storm of clients that connect and close at once', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      let accepted = 0;
      let closed = 0;
      const server = new TcpServer(loop, { onConnection: () => accepted++, onClose: () => closed++ });
      server.listen();
      const settled = deferred(loop, 'storm settles');
      const clients = await Promise.all(Array.from({ length: 300 }, () => new TcpClient(loop, server.address).connect()));
      for (const c of clients) c.destroy();
      const check = (): void => {
        if (accepted === 300 && closed === 300) settled.resolve();
        else loop.setTimeout(check, 5);
      };
      check();
      await settled.promise;
      expect(server.size).toBe(0);
      await closeServer(server);
    });
  });

  it('closes idle connections and keeps busy ones', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = echoServer(loop, 150);
      const closedAt: number[] = [];
      const start = performance.now();
      const idle = await new TcpClient(loop, server.address, { onClose: () => closedAt.push(performance.now() - start) }).connect();
      const busy = await new TcpClient(loop, server.address, { onMessage: (_c, i) => i.retrieveAll() }).connect();
      const gone = deferred(loop, 'idle connection closed by the server');
      let ticks = 0;
      const tick = (): void => {
        busy.send('ping');
        if (closedAt.length) gone.resolve();
        else if (++ticks < 200) loop.setTimeout(tick, 40);
      };
      tick();
      await gone.promise;
      expect(closedAt[0]!).toBeGreaterThanOrEqual(140);
      expect(idle.state).toBe('closed');
      expect(busy.state).toBe('connected');
      busy.close();
      await closeServer(server);
    });
  });

  it('close() stops accepting, flushes pending output, then closes everything', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = new TcpServer(loop, {
        onConnection(conn) {
          conn.send(Buffer.alloc(2 << 20, 1)); // more than fits in the socket: some stays pending
        },
      });
      server.listen();
      const got: number[] = [0, 0];
      const ends = [deferred(loop, 'client 0 end'), deferred(loop, 'client 1 end')];
      const clients = await Promise.all(
        [0, 1].map((i) =>
          new TcpClient(loop, server.address, {
            onMessage: (_c, input) => {
              got[i]! += input.readableBytes;
              input.retrieveAll();
            },
            onClose: () => ends[i]!.resolve(),
          }).connect(),
        ),
      );
      await new Promise<void>((r) => loop.setTimeout(() => r(), 20));
      const address = server.address;
      await server.close(5000);
      await Promise.all(ends.map((e) => e.promise));
      expect(got).toEqual([2 << 20, 2 << 20]);
      expect(clients.every((c) => c.state === 'closed')).toBe(true);
      await expect(new TcpClient(loop, address).connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
  });
});
