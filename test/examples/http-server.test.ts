// examples/http-server as a user runs it: pipelined requests in one packet, a request split
// byte by byte, keep-alive and close rules, a bad request line (400) and oversize headers
// (431) closing the connection, wrk unmodified, and exit 0 on SIGTERM.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, example, hasTool, startServer, stopServer, type Running } from './resp-server-harness.js';

const run = promisify(execFile);
const SERVER = example('http-server/main.js');
const HAS_WRK = hasTool('wrk');

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits `b` into complete responses (bodies by Content-Length). */
function responses(b: Buffer): Response[] {
  const out: Response[] = [];
  let s = b.toString('latin1');
  for (;;) {
    const end = s.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const [line, ...fields] = s.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const f of fields) headers[f.slice(0, f.indexOf(':')).toLowerCase()] = f.slice(f.indexOf(':') + 1).trim();
    const len = Number(headers['content-length'] ?? 0);
    if (s.length < end + 4 + len) return out;
    out.push({ status: Number(line!.split(' ')[1]), headers, body: s.slice(end + 4, end + 4 + len) });
    s = s.slice(end + 4 + len);
  }
}

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;

describe.each([
  ['lt', 'integrated'],
  ['et', 'exclusive'],
  ['uring', 'integrated'],
])('http-server --mode %s --driver %s', (mode, driver) => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(SERVER, ['--mode', mode, '--driver', driver]);
  });
  afterAll(async () => {
    if (server) expect(await stopServer(server, 'SIGTERM')).toBe(0);
  });

  it('answers pipelined requests sent in one packet, in order, and keeps the connection', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.socket.write(GET('/plaintext') + GET('/json') + GET('/nope') + 'HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\n' + 'DELETE /json HTTP/1.1\r\nHost: x\r\n\r\n');
      // HEAD's response has a Content-Length but no body: count it by its head alone.
      const r = responses(await c.until((b) => (b.toString('latin1').match(/HTTP\/1\.1 /g) ?? []).length >= 5 && b.toString('latin1').endsWith('Method Not Allowed')));
      expect(r.slice(0, 3).map((x) => [x.status, x.body])).toEqual([
        [200, 'Hello, World!'],
        [200, '{"message":"Hello, World!"}'],
        [404, 'Not Found'],
      ]);
      expect(r[0]!.headers['content-type']).toBe('text/plain');
      expect(r[0]!.headers['date']).toMatch(/GMT$/);
      expect(r[1]!.headers['content-type']).toBe('application/json');
      expect(c.ended).toBe(false);
    } finally {
      c.close();
    }
  });

  it('answers a request that arrives byte by byte', async () => {
    const c = await RawClient.connect(server.port);
    try {
      await c.writeSplit(Buffer.from(GET('/plaintext') + GET('/json')), 1);
      const r = responses(await c.until((b) => responses(b).length >= 2));
      expect(r.map((x) => x.body)).toEqual(['Hello, World!', '{"message":"Hello, World!"}']);
    } finally {
      c.close();
    }
  });

  it.each([
    ['Connection: close', GET('/plaintext', 'Connection: close\r\n'), 200],
    ['HTTP/1.0 without keep-alive', 'GET /plaintext HTTP/1.0\r\n\r\n', 200],
    ['a bad request line', 'GET /plaintext HTTP/1.1 extra\r\nHost: x\r\n\r\n', 400],
    ['a header section over 16 KiB', GET('/plaintext', `X-Big: ${'a'.repeat(17_000)}\r\n`), 431],
  ])('closes after %s', async (_what, wire, status) => {
    const c = await RawClient.connect(server.port);
    try {
      c.socket.write(wire + GET('/json')); // nothing after it is answered
      await c.closed();
      const r = responses(c.received);
      expect(r.map((x) => x.status)).toEqual([status]);
      expect(r[0]!.headers['connection']).toBe('close');
    } finally {
      c.close();
    }
  });

  it('keeps an HTTP/1.0 connection open with Connection: keep-alive', async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.socket.write('GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const [r] = responses(await c.until((b) => responses(b).length >= 1));
      expect(r!.headers['connection']).toBe('keep-alive');
      c.socket.write('GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      expect(responses(await c.until((b) => responses(b).length >= 2))[1]!.status).toBe(200);
    } finally {
      c.close();
    }
  });

  it.skipIf(!HAS_WRK)(`serves wrk unmodified${HAS_WRK ? '' : ' (skipped: wrk not installed)'}`, async () => {
    const { stdout } = await run('wrk', ['-t1', '-c10', '-d1s', `http://127.0.0.1:${server.port}/plaintext`], { timeout: 30_000 });
    expect(stdout).not.toMatch(/Non-2xx/);
    expect(Number(/Requests\/sec:\s+([0-9.]+)/.exec(stdout)![1])).toBeGreaterThan(0);
  });
});

describe('http-server --loops 2 (LoopPool, SO_REUSEPORT)', () => {
  it('answers pipelined requests on every connection and exits 0 on SIGTERM', async () => {
    const server = await startServer(SERVER, ['--loops', '2', '--mode', 'et']);
    const clients: RawClient[] = [];
    try {
      for (let i = 0; i < 6; i++) clients.push(await RawClient.connect(server.port));
      for (const c of clients) c.socket.write(GET('/plaintext') + GET('/json'));
      for (const c of clients) {
        const r = responses(await c.until((b) => responses(b).length >= 2));
        expect(r.map((x) => x.body)).toEqual(['Hello, World!', '{"message":"Hello, World!"}']);
      }
    } finally {
      for (const c of clients) c.close();
      expect(await stopServer(server, 'SIGTERM')).toBe(0);
    }
  });
});
