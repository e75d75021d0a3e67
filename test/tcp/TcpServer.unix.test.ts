// A TcpServer on a Unix path: close() removes the socket file it created (and
// only that file), so the path can be listened on again; in every mode x driver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import type { EventLoop } from '../../src/loop/EventLoop.js';
import { SocketAddress } from '../../src/net/SocketAddress.js';
import { openFdCount } from '../helpers.js';
import { MATRIX, echoClient, withLoop } from './harness.js';

let dir = '';
let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
  dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-unix-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(openFdCount()).toBe(fdsBefore);
});

function echoServer(loop: EventLoop, path: string): TcpServer {
  const server = new TcpServer(
    loop,
    {
      onMessage(conn, input) {
        conn.send(input.peek());
        input.retrieveAll();
      },
    },
    { address: SocketAddress.unix(path) },
  );
  server.listen();
  return server;
}

describe.each(MATRIX)('TcpServer on a Unix path ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('close() unlinks its socket file; listening again on the path works', async () => {
    const path = join(dir, `${mode}-${driver}-${io}.sock`);
    await withLoop(mode, { driver, io }, async (loop) => {
      const first = echoServer(loop, path);
      expect(first.address.address).toBe(path);
      expect(existsSync(path)).toBe(true);
      (await echoClient(loop, first.address, { messages: 20, size: 100, depth: 4, seed: 1 })).close();
      await first.close(1000);
      expect(existsSync(path)).toBe(false);

      const second = echoServer(loop, path); // EADDRINUSE before the fix
      (await echoClient(loop, second.address, { messages: 20, size: 100, depth: 4, seed: 2 })).close();
      await second.close(1000);
      expect(existsSync(path)).toBe(false);
    });
  });
});

describe('TcpServer socket file ownership', () => {
  it('close() leaves alone a file that replaced its socket at the path', async () => {
    const path = join(dir, 'replaced.sock');
    await withLoop('lt', 'integrated', async (loop) => {
      const server = echoServer(loop, path);
      unlinkSync(path); // someone removed our socket file and put their own file there
      writeFileSync(path, 'not yours');
      await server.close(1000);
      expect(existsSync(path)).toBe(true);
      unlinkSync(path);
    });
  });

  it('an abstract listener has no file to remove and closes cleanly', async () => {
    await withLoop('lt', 'integrated', async (loop) => {
      const server = echoServer(loop, `\0epoll-reactor-unix-${process.pid}`);
      expect(server.address.isAbstract).toBe(true);
      (await echoClient(loop, server.address, { messages: 5, size: 10, depth: 1, seed: 3 })).close();
      await server.close(1000);
    });
  });
});
