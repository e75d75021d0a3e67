// The `epoll-reactor` command end to end, kept short: --help, a bad option, and
// one tiny benchmark (two servers, one configuration, a fraction of a second)
// whose JSON must hold real, checksummed measurements for both servers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../benchmarks/report/types.js';

const CLI = fileURLToPath(new URL('../../dist/benchmarks/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'er-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout });

describe('epoll-reactor CLI', () => {
  it('--help on the program and on bench', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toContain('bench');
    const bench = run(['bench', '--help']);
    expect(bench.status).toBe(0);
    for (const flag of ['--quick', '--json', '--svg', '--servers', '--configs', '--driver']) expect(bench.stdout).toContain(flag);
  });

  it('rejects a bad value with a message and a non-zero status', () => {
    const r = run(['bench', '--repeats', 'zero']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('expected a positive integer');
    const u = run(['bench', '--servers', 'nginx', '--no-fairness', '--no-idle', '--no-raw']);
    expect(u.status).toBe(1);
    expect(u.stderr).toContain("unknown server 'nginx'");
  });

  it('runs a tiny benchmark and writes the table, JSON and SVG', () => {
    const json = join(dir, 'r.json');
    const svg = join(dir, 'r.svg');
    const r = run([
      'bench', '--configs', 'E', '--servers', 'reactor-et,c-et', '--repeats', '1', '--warmup', '0.1', '--duration', '0.3',
      '--no-fairness', '--no-idle', '--no-raw', '--json', json, '--svg', svg,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[E 1\/1\] reactor-et/); // progress on stderr
    expect(r.stdout).toMatch(/\| reactor-et \|/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
    expect(report.samples.map((s) => s.server).sort()).toEqual(['c-et', 'reactor-et']);
    for (const s of report.samples) {
      expect(s.msgsPerSec).toBeGreaterThan(100);
      expect(s.p99Us).toBeGreaterThan(0);
      expect(s.clientCpuPct).toBeGreaterThan(0); // the load generator reports its own CPU
      expect(typeof s.clientBound).toBe('boolean');
    }
    expect(r.stdout).toContain('client CPU %');
    expect(report.summaries.find((s) => s.server === 'c-et')!.ratioToCEt).toBe(1);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  }, 60_000);
});
