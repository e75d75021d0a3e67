// examples/echo-server --loops 2 as a user runs it: for each spread, a pipelined, checksummed
// load of 200 connections with every loop busy, then SIGTERM exits 0; SIGTERM in the middle
// of a load also exits 0 (within the close deadline); bad flags exit 2.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { netLoad } from '../examples/netLoad.js';
import { startProcess, stopProcess } from './client.js';

const SERVER = fileURLToPath(new URL('../../dist/examples/echo-server.js', import.meta.url));
const start = (args: string[]) => startProcess(SERVER, args);
const stop = stopProcess;

interface PoolStats {
  stats: Record<string, number>;
  loops: Array<{ index: number; accepted: number; loop: Record<string, number> }>;
}

describe.each(['reuseport', 'handoff'])('echo-server --loops 2 --spread %s', (spread) => {
  it('serves 200 pipelined, checksummed connections with both loops busy, exits 0 on SIGTERM', async () => {
    const server = await start(['--loops', '2', '--spread', spread, '--stats']);
    let bytes = 0;
    try {
      // three sizes over two loops: round-robin hand-off still gives each loop every size
      bytes = await netLoad({ port: server.port, conns: 200, messages: 20, sizes: [64, 4097, 65_537], depth: 8 });
    } catch (err) {
      server.child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\nserver stderr: ${server.stderr()}`);
    }
    expect(bytes).toBe(20 * (67 * 64 + 67 * 4097 + 66 * 65_537));
    const { code } = await stop(server, 'SIGTERM');
    expect(code).toBe(0);
    const report = JSON.parse(server.stderr().trim().split('\n').pop()!) as PoolStats;
    expect(report.loops.map((l) => l.index)).toEqual([0, 1]);
    expect(report.loops.reduce((a, l) => a + l.accepted, 0)).toBe(200);
    for (const l of report.loops) {
      expect(l.accepted).toBeGreaterThan(20); // both loops took a real share
      expect(l.loop.bytesRead).toBeGreaterThan(bytes / 10);
      expect(l.loop.bytesWritten).toBe(l.loop.bytesRead);
    }
    expect(report.stats.bytesRead).toBe(bytes);
  }, 120_000);
});

describe('echo-server --loops process behaviour', () => {
  it('SIGTERM during a load exits 0 within the close deadline', async () => {
    const server = await start(['--loops', '2', '--spread', 'handoff']);
    const load = netLoad({ port: server.port, conns: 100, messages: 100_000, sizes: [1000], depth: 8, limitMs: 20_000 });
    load.catch(() => undefined); // the server closes these connections mid-stream
    await new Promise((r) => setTimeout(r, 500));
    const { code, ms } = await stop(server, 'SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000 + 2000);
    await expect(load).rejects.toThrow();
    expect(server.stderr()).toBe('');
  }, 60_000);

  it('SIGINT exits 0; a bad --loops or --spread exits 2 with a message', async () => {
    const server = await start(['--loops', '2', '--spread', 'reuseport']);
    expect((await stop(server, 'SIGINT')).code).toBe(0);
    for (const [args, text] of [
      [['--loops', '0'], "bad --loops '0'"],
      [['--loops', '2', '--spread', 'random'], '--spread must be reuseport or handoff'],
    ] as const) {
      const bad = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      bad.stderr!.on('data', (d) => (err += d));
      expect(await new Promise((r) => bad.on('exit', r))).toBe(2);
      expect(err).toContain(text);
    }
  });
});
