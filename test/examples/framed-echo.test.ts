// examples/framed-echo as a user runs it: our pipelining client against the server in each
// mode x driver (pipelined and one at a time, every byte checked), the 32 MiB ceiling frame
// echoed, and a frame over it closing only that connection, with the reason logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { dist, runClient, startServer, stopServer, type ServerProcess } from './serverProcess.js';

const SERVER = dist('framed-echo/main.js');
const CLIENT = dist('framed-echo/client.js');

describe.each([
  ['lt', 'integrated'],
  ['et', 'integrated'],
  ['lt', 'exclusive'],
  ['et', 'exclusive'],
  ['uring', 'integrated'],
])('framed-echo --mode %s --driver %s', (mode, driver) => {
  it('echoes pipelined and one-at-a-time requests on 1 and 8 connections, every byte checked; exits 0 on SIGTERM', async () => {
    const server = await startServer(SERVER, ['--mode', mode, '--driver', driver]);
    try {
      const one = await runClient(CLIENT, ['--port', String(server.port), '--requests', '2000', '--mode', mode]);
      expect(one.stderr).toBe('');
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(/^pipelined \(depth 64\): 2000 requests on 1 connection\(s\) in .* req\/s, every byte checked\none at a time: 2000 requests .*\npipelining speed-up: [\d.]+x\n$/);
      const many = await runClient(CLIENT, ['--port', String(server.port), '--requests', '300', '--conns', '8', '--size', '0,1,3,64,4097,70000', '--depth', '16']);
      expect(many.stderr).toBe('');
      expect(many.code).toBe(0);
      expect(many.stdout).toContain('2400 requests on 8 connection(s)');
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(server.stderr()).toBe('');
  }, 60_000);
});

describe('framed-echo limits', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(SERVER, ['--mode', 'et']);
  });
  afterAll(async () => {
    expect(await stopServer(server)).toBe(0);
  });

  it('echoes a frame of exactly 32 MiB', async () => {
    const run = await runClient(CLIENT, ['--port', String(server.port), '--requests', '1', '--size', String(32 * 1024 * 1024), '--only', 'pipelined'], 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 60_000);

  it('a length over 32 MiB closes that connection with the reason logged; others carry on', async () => {
    const closed = await new Promise<boolean>((resolve, reject) => {
      const sock = connect(server.port, '127.0.0.1');
      const timer = setTimeout(() => resolve(false), 5000);
      sock.on('error', reject);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      sock.write(Buffer.from([0x01, 0x00, 0x00, 0x02])); // 32 MiB + 1
    });
    expect(closed).toBe(true);
    expect(server.stderr()).toContain('frame length 33554433 exceeds the maximum 33554432 (ERR_CODEC_FRAME_TOO_LARGE)');
    const after = await runClient(CLIENT, ['--port', String(server.port), '--requests', '10']);
    expect(after.code).toBe(0);
  });
});
