// examples/calculator against hostile clients, with plain sockets: lengths out of range, bodies
// too short, a length announced and never sent, floods of requests from a client that never
// reads, disconnects mid-request. After each, a second client gets its answer and the process
// still runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, ask, closedWithin, rawClient, send, sleep } from './hostile.js';
import { dist, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const SERVER = dist('calculator/main.js');

function request(op: string, a: number, b: number, len = 9): Buffer {
  const r = Buffer.alloc(13);
  r.writeInt32LE(len, 0);
  r[4] = op.charCodeAt(0);
  r.writeInt32LE(a, 5);
  r.writeInt32LE(b, 9);
  return r;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

describe('calculator under hostile clients', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(SERVER, []);
  });
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
  });

  const stillServes = async (): Promise<void> => {
    const c = await rawClient(server.port);
    try {
      expect(await ask(c, request('*', 6, 7), int32(42))).toBe(int32(42).toString('latin1'));
    } finally {
      c.close();
    }
  };

  it('lengths out of range and bodies too short close only their sender', async () => {
    for (const bad of [int32(0), int32(-1), int32(4097), int32(0x7fffffff), Buffer.concat([int32(2), Buffer.from('+1')])]) {
      const c = await rawClient(server.port);
      send(c, bad);
      expect(await closedWithin(c)).toBe(true);
    }
    await stillServes();
    expect(server.stderr()).toContain('calculator: closing');
  });

  it('a length announced and never sent holds only its own connection; division by zero and INT32_MIN / -1 are answered', async () => {
    const stuck = await rawClient(server.port);
    send(stuck, int32(4096)); // and never the body
    const c = await rawClient(server.port);
    try {
      expect(await ask(c, request('/', 1, 0), int32(-1))).toBe(int32(-1).toString('latin1'));
      expect(await ask(c, request('/', -2147483648, -1), int32(-2147483648))).toBe(int32(-2147483648).toString('latin1'));
    } finally {
      c.close();
      stuck.close();
    }
  });

  it('a flood from a client that never reads and mid-request disconnects do not stall a second client', async () => {
    const flood = await rawClient(server.port);
    flood.socket.pause();
    const burst = Buffer.concat(Array.from({ length: 20_000 }, () => request('+', 1, 2)));
    for (let i = 0; i < 20; i++) send(flood, burst);
    for (let i = 0; i < 30; i++) {
      const c = await rawClient(server.port);
      send(c, request('+', 1, 2).subarray(0, 7));
      c.socket.resetAndDestroy();
    }
    await sleep(200);
    const t0 = performance.now();
    await stillServes();
    expect(performance.now() - t0).toBeLessThan(2000);
    flood.close();
    expect(alive(server)).toBe(true);
  }, 30_000);
});
