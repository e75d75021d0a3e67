// examples/framed-echo against hostile peers, with plain sockets: peers that announce the
// largest frame and send nothing more (memory must follow bytes received, not bytes
// announced), oversize lengths, disconnects mid-frame, a flood of tiny frames from a peer that
// never reads. After each, a second client is still echoed and the process still runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dist, startServer, stopServer, type ServerProcess } from './serverProcess.js';
import { alive, ask, closedWithin, rawClient, send, sleep, vmSize, type RawClient } from './hostile.js';

const SERVER = dist('framed-echo/main.js');

function frame(payload: string): Buffer {
  const p = Buffer.from(payload, 'latin1');
  const h = Buffer.alloc(4);
  h.writeUInt32LE(p.length);
  return Buffer.concat([h, p]);
}

/** A fresh client gets a frame echoed: the server still serves. */
async function stillServes(port: number): Promise<void> {
  const c = await rawClient(port);
  try {
    expect(await ask(c, frame('still here'), frame('still here'))).toBe(frame('still here').toString('latin1'));
  } finally {
    c.close();
  }
}

describe('framed-echo under hostile peers', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(SERVER, []);
  });
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
  });

  it('300 peers that each send only a 32 MiB length header add under 64 MiB of virtual memory', async () => {
    await stillServes(server.port);
    const before = vmSize(server.child.pid!);
    const peers: RawClient[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        const c = await rawClient(server.port);
        send(c, Uint8Array.of(0x00, 0x00, 0x00, 0x02)); // exactly the 32 MiB ceiling, then nothing
        peers.push(c);
      }
      await stillServes(server.port); // the loop has been through every header by now
      await sleep(200);
      const added = vmSize(server.child.pid!) - before;
      expect(added).toBeLessThan(64 * 1024 * 1024);
      expect(peers.every((c) => !c.ended)).toBe(true); // waiting for a frame is not an offence
    } finally {
      for (const c of peers) c.close();
    }
    expect(alive(server)).toBe(true);
  }, 60_000);

  it('an oversize length closes that peer only; a second client is echoed', async () => {
    const c = await rawClient(server.port);
    send(c, Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(await closedWithin(c)).toBe(true);
    await stillServes(server.port);
    expect(server.stderr()).toContain('ERR_CODEC_FRAME_TOO_LARGE');
  });

  it('peers that disconnect mid-header and mid-frame cost nothing lasting', async () => {
    for (let i = 0; i < 50; i++) {
      const c = await rawClient(server.port);
      send(c, i % 2 ? Uint8Array.of(0x10, 0x00) : Buffer.concat([frame('x'.repeat(1000)).subarray(0, 500)]));
      c.socket.resetAndDestroy();
    }
    await stillServes(server.port);
    expect(alive(server)).toBe(true);
  });

  it('a flood of tiny frames from a peer that never reads does not stall a second client', async () => {
    const flooder = await rawClient(server.port);
    flooder.socket.pause(); // never reads: its echoes pile up until back-pressure stops it
    const burst = Buffer.concat(Array.from({ length: 10_000 }, () => frame('flood')));
    for (let i = 0; i < 40; i++) send(flooder, burst);
    await sleep(300);
    const t0 = performance.now();
    await stillServes(server.port);
    expect(performance.now() - t0).toBeLessThan(2000);
    flooder.close();
    expect(alive(server)).toBe(true);
  }, 30_000);
});
