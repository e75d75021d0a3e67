// Every example server's error policy (examples/shared/errors.ts): an unexpected throw while
// serving one connection is logged with that connection's peer, closes that connection only,
// and the server keeps serving the next client — the process never ends over it. The throw is
// injected where every example must pass: the first TcpConnection.send of a request's answer.
// In-process (the examples' start() on an integrated loop), plain sockets as clients.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventLoop } from '../../src/loop/EventLoop.js';
import { TcpConnection } from '../../src/tcp/TcpConnection.js';
import type { RunningServer } from '../../examples/shared/run.js';
import { start as calculator } from '../../examples/calculator/server.js';
import { start as chat } from '../../examples/chat/server.js';
import { start as echo } from '../../examples/echo-server/echo.js';
import { start as framedEcho } from '../../examples/framed-echo/server.js';
import { start as http } from '../../examples/http-server/server.js';
import { start as resp } from '../../examples/resp-server/server.js';
import { ask, closedWithin, rawClient, send } from './hostile.js';

const base = { host: '127.0.0.1', port: 0, mode: 'lt' as const, driver: 'integrated' as const };

function calcRequest(): Buffer {
  const b = Buffer.alloc(13);
  b.writeInt32LE(9, 0);
  b[4] = 0x2b;
  b.writeInt32LE(2, 5);
  b.writeInt32LE(3, 9);
  return b;
}
function framed(s: string): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32LE(s.length);
  return Buffer.concat([h, Buffer.from(s)]);
}
function chatEnter(): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(9, 0);
  b.writeUInt16LE(206, 2);
  b.writeInt32LE(0, 5);
  return b; // before login: answered 207 / 51 at once, no Redis needed
}

const CASES: Array<[string, (loop: EventLoop) => RunningServer, Buffer, string]> = [
  ['calculator', (l) => calculator(l, base), calcRequest(), Buffer.from([5, 0, 0, 0]).toString('latin1')],
  ['echo-server', (l) => echo(l, { ...base, idleTimeoutMs: 0 }), Buffer.from('ping'), 'ping'],
  ['framed-echo', (l) => framedEcho(l, base), framed('ping'), framed('ping').toString('latin1')],
  ['http-server', (l) => http(l, base), Buffer.from('GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n'), 'HTTP/1.1 200 OK'],
  ['resp-server', (l) => resp(l, base), Buffer.from('PING\r\n'), '+PONG\r\n'],
  ['chat', (l) => chat(l, { ...base, redis: '127.0.0.1:1', rooms: 1, roomSize: 2, verbose: false, cluster: null }), chatEnter(), Buffer.from([28, 0, 207, 0, 0, 51, 0]).toString('latin1')],
];

describe('every example server: an unexpected throw closes that connection only, logged with the peer', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(CASES)('%s', async (name, startServer, request, answer) => {
    const loop = new EventLoop({ mode: 'lt', driver: 'integrated' });
    const running = loop.run();
    const server = startServer(loop);
    const logged: string[] = [];
    const realWrite = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return typeof chunk === 'string' && chunk.startsWith(`${name}:`) ? true : realWrite(chunk);
    });
    const realSend = TcpConnection.prototype.send;
    let armed = true;
    vi.spyOn(TcpConnection.prototype, 'send').mockImplementation(function (this: TcpConnection, ...args: Parameters<TcpConnection['send']>) {
      if (armed) {
        armed = false;
        throw new Error('injected fault');
      }
      return realSend.apply(this, args);
    });
    try {
      const victim = await rawClient(server.address.port);
      const port = victim.socket.localPort;
      send(victim, request);
      expect(await closedWithin(victim, 5000)).toBe(true); // that connection only is closed...
      const line = logged.find((l) => l.startsWith(`${name}: closing 127.0.0.1:${port} after an error: injected fault`));
      expect(line, logged.join('')).toBeDefined(); // ...logged with its peer...
      const next = await rawClient(server.address.port); // ...and the server serves the next client
      expect(await ask(next, request, answer)).toContain(answer);
      next.close();
    } finally {
      vi.restoreAllMocks();
      await server.close(1000);
      loop.stop();
      await running.catch(() => {});
      loop.close();
    }
  }, 20_000);
});
