// The C load generator against small in-process echo servers that misbehave on
// purpose: a flipped byte and a dropped message must fail the run naming the
// connection and offset (the bulk memcmp check against the period buffer still
// pinpoints the byte); a correct server passes with -j 2, the figures of both
// threads merged and the client's own CPU reported.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/benchmarks/cli.js', import.meta.url));
let loadgen = '';

beforeAll(() => {
  const r = spawnSync(process.execPath, [CLI, 'build-tools'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  loadgen = r.stdout.trim().split('\n')[1]!;
}, 60_000);

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An echo server whose `mangle` sees each chunk with the connection's stream offset of its first byte. */
async function echoServer(mangle: (chunk: Buffer, offset: number, conn: number) => Buffer): Promise<number> {
  let conns = 0;
  const server = createServer((sock) => {
    sockets.add(sock);
    const conn = conns++;
    let offset = 0;
    sock.on('data', (chunk: Buffer) => {
      const out = mangle(Buffer.from(chunk), offset, conn);
      offset += chunk.length;
      sock.write(out);
    });
    sock.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function runLoadgen(args: string[]): Promise<{ code: number | null; json: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(loadgen, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, json: JSON.parse(stdout.trim().split('\n').pop() ?? '{}'), stderr }));
  });
}

const base = (port: number) => ['--port', String(port), '-s', '64', '-d', '4', '--warmup', '0', '--duration', '0.3', '--max-seconds', '10'];

describe('loadgen verifies every echoed byte in bulk', () => {
  it('fails on a flipped byte, naming the connection and the offset', async () => {
    const port = await echoServer((chunk, offset, conn) => {
      const at = 1000 - offset;
      if (conn === 1 && at >= 0 && at < chunk.length) chunk[at] ^= 0x20;
      return chunk;
    });
    const r = await runLoadgen([...base(port), '-c', '2']);
    expect(r.code).toBe(1);
    expect(r.json.errors).toBe(1);
    expect(String(r.json.error)).toMatch(/^corrupt byte at conn 1 offset 1000: got 0x[0-9a-f]{2} want 0x[0-9a-f]{2}$/);
  }, 20_000);

  it('fails on a dropped message: the shifted stream mismatches where the loss is', async () => {
    const port = await echoServer((chunk, offset) => {
      const at = 640 - offset; // drop bytes [640, 704): the 11th message
      if (at < 0 || at >= chunk.length) return chunk;
      return Buffer.concat([chunk.subarray(0, at), chunk.subarray(Math.min(chunk.length, at + 64))]);
    });
    const r = await runLoadgen([...base(port), '-c', '1']);
    expect(r.code).toBe(1);
    expect(String(r.json.error)).toMatch(/^corrupt byte at conn 0 offset 6[4-9]\d:/);
  }, 20_000);

  it('passes a correct server with two threads, merging their figures and reporting its CPU', async () => {
    const port = await echoServer((chunk) => chunk);
    const r = await runLoadgen([...base(port), '-c', '4', '-j', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ errors: 0, threads: 2, conns: 4 });
    expect(r.json.msgs as number).toBeGreaterThan(100);
    expect(r.json.total_bytes).toBe((r.json.total_msgs as number) * 64);
    expect(r.json.cpu_pct as number).toBeGreaterThan(0);
    expect(r.json.p99_us as number).toBeGreaterThan(0);
  }, 20_000);
});
