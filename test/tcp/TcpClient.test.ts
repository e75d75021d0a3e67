// TcpClient/Connector (refused connects, retry with backoff) and the proactor
// face of TcpConnection: for await, await read(), await write().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { listen, localAddress } from '../../src/net/socket.js';
import { native } from '../../src/sys/addon.js';
import { startEcho } from '../../examples/echo.js';
import { openFdCount } from '../helpers.js';
import { ByteStream, MATRIX, deferred, withLoop } from './harness.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

/** A loopback port with nothing listening on it. */
function deadPort(): string {
  const fd = listen('127.0.0.1:0');
  const addr = localAddress(fd).toString();
  native.close(fd);
  return addr;
}

describe.each(MATRIX)('TcpClient ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('a refused connect rejects with ECONNREFUSED', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const client = new TcpClient(loop, deadPort());
      await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
      expect(client.state).toBe('closed');
    });
  });

  it('retries with backoff until the server appears', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const address = deadPort();
      const client = new TcpClient(loop, address, {}, { retry: true, initialDelayMs: 20, maxDelayMs: 80 });
      const connecting = client.connect();
      let server: TcpServer | undefined;
      loop.setTimeout(() => {
        server = new TcpServer(loop, { onConnection: () => {} }, { address }); // the client side only needs the accept
        server.listen();
      }, 150);
      const conn = await connecting;
      expect(conn.state).toBe('connected');
      expect(client.state).toBe('connected');
      conn.close();
      await server!.close();
    });
  });

  it('gives up after maxAttempts', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const client = new TcpClient(loop, deadPort(), {}, { retry: true, initialDelayMs: 10, maxAttempts: 3 });
      const start = performance.now();
      await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(performance.now() - start).toBeGreaterThanOrEqual(25); // 10 + 20 ms of backoff
    });
  });

  it('for await / await write: a proactor-style echo round trip', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = startEcho(loop, { host: '127.0.0.1', port: 0, mode, idleTimeoutMs: 0 });
      const conn = await new TcpClient(loop, server.address).connect();
      const payload = new ByteStream(5).next(1 << 20);
      await conn.write(payload);
      expect(conn.pendingOutput).toBe(0);
      const got: Buffer[] = [];
      let total = 0;
      for await (const chunk of conn) {
        got.push(chunk);
        total += chunk.length;
        if (total >= payload.length) break; // break closes the connection
      }
      expect(Buffer.concat(got).equals(payload)).toBe(true);
      expect(conn.state).toBe('closed');
      await server.close();
    });
  });

  it('await read() returns null at end of stream', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const server = new TcpServer(loop, {
        onConnection(c) {
          c.send('bye');
          c.close();
        },
      });
      server.listen();
      const conn = await new TcpClient(loop, server.address).connect();
      const parts: string[] = [];
      for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) parts.push(chunk.toString());
      expect(parts.join('')).toBe('bye');
      const closed = deferred(loop, 'client closes after EOF');
      if (conn.state === 'closed') closed.resolve();
      else conn.callbacks.onClose = () => closed.resolve();
      await closed.promise;
      await server.close();
    });
  });
});
