// Running out of fds (EMFILE): this test process lowers its own open-file soft
// limit (raiseFdLimit's counterpart, setFdLimit) to a few fds above what it
// uses, then a child process floods the server with 80 connections. The server
// keeps what fits, drops the rest (the listener's spare-fd trick: accept and
// close, so the listener never spins), echoes on every connection it kept, and
// once the flood is gone serves new connections as before. The limit is restored
// afterwards. Integrated driver only: the client child's pipes are served by
// Node's own loop, which an exclusive loop would block.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { fdLimit, native } from '../../src/entries/sys.js';
import { openFdCount } from '../helpers.js';
import { withLoop } from './harness.js';

// The client: opens N connections, each sends "ping" and waits for the echo or a close.
const CLIENT = `
const net = require('node:net');
const [port, n, holdMs] = process.argv.slice(1).map(Number);
let echoed = 0, closed = 0, done = 0;
const socks = [];
for (let i = 0; i < n; i++) {
  const s = net.connect({ host: '127.0.0.1', port });
  let got = '';
  const finish = () => { if (++done === n) setTimeout(() => { for (const x of socks) x.destroy(); process.stdout.write(JSON.stringify({ echoed, closed }), () => process.exit(0)); }, holdMs); };
  s.on('connect', () => s.write('ping'));
  s.on('data', (d) => { got += d; if (got === 'ping') { echoed++; finish(); } });
  s.on('error', () => {});
  s.on('close', () => { if (got !== 'ping') { closed++; finish(); } });
  socks.push(s);
}
setTimeout(() => process.exit(3), 10000).unref();
`;

function runClient(port: number, n: number, holdMs: number): Promise<{ echoed: number; closed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, String(port), String(n), String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out) as { echoed: number; closed: number });
      } catch {
        reject(new Error(`client exited ${code} with '${out}'`));
      }
    });
  });
}

let saved = { soft: 0, hard: 0 };
let fdsBefore = 0;
beforeAll(() => {
  saved = fdLimit();
  fdsBefore = openFdCount();
});
afterAll(() => {
  native.setFdLimit(saved.soft);
  expect(openFdCount()).toBe(fdsBefore);
});

describe.each(['lt', 'et'] as const)('EMFILE flood (%s, integrated)', (mode) => {
  it('keeps what fits, drops the rest without spinning, and serves again afterwards', async () => {
    await withLoop(mode, 'integrated', async (loop) => {
      const server = new TcpServer(loop, {
        onMessage(conn, input) {
          conn.send(input.peek());
          input.retrieveAll();
        },
      });
      server.listen();
      const port = server.address.port;
      const turnsBefore = loop.stats.turns;
      // Room for about 20 connections, then EMFILE.
      expect(native.setFdLimit(openFdCount() + 20)).toBe(0);
      let flood: { echoed: number; closed: number };
      try {
        flood = await runClient(port, 80, 300);
      } finally {
        native.setFdLimit(saved.soft);
      }
      expect(flood.echoed + flood.closed).toBe(80);
      expect(flood.echoed).toBeGreaterThan(5);
      expect(flood.closed).toBeGreaterThan(0);
      expect(server.droppedConnections).toBeGreaterThan(0);
      // No busy loop on the full listener: far fewer turns than a spinning LT accept would make.
      expect(loop.stats.turns - turnsBefore).toBeLessThan(5000);
      // After the flood: new connections are served as before.
      const after = await runClient(port, 10, 0);
      expect(after).toEqual({ echoed: 10, closed: 0 });
      await server.close(1000);
    });
  });
});
