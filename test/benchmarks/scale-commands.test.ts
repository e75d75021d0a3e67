// The scale and endurance commands end to end, kept short: their --help, bad
// values rejected, and a tiny `connections` run (300 connections over 2 server
// and 2 client processes) whose JSON must show every byte checked and no error;
// plus the soak's leak detector (a least-squares slope) on known lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionsResult } from '../../benchmarks/commands/connections.js';
import { linearFit } from '../../benchmarks/soak/slope.js';

const CLI = fileURLToPath(new URL('../../dist/benchmarks/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'er-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout });

describe('idle-memory, connections and soak commands', () => {
  it('have help that names their options', () => {
    expect(run(['idle-memory', '--help']).stdout).toContain('--connections');
    expect(run(['connections', '--help']).stdout).toContain('--sources');
    const soak = run(['soak', '--help']);
    expect(soak.status).toBe(0);
    for (const flag of ['--minutes', '--configs', '--idle-timeout', '--json']) expect(soak.stdout).toContain(flag);
  });

  it('reject bad values with a message and a non-zero status', () => {
    const soak = run(['soak', '--minutes', '500']);
    expect(soak.status).not.toBe(0);
    expect(soak.stderr).toContain('--minutes');
    const cfg = run(['soak', '--minutes', '0.01', '--configs', 'lt-nowhere']);
    expect(cfg.status).not.toBe(0);
    expect(cfg.stderr).toContain("unknown configuration 'lt-nowhere'");
    const n = run(['connections', '-n', 'many']);
    expect(n.status).not.toBe(0);
  });

  it('connections: 300 over 2 servers and 2 clients, every byte checked', () => {
    const json = join(dir, 'conns.json');
    const r = run(['connections', '-n', '300', '--servers', '2', '--clients', '2', '--sources', '4', '--json', json], 90_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| reactor-et +\| +300 \|/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as ConnectionsResult;
    expect(result.errors).toBe(0);
    expect(result.serverProcesses).toBe(2);
    expect(result.echoRounds).toHaveLength(2);
    for (const round of result.echoRounds) expect(round.bytes).toBe(300 * 64);
    expect(result.sysctls['net.ipv4.ip_local_port_range']).toMatch(/^\d+ \d+$/);
  }, 120_000);
});

describe('linearFit (the soak slope)', () => {
  it('recovers a known line, is 0 on a flat series, least squares on a noisy one', () => {
    const xs = [0, 1, 2, 3, 4, 5];
    expect(linearFit(xs, xs.map((x) => 3 * x + 7))).toEqual({ slope: 3, intercept: 7 });
    expect(linearFit(xs, xs.map(() => 42)).slope).toBe(0);
    expect(linearFit(xs, [10, 12, 10, 12, 10, 12]).slope).toBeCloseTo(3 / 17.5, 9); // sum dx*dy / sum dx^2
    expect(linearFit([1], [5]).slope).toBe(0);
  });
});
