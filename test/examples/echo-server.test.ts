// examples/echo-server as a user runs it: a separate process, in all four
// mode x driver combinations, under a checksummed load of 1..1000 connections
// with 64 B..100 KB messages pipelined; then SIGTERM must drain and exit 0.
import { describe, expect, it } from 'vitest';
import { netLoad } from './netLoad.js';
import { dist, runClient, startServer, stopServer } from './serverProcess.js';

const SERVER = dist('echo-server.js');

const start = (args: string[]) => startServer(SERVER, args);
const stop = stopServer;

describe.each([
  ['lt', 'integrated', 'batched'],
  ['et', 'integrated', 'batched'],
  ['lt', 'exclusive', 'batched'],
  ['et', 'exclusive', 'batched'],
  ['lt', 'integrated', 'per-fd'],
  ['et', 'integrated', 'per-fd'],
])('echo-server --mode %s --driver %s --io %s', (mode, driver, io) => {
  it('echoes every byte under load from 1 to 1000 connections, then exits 0 on SIGTERM', async () => {
    const server = await start(['--mode', mode, '--driver', driver, '--io', io]);
    try {
      // one connection, 100 KB messages, pipelined
      await netLoad({ port: server.port, conns: 1, messages: 30, sizes: [100_000], depth: 4 });
      // 50 connections mixing 64 B .. 100 KB (odd sizes), deep pipelines
      await netLoad({ port: server.port, conns: 50, messages: 20, sizes: [64, 1000, 4097, 65_537, 100_003], depth: 8 });
      // 1000 concurrent connections, small messages
      const bytes = await netLoad({ port: server.port, conns: 1000, messages: 10, sizes: [64, 200], depth: 2 });
      expect(bytes).toBe(1000 * 10 * 132);
    } catch (err) {
      server.child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\nserver stderr: ${server.stderr()}`);
    }
    expect(await stop(server, 'SIGTERM')).toBe(0);
    expect(server.stderr()).toBe('');
  }, 120_000);
});

describe('echo-server process behaviour', () => {
  it('SIGINT also exits 0; bad flags exit 2 with a message', async () => {
    const server = await start(['--mode', 'et']);
    expect(await stop(server, 'SIGINT')).toBe(0);
    const bad = await runClient(SERVER, ['--mode', 'xt']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode must be lt, et or uring');
    const badIo = await runClient(SERVER, ['--io', 'both']);
    expect(badIo.code).toBe(2);
    expect(badIo.stderr).toContain('--io must be batched or per-fd');
  });

  it('--idle-timeout closes idle connections', async () => {
    const server = await start(['--idle-timeout', '100']);
    try {
      const { connect } = await import('node:net');
      const sock = connect(server.port, '127.0.0.1');
      const t0 = Date.now();
      await new Promise<void>((resolve, reject) => {
        sock.on('close', () => resolve());
        sock.on('error', reject);
        setTimeout(() => reject(new Error('not closed within 5 s')), 5000);
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    } finally {
      expect(await stop(server, 'SIGTERM')).toBe(0);
    }
  });
});
