// examples/calculator as a user runs it: the server in each mode x driver, our seed-format
// client (10,000 requests back to back, every answer checked), the documented answers, and
// malformed lengths closing only the offending connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { dist, runClient, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const SERVER = dist('calculator/main.js');
const CLIENT = dist('calculator/client.js');

/**
 * Writes raw bytes on a fresh socket; resolves with what was received once `want` bytes are in,
 * or the server closed, or 5 s passed.
 */
function exchange(port: number, bytes: Buffer, want = Infinity): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closedByServer: false });
    }, 5000);
    let got = 0;
    sock.on('data', (d) => {
      chunks.push(d);
      got += d.length;
      if (got >= want) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ data: Buffer.concat(chunks), closedByServer: false });
      }
    });
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closedByServer: true });
    });
    sock.write(bytes);
  });
}

function request(op: string, a: number, b: number, len = 9): Buffer {
  const buf = Buffer.alloc(13);
  buf.writeInt32LE(len, 0);
  buf.write(op, 4, 'latin1');
  buf.writeInt32LE(a, 5);
  buf.writeInt32LE(b, 9);
  return buf;
}

describe.each([
  ['lt', 'integrated'],
  ['et', 'integrated'],
  ['lt', 'exclusive'],
  ['et', 'exclusive'],
  ['uring', 'exclusive'],
])('calculator --mode %s --driver %s', (mode, driver) => {
  it('answers 10,000 back-to-back requests correctly (seed client), then exits 0 on SIGTERM', async () => {
    const server = await startServer(SERVER, ['--mode', mode, '--driver', driver]);
    try {
      const run = await runClient(CLIENT, ['--port', String(server.port), '--mode', mode, '--seed', '7']);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^10000 requests, 10000 answers verified in [\d.]+ ms\n$/);
      expect(run.code).toBe(0);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(server.stderr()).toBe('');
  }, 60_000);
});

describe('calculator protocol edges', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(SERVER, ['--mode', 'et']);
  });
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
  });

  it('answers the documented results: wrap like C int32, / and % truncate, by zero and unknown op -1', async () => {
    const reqs = [
      request('+', 0x7fffffff, 1), request('-', -0x80000000, 1), request('*', 65536, 65536), request('*', 46341, 46341),
      request('/', -7, 2), request('%', -7, 2), request('/', -0x80000000, -1), request('%', -0x80000000, -1),
      request('/', 5, 0), request('%', 5, 0), request('^', 1, 2), request('+', 10, 20),
    ];
    const { data } = await exchange(server.port, Buffer.concat(reqs), 4 * reqs.length);
    const got = Array.from({ length: data.length / 4 }, (_, i) => data.readInt32LE(i * 4));
    expect(got).toEqual([-0x80000000, 0x7fffffff, 0, -2147479015, -3, -1, -0x80000000, 0, -1, -1, -1, 30]);
  });

  it.each([
    ['len 0', 0, 'is below the minimum 1'],
    ['len -1', -1, 'is below the minimum 1'],
    ['len 4097', 4097, 'exceeds the maximum 4096'],
  ])('%s closes that connection with a logged reason; the server stays up', async (_name, len, reason) => {
    // one good request first: its answer still arrives before the close
    const { data, closedByServer } = await exchange(server.port, Buffer.concat([request('+', 1, 2), request('+', 1, 1, len)]));
    expect(closedByServer).toBe(true);
    expect(data.length).toBe(4);
    expect(data.readInt32LE(0)).toBe(3);
    expect(server.stderr()).toContain(reason);
    const again = await exchange(server.port, request('*', 6, 7), 4);
    expect(again.data.readInt32LE(0)).toBe(42);
  });

  it('a body too short for op, a and b closes the connection (ERR_CODEC_READ_PAST_END)', async () => {
    const short = Buffer.from([5, 0, 0, 0, 0x2b, 1, 0, 0, 0]);
    const { data, closedByServer } = await exchange(server.port, short);
    expect(closedByServer).toBe(true);
    expect(data.length).toBe(0);
    expect(server.stderr()).toContain('ERR_CODEC_READ_PAST_END');
  });
});

describe('example command lines (examples/shared/cli.ts)', () => {
  it.each([
    ['calculator/main.js', ['--mode', 'xt'], 'calculator: --mode must be lt, et or uring'],
    ['framed-echo/main.js', ['--driver', 'both'], 'framed-echo: --driver must be integrated or exclusive'],
    ['chat/main.js', ['--port', '70000'], "chat: bad --port '70000'"],
    ['chat/main.js', ['adduser', 'only-id'], 'chat: usage: adduser <id> <password>'],
    ['calculator/main.js', ['--nope'], "calculator: Unknown option '--nope'"],
  ])('%s %j exits 2 with a message', async (script, args, message) => {
    const run = await runClient(dist(script), args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await runClient(dist('chat/main.js'), ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: epoll-reactor example chat \[options\][\s\S]*--redis HOST:PORT/);
  });
});
