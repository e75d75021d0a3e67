// examples/chat --cluster: three chat processes sharing one real redis-server (started here on a
// free port), clients spread across them. Room chat crosses processes exactly once per member,
// in each sender's order; room size and the 207 "already there" user count every process; a
// double login on another process answers 31; a clean stop frees its users at once, a kill -9
// within the session TTL while the others keep serving; Redis killed and restarted mid-chat
// (chats answer 37 meanwhile, then work again with the sessions re-claimed); the three processes
// run LT integrated, ET exclusive and ET integrated; and a scripted
// session of the tutorial's packets gets the same bytes from a cluster as from one plain
// process. Needs the real redis-server (EVAL, pub/sub): skipped with a printed reason without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ChatPeer, cstr, field, packet, type Packet } from './chatPeer.js';
import { freePort, HAS_REDIS_SERVER, RedisProcess } from './redisProcess.js';
import { dist, runClient, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const MAIN = dist('chat/main.js');
const TTL_SEC = 2;
const USERS: Array<[string, string]> = [
  ['alice', 'pw-a'],
  ['bob', 'pw-b'],
  ['carol', 'pw-c'],
  ['dave', 'pw-d'],
  ['erin', 'pw-e'],
];
const PW = Object.fromEntries(USERS);

const HAS_HAPROXY = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
const HAPROXY_CFG = fileURLToPath(new URL('../../docs/examples/chat-haproxy.cfg', import.meta.url));
if (HAS_REDIS_SERVER && !HAS_HAPROXY) console.log('chat --cluster behind haproxy skipped: haproxy is not installed (apt-get install haproxy)');
if (!HAS_REDIS_SERVER) console.log('chat --cluster tests skipped: redis-server is not installed (they need EVAL and pub/sub; apt-get install redis-server)');

/** One inline command to Redis; its reply: an integer, a bulk string's text, or null. */
function redisQuery(port: number, command: string): Promise<number | string | null> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const timer = setTimeout(() => (sock.destroy(), reject(new Error(`no answer to ${command}`))), 2000);
    let got = '';
    const done = (v: number | string | null): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    sock.on('error', (err) => (clearTimeout(timer), reject(err)));
    sock.on('data', (d) => {
      got += d.toString();
      const eol = got.indexOf('\r\n');
      if (eol < 0) return;
      if (got[0] === ':') return done(Number(got.slice(1, eol)));
      if (got.startsWith('$-1')) return done(null);
      if (got[0] === '$' && got.length >= eol + 4 + Number(got.slice(1, eol))) return done(got.slice(eol + 2, eol + 2 + Number(got.slice(1, eol))));
      if (got[0] === '-') (clearTimeout(timer), sock.destroy(), reject(new Error(`${command}: ${got.trim()}`)));
    });
    sock.write(`${command}\r\n`);
  });
}

/** An integer reply (EXISTS, ZCARD...). */
async function redisInt(port: number, command: string): Promise<number> {
  const v = await redisQuery(port, command);
  if (typeof v !== 'number') throw new Error(`${command} answered ${String(v)}`);
  return v;
}

/** Resolves once something accepts connections on `port` (10 s at most). */
async function listening(port: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => (sock.destroy(), resolve(true)));
      sock.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port} after 10 s`);
}

/** Repeats `step` (every 50 ms, `ms` at most) until `done` accepts its result; returns the last result. */
async function until<T>(step: () => Promise<T>, done: (v: T) => boolean, ms = 5000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await step();
    if (done(v) || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function addUsers(redisPort: number): Promise<void> {
  for (const [id, pw] of USERS) expect((await runClient(MAIN, ['adduser', id, pw, '--redis', `127.0.0.1:${redisPort}`])).code).toBe(0);
}

/** The (sender, text) of a 216 packet. */
const notice = (p: Packet): [string, string] => {
  expect(p.id).toBe(216);
  return [field(p.body, 0, 21), field(p.body, 21, 257)];
};

/** The tutorial-only session of the last test: every packet each peer received, in order. */
async function scriptedSession(ports: number[]): Promise<string[][]> {
  const peers = await Promise.all([0, 1, 2, 3].map((i) => ChatPeer.connect(ports[i % ports.length]!)));
  const [a, b, c] = peers as [ChatPeer, ChatPeer, ChatPeer, ChatPeer];
  const log: string[][] = peers.map(() => []);
  const rec = (i: number, p: Packet): void => void log[i]!.push(`${p.id}:${p.body.toString('hex')}`);
  const ask = async (i: number, bytes: Buffer): Promise<void> => {
    peers[i]!.send(bytes);
    rec(i, await peers[i]!.next());
  };
  const login = (u: string, pw: string) => packet(201, Buffer.concat([cstr(u, 21), cstr(pw, 21)]));
  const enter = (room: number) => {
    const b4 = Buffer.alloc(4);
    b4.writeInt32LE(room);
    return packet(206, b4);
  };
  const chat = (m: string) => packet(214, cstr(m, 257));
  try {
    await ask(0, enter(0)); // 51 before login
    await ask(0, packet(209)); // 36
    await ask(0, chat('x')); // 36
    await ask(0, login('alice', 'nope')); // 34
    await ask(0, login('mallory', 'x')); // 33
    await ask(0, login('alice', 'pw-a')); // 0
    await ask(0, login('alice', 'pw-a')); // 31 (this connection)
    await ask(1, login('alice', 'pw-a')); // 31 (another connection: here, another process)
    await ask(1, login('bob', 'pw-b'));
    await ask(2, login('carol', 'pw-c'));
    await ask(3, login('dave', 'pw-d'));
    await ask(0, packet(209)); // 71
    await ask(0, chat('nobody')); // 81
    await ask(0, enter(3)); // 61
    await ask(0, enter(1)); // 0, room was empty
    await ask(0, enter(1)); // 52
    await ask(1, enter(1)); // 0, alice
    await ask(2, enter(1)); // 0, alice
    await ask(3, enter(1)); // 54 (room size 3)
    await ask(3, enter(0));
    await ask(0, chat('hello room 1 ✓'));
    rec(1, await b.next());
    rec(2, await c.next());
    await ask(2, packet(209));
    await ask(1, chat('from bob'));
    rec(0, await a.next());
    await ask(3, packet(209));
    await ask(3, enter(1)); // 0, alice
    await ask(3, chat('dave here'));
    rec(0, await a.next());
    rec(1, await b.next());
    for (const [i, p] of peers.entries()) for (const extra of await p.drain(i === 0 ? 200 : 0)) rec(i, extra); // nothing more
  } finally {
    for (const p of peers) p.close();
  }
  return log;
}

describe.skipIf(!HAS_REDIS_SERVER)('chat --cluster: three processes, one redis-server', () => {
  let redis: RedisProcess;
  let procs: ServerProcess[] = [];
  const peers: ChatPeer[] = [];
  const peer = async (i: number): Promise<ChatPeer> => {
    const p = await ChatPeer.connect(procs[i]!.port);
    peers.push(p);
    return p;
  };
  const logIn = async (i: number, user: string): Promise<ChatPeer> => {
    const p = await peer(i);
    expect(await p.login(user, PW[user]!)).toBe(0);
    return p;
  };
  const startChat = (name = 'chat', driver: string[] = []) =>
    startServer(MAIN, [...driver, '--redis', `127.0.0.1:${redis.port}`, '--cluster', '--cluster-name', name, '--session-ttl', String(TTL_SEC), '--rooms', '3', '--room-size', '3']);
  const closeAll = async (): Promise<void> => {
    for (const p of peers.splice(0)) p.close();
    // the server has seen the disconnects once their claims are gone
    await until(() => redisInt(redis.port, `EXISTS ${USERS.map(([u]) => `session:chat:${u}`).join(' ')}`), (n) => n === 0);
  };

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    await addUsers(redis.port);
    // one cluster, three ways to run a process: LT integrated, ET exclusive (worker thread), ET integrated
    procs = await Promise.all([startChat(), startChat('chat', ['--mode', 'et', '--driver', 'exclusive']), startChat('chat', ['--mode', 'et'])]);
  }, 30_000);

  afterAll(async () => {
    for (const p of peers) p.close();
    for (const p of procs) await stopServer(p);
    await redis?.stop();
  });

  it('room chat crosses processes exactly once per other member, in each sender\'s order; size and 207 count every process', async () => {
    const a = await logIn(0, 'alice');
    const b = await logIn(1, 'bob');
    const c = await logIn(2, 'carol');
    const d = await logIn(0, 'dave');
    expect(await a.enter(0)).toEqual([0, '']);
    expect(await b.enter(0)).toEqual([0, 'alice']);
    expect(await c.enter(0)).toEqual([0, 'alice']);
    expect(await d.enter(0)).toEqual([54, '']); // three members, on three processes
    expect(await d.enter(1)).toEqual([0, '']);

    expect(await a.chat('hi from 1')).toBe(0);
    expect(notice(await b.next())).toEqual(['alice', 'hi from 1']);
    expect(notice(await c.next())).toEqual(['alice', 'hi from 1']);
    expect(await b.chat('hi from 2')).toBe(0);
    expect(notice(await a.next())).toEqual(['bob', 'hi from 2']);
    expect(notice(await c.next())).toEqual(['bob', 'hi from 2']);

    // all three send at once, pipelined: every other member hears every message once, per-sender in order
    const N = 40;
    const members = [
      ['alice', a],
      ['bob', b],
      ['carol', c],
    ] as const;
    for (let k = 0; k < N; k++) for (const [name, p] of members) p.send(packet(214, cstr(`${name} ${k}`, 257)));
    for (const [name, p] of members) {
      const got: Record<string, number[]> = { alice: [], bob: [], carol: [] };
      let answers = 0;
      while (answers < N || got.alice!.length + got.bob!.length + got.carol!.length < 2 * N) {
        const pk = await p.next();
        if (pk.id === 215) {
          expect(pk.body.readInt16LE(0)).toBe(0);
          answers++;
          continue;
        }
        const [from, text] = notice(pk);
        expect(text.startsWith(`${from} `)).toBe(true);
        got[from]!.push(Number(text.slice(from.length + 1)));
      }
      for (const [other] of members) expect(got[other]).toEqual(other === name ? [] : Array.from({ length: N }, (_, k) => k));
    }
    for (const [, p] of members) expect(await p.drain(100)).toEqual([]); // no duplicates
    expect(await d.drain(0)).toEqual([]); // room 1 heard nothing
    await closeAll();
  }, 30_000);

  it('a second login of the same user on another process answers 31; logout frees it at once', async () => {
    const a = await logIn(0, 'alice');
    for (const i of [1, 2]) expect(await (await peer(i)).login('alice', 'pw-a')).toBe(31);
    expect(await redisInt(redis.port, 'EXISTS session:chat:alice')).toBe(1);
    a.close();
    await until(() => redisInt(redis.port, 'EXISTS session:chat:alice'), (n) => n === 0, 1000);
    expect(await redisInt(redis.port, 'EXISTS session:chat:alice')).toBe(0); // released, not left to expire
    expect(await (await peer(2)).login('alice', 'pw-a')).toBe(0);
    // another cluster name on the same Redis is another chat
    const other = await startChat('other');
    try {
      const o = await ChatPeer.connect(other.port);
      peers.push(o);
      expect(await o.login('alice', 'pw-a')).toBe(0);
    } finally {
      expect(await stopServer(other)).toBe(0);
    }
    await closeAll();
  }, 30_000);

  it('a clean stop frees its users at once; kill -9 frees them within the TTL while the others keep serving', async () => {
    const extra = await startChat();
    const e = await ChatPeer.connect(extra.port);
    expect(await e.login('erin', 'pw-e')).toBe(0);
    expect(await e.enter(2)).toEqual([0, '']);
    expect(await stopServer(extra)).toBe(0); // SIGTERM
    await e.closed;
    expect(await redisInt(redis.port, 'EXISTS session:chat:erin')).toBe(0);
    expect(await redisInt(redis.port, 'ZCARD room:chat:2')).toBe(0);
    expect(await (await peer(1)).login('erin', 'pw-e')).toBe(0);

    // kill -9 of process 0: its users stay claimed until the TTL, then log in elsewhere
    const victim = await startChat();
    const a = await ChatPeer.connect(victim.port);
    peers.push(a);
    expect(await a.login('alice', 'pw-a')).toBe(0);
    expect(await a.enter(1)).toEqual([0, '']);
    const b = await logIn(1, 'bob');
    const c = await logIn(2, 'carol');
    expect(await b.enter(1)).toEqual([0, 'alice']);
    expect(await c.enter(1)).toEqual([0, 'alice']);
    victim.child.kill('SIGKILL');
    await a.closed;
    const killedAt = Date.now();
    expect(await (await peer(1)).login('alice', 'pw-a')).toBe(31); // its claim still lives
    expect(await b.chat('still here')).toBe(0); // the others keep serving
    expect(notice(await c.next())).toEqual(['bob', 'still here']);
    const again = await peer(1);
    expect(await until(() => again.login('alice', 'pw-a'), (r) => r === 0, (TTL_SEC + 3) * 1000)).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan((TTL_SEC + 1) * 1000);
    // the dead process's membership went with its claim: alice is no longer in room 1
    expect(await again.enter(1)).toEqual([0, 'bob']);
    await closeAll();
  }, 30_000);

  it('Redis killed and restarted mid-chat: chats answer 37 meanwhile, then room chat works again with the sessions re-claimed', async () => {
    const b = await logIn(1, 'bob');
    const c = await logIn(2, 'carol');
    expect(await b.enter(0)).toEqual([0, '']);
    expect(await c.enter(0)).toEqual([0, 'bob']);
    expect(await b.chat('before')).toBe(0);
    expect(notice(await c.next())).toEqual(['bob', 'before']);

    await redis.stop('SIGKILL');
    expect(await until(() => b.chat('while down'), (r) => r === 37)).toBe(37); // refused, not lost
    expect(await c.leave()).toBe(0); // leaving works offline
    expect(await c.enter(0)).toEqual([37, '']);
    expect(await (await peer(0)).login('dave', 'pw-d')).toBe(35);
    expect(await c.drain(100)).toEqual([]);

    await redis.start(); // empty: no persistence
    await addUsers(redis.port);
    // the processes reconnect, resubscribe and re-claim bob and carol
    expect(await until(() => redisInt(redis.port, 'EXISTS session:chat:bob session:chat:carol'), (n) => n === 2, 10_000)).toBe(2);
    const resubscribed = () => procs.every((p) => p.stderr().split('cluster: subscribed to chat:chat').length === 3);
    expect(await until(async () => resubscribed(), (ok) => ok, 10_000)).toBe(true);
    expect(await until(() => c.enter(0), ([r]) => r !== 37, 10_000)).toEqual([0, 'bob']); // bob's membership re-added
    expect(await (await peer(0)).login('bob', 'pw-b')).toBe(31);
    expect(await until(() => b.chat('after'), (r) => r === 0, 10_000)).toBe(0);
    expect(notice(await c.next())).toEqual(['bob', 'after']);
    expect(await c.chat('back')).toBe(0);
    expect(notice(await b.next())).toEqual(['carol', 'back']);
    expect(await c.drain(100)).toEqual([]);
    for (const p of procs.slice(1)) expect(p.stderr()).toMatch(/cluster: redis is back; .*re-claiming live sessions/);
    expect(procs[1]!.stderr()).toMatch(/refused [1-9]\d* chats/);
    expect(procs[1]!.stderr()).toMatch(/cluster: redis connection lost/);
    await closeAll();
  }, 60_000);

  it('a client speaking only the tutorial packets gets the same bytes from the cluster as from one plain process', async () => {
    const plain = await startServer(MAIN, ['--redis', `127.0.0.1:${redis.port}`, '--rooms', '3', '--room-size', '3']);
    let alone: string[][];
    try {
      alone = await scriptedSession([plain.port]);
    } finally {
      expect(await stopServer(plain)).toBe(0);
    }
    const spread = await scriptedSession(procs.map((p) => p.port));
    expect(spread).toEqual(alone);
    expect(alone.map((l) => l.length)).toEqual([15, 6, 4, 6]); // every answer and notice, nothing more
    await closeAll();
  }, 30_000);
});

describe.skipIf(!HAS_REDIS_SERVER || !HAS_HAPROXY)('chat --cluster behind haproxy (docs/examples/chat-haproxy.cfg)', () => {
  let redis: RedisProcess;
  let procs: ServerProcess[] = [];
  let lbPort = 0;
  let haproxy: ReturnType<typeof spawn> | null = null;
  let haproxyErr = '';
  const peers: ChatPeer[] = [];
  const viaBalancer = async (): Promise<ChatPeer> => {
    const p = await ChatPeer.connect(lbPort);
    peers.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    await addUsers(redis.port);
    const args = ['--redis', `127.0.0.1:${redis.port}`, '--cluster', '--cluster-name', 'lb', '--session-ttl', String(TTL_SEC)];
    procs = await Promise.all([startServer(MAIN, args), startServer(MAIN, args), startServer(MAIN, args)]);
    lbPort = await freePort();
    const env = { ...process.env, CHAT_LISTEN: `127.0.0.1:${lbPort}` } as Record<string, string>;
    procs.forEach((p, i) => (env[`CHAT_${i + 1}`] = `127.0.0.1:${p.port}`));
    haproxy = spawn('haproxy', ['-f', HAPROXY_CFG, '-db'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    haproxy.stderr!.on('data', (d) => (haproxyErr += d));
    await listening(lbPort).catch((err: Error) => {
      throw new Error(`${err.message}; haproxy said: ${haproxyErr}`);
    });
  }, 30_000);

  afterAll(async () => {
    for (const p of peers) p.close();
    if (haproxy && haproxy.exitCode === null) {
      const h = haproxy;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => h.kill('SIGKILL'), 5000);
        h.on('exit', () => (clearTimeout(timer), resolve()));
        h.kill('SIGTERM');
      });
    }
    for (const p of procs) await stopServer(p);
    await redis?.stop();
  });

  it('clients through one address land on different processes and chat as one room; a double login answers 31; a dead process is routed around', async () => {
    const users = ['alice', 'bob', 'carol'];
    const clients: ChatPeer[] = [];
    for (const u of users) {
      const p = await viaBalancer();
      expect(await p.login(u, PW[u]!)).toBe(0);
      clients.push(p);
    }
    // leastconn spread them: three different owners hold the three claims
    const owners = await Promise.all(users.map(async (u) => String(await redisQuery(redis.port, `GET session:lb:${u}`)).split('.')[0]));
    expect(new Set(owners).size).toBe(3);
    const [a, b, c] = clients as [ChatPeer, ChatPeer, ChatPeer];
    expect(await a.enter(2)).toEqual([0, '']);
    expect(await b.enter(2)).toEqual([0, 'alice']);
    expect(await c.enter(2)).toEqual([0, 'alice']);
    expect(await b.chat('through the balancer')).toBe(0);
    expect(notice(await a.next())).toEqual(['bob', 'through the balancer']);
    expect(notice(await c.next())).toEqual(['bob', 'through the balancer']);
    expect(await a.drain(100)).toEqual([]);
    expect(await b.drain(0)).toEqual([]);
    expect(await (await viaBalancer()).login('alice', 'pw-a')).toBe(31);

    // kill -9 one process: new connections go to the others (retries + redispatch, health checks)
    procs[0]!.child.kill('SIGKILL');
    for (let i = 0; i < 6; i++) {
      const p = await viaBalancer();
      expect(await p.login('dave', 'pw-d')).toBe(0);
      p.close();
      await until(() => redisInt(redis.port, 'EXISTS session:lb:dave'), (n) => n === 0, 2000);
    }
    expect(haproxyErr).not.toMatch(/\[ALERT\]/);
  }, 30_000);
});
