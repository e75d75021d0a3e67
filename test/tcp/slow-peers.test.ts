// Slow and hostile peers, and what an idle connection holds, in every mode x
// driver:
//   - a peer trickling one byte per gap longer than the idle timeout is cut ('idle');
//   - a peer trickling faster than the idle timeout is not cut by it (every byte
//     is activity) — a frame deadline, armed on the first byte of a frame and
//     cancelled when the frame completes, cuts it ('deadline');
//   - a peer that never reads is held at the high-water mark when the server
//     pauses reading on onHighWater, and closed ('overflow') at maxOutput when
//     the server ignores back-pressure;
//   - the defaults are those documented: onHighWater at 1 MiB pending
//     (highWaterMark), closed past 64 MiB pending (maxOutput), no idle timeout;
//   - an idle connection holds no buffer storage: it goes back to the loop's
//     pool once drained.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { kBufferPool } from '../../src/loop/symbols.js';
import { kOutput } from '../../src/tcp/TcpConnection.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import type { CloseInfo, TcpConnection } from '../../src/tcp/TcpConnection.js';
import type { TimerNode } from '../../src/loop/TimerWheel.js';
import { openFdCount } from '../helpers.js';
import { MATRIX, deferred, withLoop } from './harness.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

describe.each(MATRIX.slice(0, 4))('slow peers ($mode, $driver)', ({ mode, driver, io }) => {
  it('a peer trickling a byte per 300 ms is cut by a 150 ms idle timeout', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const closed = deferred<CloseInfo>(loop, 'the trickler cut');
      let got = 0;
      const server = new TcpServer(
        loop,
        {
          onMessage(_c, input) {
            got += input.readableBytes;
            input.retrieveAll();
          },
          onClose: (_c, info) => closed.resolve(info),
        },
        { idleTimeoutMs: 150 },
      );
      server.listen();
      const client = await new TcpClient(loop, server.address, {}).connect();
      const t0 = performance.now();
      let timer: TimerNode | null = null;
      const drip = (): void => {
        if (client.state !== 'connected') return;
        client.send(Uint8Array.of(0x2e));
        timer = loop.setTimeout(drip, 300);
      };
      drip();
      const info = await closed.promise;
      const after = performance.now() - t0;
      if (timer) loop.cancel(timer);
      expect(info.reason).toBe('idle');
      expect(got).toBe(1); // cut in the first gap
      expect(after).toBeGreaterThanOrEqual(140);
      expect(after).toBeLessThan(290);
      client.destroy();
      await server.close(500);
    });
  });

  it('a peer trickling under the idle timeout is cut by a frame deadline', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const FRAME = 100; // bytes in a frame; the deadline for one is 400 ms
      const closed = deferred<CloseInfo>(loop, 'the trickler cut by its frame deadline');
      let idleClosed = false;
      const server = new TcpServer(
        loop,
        {
          onMessage(conn, input) {
            // The frame deadline: armed on a frame's first byte, cancelled when it completes.
            if (input.readableBytes < FRAME && conn.context === undefined) {
              conn.context = loop.setTimeout(() => conn.destroy(undefined, 'deadline'), 400);
            }
            while (input.readableBytes >= FRAME) {
              input.retrieve(FRAME);
              if (conn.context !== undefined) loop.cancel(conn.context as TimerNode);
              conn.context = undefined;
            }
          },
          onClose(conn, info) {
            if (conn.context !== undefined) loop.cancel(conn.context as TimerNode);
            if (info.reason === 'idle') idleClosed = true;
            closed.resolve(info);
          },
        },
        { idleTimeoutMs: 250 },
      );
      server.listen();
      const client = await new TcpClient(loop, server.address, {}).connect();
      let timer: TimerNode | null = null;
      let sent = 0;
      const drip = (): void => {
        if (client.state !== 'connected') return;
        client.send(Uint8Array.of(sent++ & 0xff));
        timer = loop.setTimeout(drip, 60); // every byte is activity: the 250 ms idle timeout never fires
      };
      drip();
      const info = await closed.promise;
      if (timer) loop.cancel(timer);
      expect(info.reason).toBe('deadline');
      expect(idleClosed).toBe(false);
      expect(sent).toBeLessThan(FRAME);
      expect(sent).toBeGreaterThan(4); // it lived past several idle-timeout-free gaps
      client.destroy();
      await server.close(500);
    });
  });

  it('a never-reading peer costs at most the high-water mark when the server pauses on it (default 1 MiB)', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      let serverConn: TcpConnection | undefined;
      let maxPending = 0;
      let highWaterAt = 0;
      const server = new TcpServer(loop, {
        onConnection: (c) => (serverConn = c),
        onMessage(conn, input) {
          conn.send(input.peek());
          input.retrieveAll();
          maxPending = Math.max(maxPending, conn.pendingOutput);
        },
        onHighWater(conn, pending) {
          highWaterAt = pending;
          conn.pauseReading();
        },
      });
      server.listen();
      const client = await new TcpClient(loop, server.address, {}).connect();
      client.pauseReading(); // never reads
      const chunk = Buffer.alloc(256 << 10, 7);
      const blocked = deferred(loop, 'the server paused reading from the never-reader');
      const pump = (): void => {
        while (client.pendingOutput < 4 << 20) client.send(chunk);
        if (serverConn?.readingPaused) blocked.resolve();
        else loop.setTimeout(pump, 5);
      };
      pump();
      await blocked.promise;
      expect(highWaterAt).toBeGreaterThanOrEqual(1 << 20); // the default high-water mark
      // Bounded: the mark plus at most one turn's input (an ET read budget, or one read).
      expect(maxPending).toBeLessThan((1 << 20) + loop.readBudget + (64 << 10));
      client.destroy();
      await server.close(500);
    });
  });

  it('a server that ignores back-pressure closes a never-reading peer at maxOutput', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const closed = deferred<CloseInfo>(loop, 'closed at maxOutput');
      let maxPending = 0;
      const server = new TcpServer(
        loop,
        {
          onMessage(conn, input) {
            conn.send(input.peek()); // and never pauses
            input.retrieveAll();
            maxPending = Math.max(maxPending, conn.pendingOutput);
          },
          onClose: (_c, info) => closed.resolve(info),
        },
        { maxOutput: 4 << 20 },
      );
      server.listen();
      const client = await new TcpClient(loop, server.address, {}).connect();
      client.pauseReading();
      const chunk = Buffer.alloc(256 << 10, 9);
      let timer: TimerNode | null = null;
      const pump = (): void => {
        if (client.state !== 'connected') return;
        while (client.pendingOutput < 2 << 20) client.send(chunk);
        timer = loop.setTimeout(pump, 5);
      };
      pump();
      const info = await closed.promise;
      if (timer) loop.cancel(timer);
      expect(info.reason).toBe('overflow');
      expect(maxPending).toBeLessThanOrEqual((4 << 20) + loop.readBudget + (64 << 10));
      client.destroy();
      await server.close(500);
    });
  });

  it('an idle connection holds no buffer storage: it goes back to the loop pool once drained', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      let serverConn: TcpConnection | undefined;
      const server = new TcpServer(loop, {
        onConnection: (c) => (serverConn = c),
        onMessage(conn, input) {
          conn.send(input.peek());
          input.retrieveAll();
        },
      });
      server.listen();
      const echoed = deferred(loop, 'the echo');
      let back = 0;
      const client = await new TcpClient(loop, server.address, {
        onMessage(_c, input) {
          back += input.readableBytes;
          input.retrieveAll();
          if (back === 3000) echoed.resolve();
        },
      }).connect();
      const accepted = deferred(loop, 'the accept');
      const wait = (): void => (serverConn ? accepted.resolve() : void loop.setTimeout(wait, 2));
      wait();
      await accepted.promise;
      // Accepted, nothing sent yet: no storage at all.
      expect(serverConn!.input.capacity).toBe(0);
      expect(serverConn![kOutput].capacity).toBe(0);
      client.send(Buffer.alloc(3000, 1));
      await echoed.promise;
      // Used once and drained: the storage went back to the pool.
      expect(serverConn!.input.capacity).toBe(0);
      expect(serverConn![kOutput].capacity).toBe(0);
      expect(loop[kBufferPool].pooledBytes).toBeGreaterThan(0);
      expect(client.input.capacity).toBe(0); // the client side too
      client.destroy();
      await server.close(500);
    });
  });

  it('unread input survives the close: a reader made afterwards still gets it (release keeps unread bytes)', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      let serverConn: TcpConnection | undefined;
      const closed = deferred(loop, 'the close on EOF');
      const server = new TcpServer(loop, { onConnection: (c) => (serverConn = c), onClose: () => closed.resolve() });
      server.listen();
      const client = await new TcpClient(loop, server.address, {}).connect();
      client.send(Buffer.from('last words'));
      client.shutdown(); // FIN after the data: the server closes on EOF, nobody has read yet
      await closed.promise;
      expect(serverConn!.state).toBe('closed');
      const chunk = await serverConn!.read();
      expect(chunk?.toString()).toBe('last words');
      expect(await serverConn!.read()).toBeNull();
      client.destroy();
      await server.close(500);
    });
  });

  it("the defaults: onHighWater at 1 MiB pending, closed ('overflow') past 64 MiB", async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      let serverConn: TcpConnection | undefined;
      let highWater = 0;
      let closedBy = '';
      const server = new TcpServer(loop, {
        onConnection: (c) => (serverConn = c),
        onHighWater: (_c, pending) => (highWater = pending),
        onClose: (_c, info) => (closedBy = info.reason),
      });
      server.listen();
      const client = await new TcpClient(loop, server.address, {}).connect();
      client.pauseReading();
      const accepted = deferred(loop, 'the accept');
      const wait = (): void => (serverConn ? accepted.resolve() : void loop.setTimeout(wait, 2));
      wait();
      await accepted.promise;
      // Outside a turn, writes go out at once until the kernel is full; then send() queues.
      const mib = Buffer.alloc(1 << 20);
      let sends = 0;
      while (serverConn!.send(mib)) sends++;
      expect(serverConn!.pendingOutput).toBeGreaterThanOrEqual(1 << 20);
      expect(highWater).toBe(serverConn!.pendingOutput);
      expect(sends).toBeLessThan(64);
      // No idle timeout by default: it is still open. Past 64 MiB pending it closes ('overflow').
      let queued = serverConn!.pendingOutput;
      while (serverConn!.state === 'connected') {
        serverConn!.send(mib);
        queued += mib.length;
      }
      expect(closedBy).toBe('overflow');
      expect(queued).toBeGreaterThan(64 << 20);
      expect(queued).toBeLessThanOrEqual((64 << 20) + (2 << 20));
      client.destroy();
      await server.close(500);
    });
  });
});
