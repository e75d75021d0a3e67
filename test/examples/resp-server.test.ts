// examples/resp-server as a user runs it: redis-cli and redis-benchmark unmodified, our own
// RESP client with pipelines split at every byte, Redis's error texts, expiry by the timing
// wheel, the protocol / query-buffer / output-buffer limits, QUIT, and exit 0 on SIGTERM.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { RespErrorReply, RespReplyDecoder, encodeCommand, type RespValue } from '../../src/codec/resp.js';
import { RawClient, example, hasTool, startServer, stopServer, type Running } from './resp-server-harness.js';

const run = promisify(execFile);
const SERVER = example('resp-server/main.js');
const HAS_CLI = hasTool('redis-cli');
const HAS_BENCH = hasTool('redis-benchmark');
const LIMITS = ['--proto-max-bulk-len', '100000', '--max-multibulk-length', '64', '--client-query-buffer-limit', '262144', '--client-output-buffer-limit', '1048576'];

/** Decodes every complete reply in `b`. */
function replies(b: Buffer): RespValue[] {
  const input = new ByteBuffer();
  input.append(b);
  const dec = new RespReplyDecoder({ bulkAsString: true });
  const out: RespValue[] = [];
  let v;
  while ((v = dec.decode(input)) !== undefined) out.push(v);
  return out;
}

async function call(c: RawClient, ...cmds: Array<Array<string | number>>): Promise<RespValue[]> {
  c.take();
  c.socket.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  return replies(await c.until((b) => replies(b).length >= cmds.length));
}

describe.each([
  ['lt', 'integrated'],
  ['et', 'exclusive'],
  ['uring', 'exclusive'],
])('resp-server --mode %s --driver %s', (mode, driver) => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(SERVER, ['--mode', mode, '--driver', driver, ...LIMITS]);
  });
  afterAll(async () => {
    if (server) expect(await stopServer(server, 'SIGTERM')).toBe(0);
  });

  it.skipIf(!HAS_CLI)(`answers redis-cli: SET/GET/INCR/EXPIRE/TTL/MGET${HAS_CLI ? '' : ' (skipped: redis-cli not installed)'}`, async () => {
    const cli = async (...args: string[]): Promise<string> => (await run('redis-cli', ['-p', String(server.port), ...args], { timeout: 10_000 })).stdout.trim();
    expect(await cli('SET', 'cli:k', 'hello world')).toBe('OK');
    expect(await cli('GET', 'cli:k')).toBe('hello world');
    expect(await cli('INCR', 'cli:n')).toBe('1');
    expect(await cli('INCRBY', 'cli:n', '41')).toBe('42');
    expect(await cli('EXPIRE', 'cli:k', '100')).toBe('1');
    expect(Number(await cli('TTL', 'cli:k'))).toBeGreaterThanOrEqual(99);
    expect(await cli('MGET', 'cli:k', 'cli:none', 'cli:n')).toBe('hello world\n\n42');
    expect(await cli('GET')).toBe("ERR wrong number of arguments for 'get' command");
    expect(await cli('PING')).toBe('PONG');
  });

  it('answers pipelined commands, split at every byte boundary, in order', async () => {
    const c = await RawClient.connect(server.port);
    try {
      expect(await call(c, ['DEL', 'p:a', 'p:n'])).toHaveLength(1);
      const pipeline = Buffer.concat([
        encodeCommand(['SET', 'p:a', 'x\r\ny']),
        Buffer.from('GET p:a\r\n'), // inline, as telnet users type it
        encodeCommand(['INCR', 'p:n']),
        encodeCommand(['MGET', 'p:a', 'p:missing']),
        encodeCommand(['ECHO', '']),
      ]);
      const expected = (n: number): RespValue[] => ['OK', 'x\r\ny', n, ['x\r\ny', null], ''];
      c.take();
      await c.writeSplit(pipeline, 1); // one byte per write
      expect(replies(await c.until((b) => replies(b).length >= 5))).toEqual(expected(1));
      for (let cut = 1; cut < pipeline.length; cut++) {
        c.take();
        c.socket.write(pipeline.subarray(0, cut));
        await new Promise((r) => setImmediate(r));
        c.socket.write(pipeline.subarray(cut));
        expect(replies(await c.until((b) => replies(b).length >= 5)), `cut at ${cut}`).toEqual(expected(cut + 1));
      }
    } finally {
      c.close();
    }
  });

  it("replies with Redis's error texts", async () => {
    const c = await RawClient.connect(server.port);
    try {
      const r = await call(c, ['SET', 'e:s', 'abc'], ['INCR', 'e:s'], ['SET', 'e:s', 'v', 'EX', '0'], ['SET', 'e:s', 'v', 'BOGUS'], ['NOSUCH', 'a', 'b'], ['MSET', 'a'], ['EXPIRE', 'e:s', 'x'], ['INCRBY', 'e:n', '9223372036854775807'], ['INCR', 'e:n']);
      expect(r.map((v) => (v instanceof RespErrorReply ? v.message : v))).toEqual([
        'OK',
        'ERR value is not an integer or out of range',
        "ERR invalid expire time in 'set' command",
        'ERR syntax error',
        "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
        "ERR wrong number of arguments for 'mset' command",
        'ERR value is not an integer or out of range',
        9223372036854775807,
        'ERR increment or decrement would overflow',
      ]);
    } finally {
      c.close();
    }
  });

  it('expires keys through the timing wheel without a read, and lazily on read', async () => {
    const c = await RawClient.connect(server.port);
    try {
      await call(c, ['FLUSHALL']);
      expect(await call(c, ['SET', 'x:a', '1', 'PX', '80'], ['SET', 'x:b', '2'], ['PEXPIRE', 'x:b', '60000'], ['DBSIZE'])).toEqual(['OK', 'OK', 1, 2]);
      const [pttl] = await call(c, ['PTTL', 'x:b']);
      expect(pttl).toBeGreaterThan(59_000);
      await new Promise((r) => setTimeout(r, 400));
      expect(await call(c, ['DBSIZE'])).toEqual([1]); // x:a went without anyone reading it
      expect(await call(c, ['SET', 'x:c', '3', 'PX', '1'])).toEqual(['OK']);
      await new Promise((r) => setTimeout(r, 5));
      expect(await call(c, ['GET', 'x:c'], ['TTL', 'x:c'], ['EXISTS', 'x:b', 'x:c'])).toEqual([null, -2, 1]);
    } finally {
      c.close();
    }
  });

  it.each([
    ['a bulk length over proto-max-bulk-len', '*1\r\n$100001\r\n', 'invalid bulk length'],
    ['a multibulk count over the limit', '*65\r\n', 'invalid multibulk length'],
    ['a non-$ element', '*1\r\n:5\r\n', "expected '$', got ':'"],
    ['an inline command over 64 KiB', 'x'.repeat(70_000), 'too big inline request'],
    ['unbalanced quotes', 'SET "a b\r\n', 'unbalanced quotes in request'],
  ])('answers %s with -ERR Protocol error and closes', async (_what, wire, text) => {
    const c = await RawClient.connect(server.port);
    try {
      c.socket.write(encodeCommand(['PING']));
      c.socket.write(wire);
      await c.closed();
      expect(c.received.toString('latin1')).toBe(`+PONG\r\n-ERR Protocol error: ${text}\r\n`);
    } finally {
      c.close();
    }
  });

  it('closes a client past the query buffer limit without a reply', async () => {
    // One valid command of 64 arguments of 100000 bytes (each within the limits) is 6.4 MB:
    // sent in part, it is pending input that only the query buffer limit (256 KiB) bounds.
    const arg = Buffer.concat([Buffer.from('$100000\r\n'), Buffer.alloc(100_000, 'a'), Buffer.from('\r\n')]);
    const partial = (n: number): Buffer => Buffer.concat([Buffer.from('*64\r\n'), ...Array.from({ length: n }, () => arg)]);
    const below = await RawClient.connect(server.port);
    const over = await RawClient.connect(server.port);
    try {
      below.socket.write(partial(2)); // 200 KB pending: allowed
      await over.writeSplit(partial(4), 65536); // 400 KB pending: over the limit
      await over.closed();
      expect(over.received.length).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(below.ended).toBe(false);
    } finally {
      below.close();
      over.close();
    }
  });

  it('disconnects a pipelining client that never reads once its replies pass the output limit', async () => {
    const setup = await RawClient.connect(server.port);
    const value = 'v'.repeat(64 * 1024);
    expect(await call(setup, ['SET', 'big', value])).toEqual(['OK']);
    const c = await RawClient.connect(server.port);
    try {
      c.socket.pause(); // never read: replies pile up in the kernel, then in the server
      const gets = Buffer.concat(Array.from({ length: 500 }, () => encodeCommand(['GET', 'big']))); // 32 MiB of replies
      for (let i = 0; i < 8 && !c.ended; i++) {
        c.socket.write(gets);
        await new Promise((r) => setTimeout(r, 20));
      }
      c.socket.resume();
      await c.closed(10_000);
      expect(c.received.length).toBeLessThan(500 * value.length); // cut off well before the first batch's replies
      expect(await call(setup, ['PING'])).toEqual(['PONG']); // the server itself is fine
    } finally {
      c.close();
      setup.close();
    }
  });

  it('QUIT answers +OK and closes; CLIENT SETNAME / CONFIG GET / COMMAND answer', async () => {
    const c = await RawClient.connect(server.port);
    try {
      expect(await call(c, ['CLIENT', 'SETNAME', 'tester'], ['CLIENT', 'GETNAME'], ['CONFIG', 'GET', 'appendonly'], ['COMMAND', 'COUNT'], ['COMMAND', 'DOCS'])).toEqual([
        'OK',
        'tester',
        ['appendonly', 'no'],
        expect.any(Number),
        [],
      ]);
      c.take();
      c.socket.write(Buffer.concat([encodeCommand(['QUIT']), encodeCommand(['PING'])]));
      await c.closed();
      expect(c.received.toString()).toBe('+OK\r\n');
    } finally {
      c.close();
    }
  });

  it.skipIf(!HAS_BENCH)(`runs redis-benchmark unmodified${HAS_BENCH ? '' : ' (skipped: redis-benchmark not installed)'}`, async () => {
    const { stdout } = await run('redis-benchmark', ['-p', String(server.port), '-t', 'ping_mbulk,set,get', '-c', '5', '-n', '3000', '-P', '16', '--csv'], { timeout: 30_000 });
    for (const t of ['PING_MBULK', 'SET', 'GET']) expect(stdout).toMatch(new RegExp(`^"${t}","[0-9.]+"`, 'm'));
  });
});
