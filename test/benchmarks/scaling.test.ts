// `epoll-reactor scaling` end to end, kept short: one quick pass of configuration B with 1 and
// 2 loops (reuseport), the C server with --threads 1 and 2, node:cluster with 1 and 2 workers.
// Every row must be a real, checksummed measurement, and the output must say that the client
// shares the servers' cores when nothing is pinned apart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuSet, overlaps } from '../../benchmarks/commands/scaling.js';

const CLI = fileURLToPath(new URL('../../dist/benchmarks/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'er-scaling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sample {
  config: string;
  family: string;
  n: number;
  msgsPerSec: number;
}

describe('epoll-reactor scaling', () => {
  it('measures 1 and 2 loops beside the C server --threads and node:cluster, and says the cores are shared', () => {
    const json = join(dir, 's.json');
    const args = ['scaling', '--quick', '--loops', '2', '--configs', 'B', '--spreads', 'reuseport', '--json', json];
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).not.toMatch(/^warning: .* exited/m); // a server that did not stop cleanly
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Configuration B');
    expect(r.stdout).toContain('the client SHARES the servers\' cores');
    const { samples } = JSON.parse(readFileSync(json, 'utf8')) as { samples: Sample[] };
    const rows = samples.map((s) => `${s.family} x${s.n}`).sort();
    expect(rows).toEqual(['c x1', 'c x2', 'node-cluster x1', 'node-cluster x2', 'reactor-reuseport x1', 'reactor-reuseport x2']);
    for (const s of samples) expect(s.msgsPerSec).toBeGreaterThan(1000);
  }, 150_000);

  it('--help lists the CPU-set options; only overlapping (or unset) CPU sets count as shared', () => {
    const r = spawnSync(process.execPath, [CLI, 'scaling', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const flag of ['--loops', '--server-cpus', '--client-cpus', '--spreads', '--configs']) expect(r.stdout).toContain(flag);
    expect(overlaps('0-3', '4-7')).toBe(false);
    expect(overlaps('0,1', '2')).toBe(false);
    expect(overlaps('0-3', '2')).toBe(true);
    expect(overlaps('1', '0,1')).toBe(true);
    expect(overlaps(undefined, '1')).toBe(true);
    expect(overlaps('0', undefined)).toBe(true);
    expect(() => cpuSet('3-1')).toThrow('bad CPU list');
    const bad = spawnSync(process.execPath, [CLI, 'scaling', '--server-cpus', '0', '--client-cpus', '4096'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('CPU 4096 does not exist here');
  });
});
