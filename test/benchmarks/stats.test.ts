// The benchmark's arithmetic: medians and spreads, the per-repeat rotation that
// interleaves servers, the summary (ratio to c-et, fairness figures), the
// tables, and how each server is started and its own counters read.
import { describe, expect, it } from 'vitest';
import { median, medianOrNull, rotate, spread } from '../../benchmarks/lib/stats.js';
import { isClientBound, summarise } from '../../benchmarks/lib/runner.js';
import { renderTables } from '../../benchmarks/report/table.js';
import { serverSpecs } from '../../benchmarks/lib/servers.js';
import { bunBinary, SKIP_NO_BUN } from '../../benchmarks/lib/bun.js';
import type { BenchReport, RunSample } from '../../benchmarks/report/types.js';

const sample = (server: string, msgsPerSec: number, extra: Partial<RunSample> = {}): RunSample => ({
  config: 'B',
  server,
  repeat: 1,
  msgsPerSec,
  mbPerSec: msgsPerSec / 1e6,
  p50Us: 100,
  p99Us: 200,
  cpuPct: 99,
  syscallsPerMsg: 0.1,
  ...extra,
});

describe('order statistics', () => {
  it('median of odd and even counts, spread, nulls skipped', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(spread([5, 1, 9])).toEqual({ median: 5, min: 1, max: 9 });
    expect(medianOrNull([null, 4, null, 2])).toBe(3);
    expect(medianOrNull([null, null])).toBeNull();
  });

  it('rotate gives every server every position across repeats', () => {
    const s = ['a', 'b', 'c'];
    expect([0, 1, 2, 3].map((k) => rotate(s, k).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
    expect(rotate([], 3)).toEqual([]);
  });
});

describe('summarise', () => {
  it('takes medians per server and the ratio to c-et in the same configuration', () => {
    const out = summarise([
      sample('c-et', 100),
      sample('c-et', 300),
      sample('c-et', 200),
      sample('reactor-et', 150),
      sample('reactor-et', 190),
      sample('reactor-et', 170, { syscallsPerMsg: null }),
    ]);
    const ours = out.find((s) => s.server === 'reactor-et')!;
    expect(ours.msgsPerSec).toEqual({ median: 170, min: 150, max: 190 });
    expect(ours.ratioToCEt).toBeCloseTo(170 / 200);
    expect(ours.syscallsPerMsg).toBe(0.1);
    expect(out.find((s) => s.server === 'c-et')!.ratioToCEt).toBe(1);
  });

  it('has no ratio without a c-et run, and keeps the light connections of a fairness run', () => {
    const out = summarise([sample('node-net', 10, { config: 'fairness', light: { msgsPerSec: 5, p50Us: 7, p99Us: 40 } })]);
    expect(out[0]!.ratioToCEt).toBeNull();
    expect(out[0]!.light).toEqual({ msgsPerSec: 5, p50Us: 7, p99Us: 40 });
  });
});

describe('client-bound rows', () => {
  it('flags a run whose client is saturated while its server is not', () => {
    expect(isClientBound(95, 60, 1)).toBe(true);
    expect(isClientBound(90, 84.9, 1)).toBe(true);
    expect(isClientBound(89.9, 40, 1)).toBe(false); // client not saturated
    expect(isClientBound(99, 85, 1)).toBe(false); // both busy: the server is measured
    expect(isClientBound(120, 60, 2)).toBe(false); // two client cores: 60% of its capacity
    expect(isClientBound(null, 10, 1)).toBe(false);
    expect(isClientBound(99, null, 1)).toBe(false);
  });

  it('carries the flag per sample and per summary (on the medians), and into the table', () => {
    const samples = [
      sample('c-et', 65_000, { config: 'D', cpuPct: 40, clientCpuPct: 99, clientBound: true }),
      sample('c-et', 66_000, { config: 'D', cpuPct: 45, clientCpuPct: 98, clientBound: true }),
      sample('c-et', 64_000, { config: 'D', cpuPct: 95, clientCpuPct: 70, clientBound: false }),
      sample('c-lt', 90_000, { config: 'D', cpuPct: 97, clientCpuPct: 80, clientBound: false }),
    ];
    const out = summarise(samples);
    const cet = out.find((s) => s.server === 'c-et')!;
    expect(cet.clientCpuPct).toBe(98);
    expect(cet.cpuPct).toBe(45);
    expect(cet.clientBound).toBe(true);
    expect(out.find((s) => s.server === 'c-lt')!.clientBound).toBe(false);
    const text = renderTables({
      startedAt: '2026-01-01T00:00:00.000Z',
      host: { cpus: 'Test CPU', cores: 2, kernel: '6.1', node: 'v20.0.0', pinned: true },
      method: { repeats: 3, warmupSec: 1, durationSec: 3, quick: false, syscallSource: 'perf' },
      configs: [{ name: 'D', label: 'C=8 D=4 S=16KiB' }],
      samples,
      summaries: out,
      idle: [],
      raw: [],
    });
    expect(text).toMatch(/\| c-et +\|.*\| +45 \| +98 \|.*\| client-bound \|/);
    expect(text).not.toMatch(/\| c-lt .*client-bound/);
    expect(text).toContain('syscalls/msg from a separate shorter pass under perf stat');
  });
});

describe('renderTables', () => {
  it('prints one row per server with the measured figures', () => {
    const samples = [sample('reactor-et', 2_100_000), sample('c-et', 2_400_000)];
    const report: BenchReport = {
      startedAt: '2026-01-01T00:00:00.000Z',
      host: { cpus: 'Test CPU', cores: 2, kernel: '6.1', node: 'v20.0.0', pinned: true },
      method: { repeats: 1, warmupSec: 1, durationSec: 3, quick: false },
      configs: [{ name: 'B', label: 'C=50 D=16 S=64' }],
      samples,
      summaries: summarise(samples),
      idle: [{ server: 'c-poll', idle: 1000, msgsPerSec: 5000, cpuUsPerMsg: 190, p50Us: 180, p99Us: 250 }],
      raw: [{ readyFds: 100, eventsPerSec: { 'Epoll.wait': 1e7, 'npm epoll': 1e5 } }],
    };
    const text = renderTables(report);
    expect(text).toMatch(/\| reactor-et \| +2\.10M \|/);
    expect(text).toMatch(/\| c-et +\| +2\.40M \|.*\| +1\.00x \|/);
    expect(text).toContain('0.88x');
    expect(text).toMatch(/\| +1000 \| +190\.0 \|/);
    expect(text).toMatch(/\| +100 \| +10\.00M \| +100\.0k \| +100x \|/);
  });

  it('prints a row saying why for a server that could not run here', () => {
    const samples = [sample('c-et', 2_400_000)];
    const text = renderTables({
      startedAt: '2026-01-01T00:00:00.000Z',
      host: { cpus: 'Test CPU', cores: 2, kernel: '6.1', node: 'v20.0.0', pinned: true },
      method: { repeats: 1, warmupSec: 1, durationSec: 3, quick: false },
      configs: [{ name: 'B', label: 'C=50 D=16 S=64' }, { name: 'fairness', label: 'flood' }],
      skipped: [{ server: 'bun', reason: SKIP_NO_BUN }],
      samples,
      summaries: summarise(samples),
      idle: [],
      raw: [],
    });
    expect(text).toMatch(/\| bun +\| +- \|.*\| skipped: bun not installed \|/);
    expect(text.match(/skipped: bun not installed/g)).toHaveLength(2); // the B table and the fairness table
  });
});

describe('server specs', () => {
  it('c-uring without liburing is a row skipped with the reason, not an error', () => {
    const missing = serverSpecs({ echoServer: '/bin/echo_server', echoUring: { skipped: 'liburing is not installed' }, loadgen: '/bin/loadgen' }, 'exclusive');
    expect(missing.get('c-uring')!.skip).toBe('liburing is not installed');
    expect(missing.get('raw-uring')!.skip).toBeUndefined();
  });

  const specs = serverSpecs({ echoServer: '/bin/echo_server', echoUring: { path: '/bin/echo_uring' }, loadgen: '/bin/loadgen' }, 'exclusive');

  it('names the servers of the table, the per-fd ablation and c-poll, with their flags', () => {
    expect([...specs.keys()]).toEqual(['reactor-lt', 'reactor-et', 'reactor-uring', 'reactor-lt-per-fd', 'reactor-et-per-fd', 'node-net', 'bun', 'c-lt', 'c-et', 'c-poll', 'c-uring', 'raw-uring']);
    expect(specs.get('c-uring')!.argv).toEqual(['/bin/echo_uring']);
    expect(specs.get('reactor-et-per-fd')!.argv).toEqual(expect.arrayContaining(['--mode', 'et', '--driver', 'exclusive', '--io', 'per-fd', '--stats']));
    expect(specs.get('c-poll')!.argv).toEqual(['/bin/echo_server', '--mode', 'poll']);
  });

  it('runs the Bun anchor with the npm package\'s binary, or marks it skipped when that is absent', () => {
    const bun = specs.get('bun')!;
    const binary = bunBinary();
    if (binary) {
      expect(bun.skip).toBeUndefined();
      expect(bun.argv[0]).toBe(binary);
      expect(bun.argv[1]).toMatch(/benchmarks[/]bun[/]echo-server\.js$/);
    } else {
      expect(bun.skip).toBe(SKIP_NO_BUN);
    }
  });

  it('reads each server\'s own syscall counters from the last JSON line it printed', () => {
    const reactor = 'warming up\n{"stats":{"turns":3,"syscalls":120}}\n';
    expect(specs.get('reactor-lt')!.selfSyscalls(reactor)).toBe(120);
    const c = '{"mode":"lt","epoll_waits":10,"reads":20,"writes":20,"accepts":2,"epoll_ctls":3,"conns":2,"bytes":9}\n';
    expect(specs.get('c-lt')!.selfSyscalls(c)).toBe(55);
    const uring = '{"mode":"uring","io_uring_enters":40,"epoll_waits":0,"reads":0,"writes":0,"accepts":2,"epoll_ctls":0,"closes":2}\n';
    expect(specs.get('c-uring')!.selfSyscalls(uring)).toBe(42);
    expect(specs.get('raw-uring')!.selfSyscalls('{"stats":{"syscalls":77,"enters":70}}\n')).toBe(77);
    expect(specs.get('c-lt')!.selfSyscalls('no json here\n{broken')).toBeNull();
    expect(specs.get('node-net')!.selfSyscalls(c)).toBeNull();
  });
});
