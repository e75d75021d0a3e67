// examples/chat as a user runs it, against a real redis-server started here: logins (ok, wrong
// password, unknown user, double login), rooms and a chat reaching exactly the other members of
// the room, malformed packets closing only their connection, Redis going away (logins answer
// 35, the server stays up) and coming back (logins work again without a restart); and the
// command-line client. Run in LT and ET, integrated driver, and ET under the exclusive driver.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { ChatPeer, cstr, field, packet } from './chatPeer.js';
import { freePort, RedisProcess } from './redisProcess.js';
import { dist, runClient, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const MAIN = dist('chat/main.js');
const CLIENT = dist('chat/client.js');

async function addUsers(redisPort: number, users: Array<[string, string]>): Promise<void> {
  for (const [id, pw] of users) {
    const run = await runClient(MAIN, ['adduser', id, pw, '--redis', `127.0.0.1:${redisPort}`]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`added user ${id}\n`);
    expect(run.code).toBe(0);
  }
}

/** Repeats `step` (every 50 ms, 5 s at most) until `done` accepts its result; returns the last result. */
async function until<T>(step: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await step();
    if (done(v) || Date.now() - t0 > 5000) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const USERS: Array<[string, string]> = [['alice', 'pw-a'], ['bob', 'pw-b'], ['carol', 'pw-c'], ['dave', 'pw-d']];

describe.each([
  ['lt', 'integrated'],
  ['et', 'integrated'],
  ['et', 'exclusive'],
  ['uring', 'integrated'],
])('chat --mode %s --driver %s', (mode, driver) => {
  let redis: RedisProcess;
  let server: ServerProcess;
  const peers: ChatPeer[] = [];
  const peer = async (): Promise<ChatPeer> => {
    const p = await ChatPeer.connect(server.port);
    peers.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    await addUsers(redis.port, USERS);
    server = await startServer(MAIN, ['--mode', mode, '--driver', driver, '--redis', `127.0.0.1:${redis.port}`, '--rooms', '3', '--room-size', '3']);
  }, 30_000);

  afterAll(async () => {
    for (const p of peers) p.close();
    if (server) expect(await stopServer(server)).toBe(0);
    await redis?.stop();
  });

  it('login: ok, wrong password (34), unknown user (33), second login of the same id (31)', async () => {
    const a = await peer();
    expect(await a.login('alice', 'nope')).toBe(34);
    expect(await a.login('mallory', 'pw-a')).toBe(33);
    expect(await a.login('alice', 'pw-a')).toBe(0);
    expect(await a.login('alice', 'pw-a')).toBe(31); // this connection again
    const a2 = await peer();
    expect(await a2.login('alice', 'pw-a')).toBe(31); // another connection
    a.close();
    // the disconnect logs the first one out (as soon as the server has seen it)
    expect(await until(() => a2.login('alice', 'pw-a'), (r) => r !== 31)).toBe(0);
    a2.close();
  });

  it('requests before login answer their codes; rooms: enter, full, invalid, twice, leave', async () => {
    const x = await peer();
    expect(await x.enter(0)).toEqual([51, '']);
    expect(await x.leave()).toBe(36);
    expect(await x.chat('hi')).toBe(36);
    expect(await x.login('dave', 'pw-d')).toBe(0);
    expect(await x.leave()).toBe(71);
    expect(await x.chat('nobody')).toBe(81);
    expect(await x.enter(3)).toEqual([61, '']);
    expect(await x.enter(-1)).toEqual([61, '']);
    expect(await x.enter(2)).toEqual([0, '']);
    expect(await x.enter(2)).toEqual([52, '']);
    expect(await x.leave()).toBe(0);
    expect(await x.leave()).toBe(71);
    x.close();
  });

  it('a chat reaches exactly the other members of the room; leave and disconnect end membership', async () => {
    const [a, b, c, d] = await Promise.all([peer(), peer(), peer(), peer()]);
    expect(await a.login('alice', 'pw-a')).toBe(0);
    expect(await b.login('bob', 'pw-b')).toBe(0);
    expect(await c.login('carol', 'pw-c')).toBe(0);
    expect(await d.login('dave', 'pw-d')).toBe(0);
    expect(await a.enter(1)).toEqual([0, '']);
    expect(await b.enter(1)).toEqual([0, 'alice']);
    expect(await c.enter(1)).toEqual([0, 'alice']);
    expect(await d.enter(1)).toEqual([54, '']); // room size 3
    expect(await d.enter(0)).toEqual([0, '']);

    expect(await a.chat('hello room 1 ✓')).toBe(0);
    for (const p of [b, c]) {
      const n = await p.next();
      expect(n.id).toBe(216);
      expect([field(n.body, 0, 21), field(n.body, 21, 257)]).toEqual(['alice', 'hello room 1 ✓']);
    }
    expect(await a.drain(150)).toEqual([]); // not to the sender
    expect(await d.drain(0)).toEqual([]); // not to another room

    expect(await c.leave()).toBe(0);
    expect(await a.chat('anyone?')).toBe(0);
    expect(await c.drain(150)).toEqual([]); // c left: not to c
    expect((await b.next()).id).toBe(216); // b is still there
    b.close(); // disconnect
    expect(await d.enter(1)).toEqual([52, '']); // d is in room 0
    expect(await d.leave()).toBe(0);
    expect(await d.enter(1)).toEqual([0, 'alice']);
    // room 1 holds 3: alice, dave, and carol only once bob's disconnect freed his place
    expect(await until(() => c.enter(1), ([r]) => r !== 54)).toEqual([0, 'alice']);
    expect(await d.chat('hi alice')).toBe(0);
    for (const p of [a, c]) {
      const n = await p.next();
      expect([n.id, field(n.body, 0, 21), field(n.body, 21, 257)]).toEqual([216, 'dave', 'hi alice']);
    }
    expect(await d.drain(100)).toEqual([]);
    for (const p of [a, c, d]) p.close();
  });

  it('a malformed packet closes that connection only', async () => {
    const ok = await peer();
    expect(await ok.login('carol', 'pw-c')).toBe(0);
    const bad: Buffer[] = [
      Buffer.from([4, 0, 201, 0]), // length < 5
      Buffer.from([0x01, 0x02, 201, 0, 0]), // length 513 > 512
      packet(999), // unknown id
      packet(201, cstr('alice', 21)), // login body too short (no password field)
      packet(206, Buffer.from([1, 0])), // room number cut short
    ];
    for (const bytes of bad) {
      const p = await peer();
      p.send(bytes);
      await p.closed;
    }
    try {
      expect(await ok.enter(2)).toEqual([0, '']);
      // The log lines may reach our pipe after the replies do (the exclusive driver logs from
      // a worker thread, whose stderr Node forwards asynchronously): wait for them, bounded.
      await vi.waitFor(
        () => {
          expect(server.stderr()).toMatch(/closing .*below the minimum 5 \(ERR_CODEC_BAD_LENGTH\)/);
          expect(server.stderr()).toMatch(/closing .*exceeds the maximum 512 \(ERR_CODEC_FRAME_TOO_LARGE\)/);
          expect(server.stderr()).toMatch(/closing .*unknown packet id 999/);
          expect(server.stderr()).toMatch(/closing .*ERR_CODEC_READ_PAST_END/);
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      ok.close();
    }
  });

  it('the command-line client: a two-user session', async () => {
    const bob = spawnClient(['--port', String(server.port), '--user', 'bob', '--password', 'pw-b', '--mode', mode]);
    bob.write('/enter 0');
    await bob.waitFor(/enter room 0: ok/);
    const alice = spawnClient(['--port', String(server.port), '--user', 'alice', '--password', 'pw-a']);
    alice.write('/enter 0');
    alice.write('hi bob');
    alice.end();
    await bob.waitFor(/<alice> hi bob/);
    bob.end();
    const [a, b] = await Promise.all([alice.done, bob.done]);
    expect(a.stdout).toBe('login as alice: ok\nenter room 0: ok, already there: bob\n');
    expect(b.stdout).toBe('login as bob: ok\nenter room 0: ok, room was empty\n<alice> hi bob\n');
    expect([a.code, b.code]).toEqual([0, 0]);
  });

  it('while Redis is down logins answer 35 and the server stays up; when it is back, logins work again', async () => {
    const inside = await peer();
    expect(await inside.login('bob', 'pw-b')).toBe(0);
    await redis.stop();
    const p = await peer();
    expect(await p.login('alice', 'pw-a')).toBe(35);
    expect(await p.login('alice', 'pw-a')).toBe(35);
    expect(await inside.enter(2)).toEqual([0, '']); // the rest keeps working
    await redis.start(); // empty: --save '' kept nothing
    await addUsers(redis.port, [['alice', 'pw-a']]);
    const t0 = Date.now();
    let result = -1;
    while (Date.now() - t0 < 10_000) {
      result = await p.login('alice', 'pw-a');
      if (result !== 35) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(result).toBe(0);
    p.close();
    inside.close();
  }, 30_000);
});

/** The chat client as a child process: lines go to its stdin; waitFor() watches its stdout (bounded). */
function spawnClient(args: string[]) {
  const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    }),
  );
  return {
    done,
    write: (line: string) => child.stdin.write(`${line}\n`),
    end: () => child.stdin.end(),
    async waitFor(re: RegExp): Promise<void> {
      const t0 = Date.now();
      while (!re.test(stdout)) {
        if (Date.now() - t0 > 10_000 || child.exitCode !== null) throw new Error(`client output never matched ${re}: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
