// examples/chat against hostile peers, with plain sockets: full-length (no NUL) and non-UTF-8
// messages are answered 215 and relayed byte for byte in the 216 (the sender stays connected),
// odd user ids answered, malformed packets close only their sender, slow and flooding peers
// and mid-packet disconnects cost the others nothing. After each, a second client is served
// and the process still runs. Redis: redis-server when installed, else examples/resp-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatPeer, cstr, packet } from './chatPeer.js';
import { alive, closedWithin, rawClient, send, sleep } from './hostile.js';
import { freePort, RedisProcess } from './redisProcess.js';
import { dist, runClient, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const MAIN = dist('chat/main.js');

describe('chat under hostile peers', () => {
  let redis: RedisProcess;
  let server: ServerProcess;
  const peers: ChatPeer[] = [];
  const peer = async (): Promise<ChatPeer> => {
    const p = await ChatPeer.connect(server.port);
    peers.push(p);
    return p;
  };
  /** A fresh peer can log in, enter a room and leave: the server still serves. */
  const stillServes = async (user: string, pw: string): Promise<void> => {
    const p = await peer();
    expect(await p.login(user, pw)).toBe(0);
    expect(await p.enter(2)).toEqual([0, '']);
    expect(await p.leave()).toBe(0);
    p.close();
  };

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    for (const [id, pw] of [['alice', 'pw-a'], ['bob', 'pw-b'], ['carol', 'pw-c']]) {
      expect((await runClient(MAIN, ['adduser', id!, pw!, '--redis', `127.0.0.1:${redis.port}`])).code).toBe(0);
    }
    server = await startServer(MAIN, ['--redis', `127.0.0.1:${redis.port}`, '--rooms', '3']);
  }, 30_000);

  afterAll(async () => {
    for (const p of peers) p.close();
    if (server) expect(await stopServer(server)).toBe(0);
    await redis?.stop();
  });

  it('a full-length message (no NUL) and a non-UTF-8 one: 215 to the sender, the bytes as sent in the 216', async () => {
    const a = await peer();
    const b = await peer();
    expect(await a.login('alice', 'pw-a')).toBe(0);
    expect(await b.login('bob', 'pw-b')).toBe(0);
    expect((await a.enter(0))[0]).toBe(0);
    expect((await b.enter(0))[0]).toBe(0);
    for (const field of [Buffer.alloc(257, 'A'), Buffer.concat([Buffer.alloc(100, 0xff), Buffer.alloc(157)]), Buffer.alloc(257, 0xc3)]) {
      a.send(packet(214, field));
      const answer = await a.next();
      expect(answer.id).toBe(215);
      expect(answer.body.readInt16LE(0)).toBe(0);
      const note = await b.next();
      expect(note.id).toBe(216);
      expect(note.body.subarray(0, 21)).toEqual(cstr('alice', 21));
      expect(note.body.subarray(21)).toEqual(field);
    }
    expect(await a.chat('still connected')).toBe(0); // the sender was not disconnected
    expect((await b.next()).id).toBe(216);
    a.close();
    b.close();
  });

  it('a full-length or non-UTF-8 user id is answered (33), not a disconnect', async () => {
    const x = await peer();
    x.send(packet(201, Buffer.concat([Buffer.alloc(21, 'z'), cstr('pw', 21)])));
    expect((await x.next()).body.readUInt16LE(0)).toBe(33);
    x.send(packet(201, Buffer.concat([Buffer.alloc(21, 0xfe), Buffer.alloc(21, 0xff)])));
    expect((await x.next()).body.readUInt16LE(0)).toBe(33);
    expect(await x.login('carol', 'pw-c')).toBe(0);
    x.close();
  });

  it('malformed packets close only their sender; a second client is served', async () => {
    for (const bad of [
      Buffer.from([3, 0, 214, 0, 0]), // length below the header
      Buffer.from([0xff, 0xff, 214, 0, 0]), // above the maximum
      packet(999), // unknown id
      packet(214, Buffer.alloc(10)), // body too short
    ]) {
      const c = await rawClient(server.port);
      send(c, bad);
      expect(await closedWithin(c)).toBe(true);
    }
    await stillServes('carol', 'pw-c');
    expect(alive(server)).toBe(true);
  });

  it('slow, flooding and mid-packet-disconnecting peers do not stall a second client', async () => {
    const slow = await rawClient(server.port);
    send(slow, packet(201, Buffer.concat([cstr('alice', 21), cstr('pw-a', 21)])).subarray(0, 10)); // and never the rest
    const flood = await rawClient(server.port);
    flood.socket.pause(); // never reads its answers
    const burst = Buffer.concat(Array.from({ length: 5000 }, () => packet(209))); // leave before login: 36 each
    for (let i = 0; i < 20; i++) send(flood, burst);
    for (let i = 0; i < 30; i++) {
      const c = await rawClient(server.port);
      send(c, packet(214, Buffer.alloc(257)).subarray(0, 100));
      c.socket.resetAndDestroy();
    }
    await sleep(200);
    const t0 = performance.now();
    await stillServes('bob', 'pw-b');
    expect(performance.now() - t0).toBeLessThan(3000);
    slow.close();
    flood.close();
    expect(alive(server)).toBe(true);
  }, 30_000);
});
