// examples/resp-server against hostile clients, with plain sockets: glob patterns built to make
// a backtracking matcher explode, a 536,870,900-byte argument (inside Redis's 512 MiB bulk
// limit, beyond V8's string length), binary keys and values, keys and values over 1 MiB,
// EXPIRE at the edges of int64, slow, flooding and mid-command-disconnecting clients. After
// each, a second client is answered and the process still runs. The EXPIRE scenarios also run
// against redis-server side by side when it is installed (skipped with the reason otherwise).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { globMatch, GLOB_MAX_NESTING } from '../../examples/resp-server/glob.js';
import { alive, ask, rawClient, send, sleep } from './hostile.js';
import { freePort, HAS_REDIS_SERVER, RedisProcess } from './redisProcess.js';
import { dist, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const SERVER = dist('resp-server/main.js');

/** A RESP multibulk command. */
function cmd(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A bulk reply. */
function bulk(b: Buffer | string): string {
  const v = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  return `$${v.length}\r\n${v.toString('latin1')}\r\n`;
}

/** One command on a fresh connection; resolves with the raw reply (read until `done` or close). */
async function once(port: number, c: Buffer, done: (r: Buffer) => boolean = (r) => r.includes('\r\n'), ms = 5000): Promise<string> {
  const client = await rawClient(port);
  try {
    send(client, c);
    await client.until(done, ms).catch(() => {});
    return client.received.toString('latin1');
  } finally {
    client.close();
  }
}

/** A fresh client's PING is answered: the server still serves. */
async function stillServes(port: number): Promise<void> {
  expect(await once(port, Buffer.from('PING\r\n'))).toBe('+PONG\r\n');
}

describe('resp-server glob (Redis stringmatchlen semantics)', () => {
  const m = (p: string, s: string, nocase = false): boolean => globMatch(Buffer.from(p, 'latin1'), Buffer.from(s, 'latin1'), nocase);

  it('matches as Redis does: * ? [set] [^set] [a-z] \\ escapes, case folding, unterminated [', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', 'maxmemory', true],
      ['max*', 'maxmemory', true],
      ['*memory', 'maxmemory', true],
      ['m?xmemory', 'maxmemory', true],
      ['m?memory', 'maxmemory', false],
      ['[mn]ax*', 'maxmemory', true],
      ['[^m]ax*', 'maxmemory', false],
      ['[a-n]ax*', 'maxmemory', true],
      ['[n-a]ax*', 'maxmemory', true], // a reversed range is swapped
      ['\\*', '*', true],
      ['\\*', 'x', false],
      ['[\\]]', ']', true],
      ['[abc', 'b', true], // unterminated set: the set is what was read
      ['a*', 'a', true],
      ['*', '', false], // Redis: the empty string matches no pattern with something in it
      ['', '', true],
      ['a**', 'a', true],
      ['h*llo', 'hello', true],
      ['h*llo', 'hllo', true],
      ['h*llo', 'heeeelo', false],
      ['h[^e]llo', 'hallo', true],
      ['h[^e]llo', 'hello', false],
    ];
    for (const [p, s, want] of cases) expect(m(p, s), `${p} ~ ${s}`).toBe(want);
    expect(m('MAX*', 'maxmemory', true)).toBe(true);
    expect(m('MAX*', 'maxmemory', false)).toBe(false);
    expect(m('[A-Z]axmemory', 'maxmemory', true)).toBe(true);
  });

  it('does bounded work on patterns that make a backtracking matcher explode, and stops nesting at 1000', () => {
    const subject = 'a'.repeat(60);
    const t0 = performance.now();
    expect(m(`${'*a'.repeat(30)}*b`, subject)).toBe(false);
    expect(m(`${'*'.repeat(12)}x`, 'client-output-buffer-limit')).toBe(false);
    expect(m(`${'a*'.repeat(200)}b`, 'a'.repeat(300))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
    // nesting: a match that needs more than GLOB_MAX_NESTING stars answers no match, as Redis
    const deep = 'a'.repeat(GLOB_MAX_NESTING + 10);
    expect(m(`${'*a'.repeat(GLOB_MAX_NESTING + 5)}`, deep)).toBe(false);
    expect(m(`${'*a'.repeat(10)}`, deep)).toBe(true);
  });
});

describe('resp-server under hostile clients', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // an output limit above 512 MiB, so the largest ECHO can be answered (see DECISIONS: with
    // the default 32 MiB limit the same ECHO closes that client, as Redis would past its limit)
    server = await startServer(SERVER, ['--client-output-buffer-limit', String(1024 * 1024 * 1024)]);
  });
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
  });

  it('CONFIG GET with 12 stars and a nested-star pattern answers at once; a second client is served meanwhile', async () => {
    const t0 = performance.now();
    expect(await once(server.port, cmd('CONFIG', 'GET', `${'*'.repeat(12)}x`))).toBe('*0\r\n');
    expect(await once(server.port, cmd('CONFIG', 'GET', `${'*a'.repeat(40)}*x`))).toBe('*0\r\n');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await once(server.port, cmd('CONFIG', 'GET', 'MAXMEM*'))).toBe(`*2\r\n${bulk('maxmemory')}${bulk('0')}`);
    await stillServes(server.port);
  });

  it('ECHO of a 536,870,900-byte argument is answered byte for byte; the process lives on', async () => {
    const size = 536_870_900;
    const reply = await new Promise<{ length: number; head: string; tailOk: boolean }>((resolve, reject) => {
      const sock = connect(server.port, '127.0.0.1');
      const header = `$${size}\r\n`;
      let length = 0;
      let head = '';
      let tail = Buffer.alloc(0);
      const timer = setTimeout(() => (sock.destroy(), reject(new Error(`timed out after ${length} bytes`))), 90_000);
      sock.on('error', reject);
      sock.on('data', (d: Buffer) => {
        if (head.length < 32) head += d.subarray(0, 32).toString('latin1');
        length += d.length;
        tail = Buffer.concat([tail, d]).subarray(-8);
        if (length >= header.length + size + 2) {
          clearTimeout(timer);
          sock.destroy();
          resolve({ length, head: head.slice(0, header.length + 4), tailOk: tail.toString('latin1') === 'xxxxyz\r\n' });
        }
      });
      sock.on('close', () => {
        clearTimeout(timer);
        resolve({ length, head, tailOk: false });
      });
      // the argument: 'abcd', then x's, then 'yz' — checked at both ends of the reply
      sock.write(`*2\r\n$4\r\nECHO\r\n$${size}\r\nabcd`);
      const chunk = Buffer.alloc(1 << 20, 'x');
      let left = size - 6;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void sock.once('drain', pump);
        }
        sock.write('yz\r\n');
      };
      pump();
    });
    expect(reply.head).toBe(`$${size}\r\nabcd`);
    expect(reply.length).toBe(`$${size}\r\n`.length + size + 2);
    expect(reply.tailOk).toBe(true);
    expect(alive(server)).toBe(true);
    await stillServes(server.port);
  }, 120_000);

  it('keys and values are binary-safe, over 1 MiB too', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const c = await rawClient(server.port);
    try {
      expect(await ask(c, cmd('SET', all, Buffer.concat([all, all])), '+OK\r\n')).toBe('+OK\r\n');
      expect(await ask(c, cmd('GET', all), bulk(Buffer.concat([all, all])))).toBe(bulk(Buffer.concat([all, all])));
      const bigKey = Buffer.alloc(2 * 1024 * 1024 + 3, 'k');
      const bigValue = Buffer.alloc(3 * 1024 * 1024 + 1, 0xfe);
      expect(await ask(c, cmd('SET', bigKey, bigValue), '+OK\r\n')).toBe('+OK\r\n');
      expect(await ask(c, cmd('GET', bigKey), bulk(bigValue), 20_000)).toBe(bulk(bigValue));
      expect(await ask(c, cmd('EXISTS', bigKey, Buffer.concat([bigKey, Buffer.from('!')])), ':1\r\n')).toBe(':1\r\n');
      expect(await ask(c, cmd('INCR', bigKey), '-ERR value is not an integer or out of range\r\n')).toBe('-ERR value is not an integer or out of range\r\n');
      expect(await ask(c, cmd('DEL', bigKey), ':1\r\n')).toBe(':1\r\n');
      expect(await ask(c, cmd('CLIENT', 'SETNAME', Buffer.from([0x61, 0xff])), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n')).toContain('-ERR Client names');
    } finally {
      c.close();
    }
  }, 30_000);

  it('a bulk length over proto-max-bulk-len is refused with Redis\'s error and a close', async () => {
    const small = await startServer(SERVER, ['--proto-max-bulk-len', '1000']);
    try {
      const r = await once(small.port, Buffer.from('*2\r\n$4\r\nECHO\r\n$1001\r\n'), () => false, 2000);
      expect(r).toBe('-ERR Protocol error: invalid bulk length\r\n');
      expect(await once(small.port, cmd('ECHO', 'x'.repeat(1000)))).toBe(bulk('x'.repeat(1000)));
    } finally {
      expect(await stopServer(small)).toBe(0);
    }
  });

  it('slow, flooding and mid-command-disconnecting clients do not stall a second client', async () => {
    const slow = await rawClient(server.port);
    send(slow, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc'); // and never the rest
    const flood = await rawClient(server.port);
    flood.socket.pause(); // pipelines and never reads
    const burst = Buffer.from('PING\r\n'.repeat(100_000));
    for (let i = 0; i < 10; i++) send(flood, burst);
    for (let i = 0; i < 30; i++) {
      const c = await rawClient(server.port);
      send(c, cmd('SET', 'half', 'x'.repeat(10_000)).subarray(0, 5000));
      c.socket.resetAndDestroy();
    }
    await sleep(200);
    const t0 = performance.now();
    await stillServes(server.port);
    expect(performance.now() - t0).toBeLessThan(2000);
    slow.close();
    flood.close();
    expect(alive(server)).toBe(true);
  }, 30_000);
});

/** EXPIRE and SET EX at the edges of int64: the answers Redis's unit/expire tests expect. */
const EXPIRE_SCENARIOS: Array<[string, Buffer[], string]> = [
  ['EXPIRE 9007199254740 is accepted', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', '9007199254740'), cmd('TTL', 'foo')], '+OK\r\n:1\r\n:9007199254740\r\n'],
  ['EXPIRE beyond int64 is not an integer', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', '9223372036854775808')], '+OK\r\n-ERR value is not an integer or out of range\r\n'],
  ['EXPIRE with big integer overflows when converted to milliseconds', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', '10000000000000000'), cmd('TTL', 'foo')], "+OK\r\n-ERR invalid expire time in 'expire' command\r\n:-1\r\n"],
  ['EXPIRE LLONG_MAX/1000 overflows when basetime is added', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', '9223372036854775')], "+OK\r\n-ERR invalid expire time in 'expire' command\r\n"],
  ['PEXPIRE with big integer overflow when basetime is added', [cmd('SET', 'foo', 'bar'), cmd('PEXPIRE', 'foo', '9223372036854770000')], "+OK\r\n-ERR invalid expire time in 'pexpire' command\r\n"],
  ['EXPIRE with big negative integer', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', '-9999999999999999'), cmd('TTL', 'foo')], "+OK\r\n-ERR invalid expire time in 'expire' command\r\n:-1\r\n"],
  ['EXPIRE with a negative time deletes the key', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', '-100'), cmd('EXISTS', 'foo')], '+OK\r\n:1\r\n:0\r\n'],
  ['SET EX with a big integer is an invalid expire time', [cmd('SET', 'foo', 'bar', 'EX', '10000000000000000')], "-ERR invalid expire time in 'set' command\r\n"],
  ['SET EX with the smallest integer is an invalid expire time', [cmd('SET', 'foo', 'bar', 'EX', '-9999999999999999')], "-ERR invalid expire time in 'set' command\r\n"],
  ['EXPIRE checks its options before its number', [cmd('SET', 'foo', 'bar'), cmd('EXPIRE', 'foo', 'abc', 'bogus')], '+OK\r\n-ERR Unsupported option bogus\r\n'],
];

async function runScenario(port: number, commands: Buffer[], want: string): Promise<string> {
  const c = await rawClient(port);
  try {
    return await ask(c, Buffer.concat([cmd('DEL', 'foo'), ...commands]), `:0\r\n${want}`);
  } finally {
    c.close();
  }
}

describe('resp-server EXPIRE edges', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(SERVER, []);
  });
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
  });
  it.each(EXPIRE_SCENARIOS)('%s', async (_name, commands, want) => {
    expect((await runScenario(server.port, commands, want)).replace(/^:\d\r\n/, '')).toBe(want);
  });
});

describe.skipIf(!HAS_REDIS_SERVER)('resp-server EXPIRE edges, side by side with redis-server', () => {
  let redis: RedisProcess;
  let server: ServerProcess;
  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    server = await startServer(SERVER, []);
  }, 20_000);
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
    await redis.stop();
  });
  it.each(EXPIRE_SCENARIOS)('%s: the same bytes as redis-server', async (_name, commands, want) => {
    const theirs = await runScenario(redis.port, commands, want);
    expect(await runScenario(server.port, commands, want)).toBe(theirs);
  });
});
if (!HAS_REDIS_SERVER) console.log('redis-server not installed: the side-by-side EXPIRE comparison is skipped (our answers are still checked against the expected bytes)');
