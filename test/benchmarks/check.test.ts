// The CPU-per-message guard (`bench check`): its arithmetic (paired ratios, medians, the
// verdict against the baseline and its tolerance), the baseline file's checks, and one tiny
// real run that writes a baseline and then checks against it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { judge, readBaseline, renderCheck, TOLERANCE, type Baseline, type CheckSample } from '../../benchmarks/commands/check.js';

const CLI = fileURLToPath(new URL('../../dist/benchmarks/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'er-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (config: string, server: string, repeat: number, usPerMsg: number, msgsPerSec = 10_000): CheckSample => ({
  config, server, repeat, msgs: 15_000, msgsPerSec, cpuSec: (usPerMsg * 15_000) / 1e6, usPerMsg,
});
const baseline = (ratios: Record<string, number>): Baseline => ({ ratios, reason: 'test', measuredAt: '', host: '', driver: 'integrated', repeats: 3 });

describe('judge', () => {
  // Three pairs: ratios 2.0, 3.0 and 2.2 -> median 2.2 (a noisy pair does not decide).
  const samples = [
    sample('E', 'reactor-lt', 1, 10), sample('E', 'c-lt', 1, 5),
    sample('E', 'reactor-lt', 2, 30), sample('E', 'c-lt', 2, 10),
    sample('E', 'reactor-lt', 3, 11), sample('E', 'c-lt', 3, 5),
  ];

  it('takes the median of the paired ratios and passes within the tolerance', () => {
    const [row] = judge(samples, baseline({ E: 2 }), { E: 10_000 });
    expect(row!.ratio).toBeCloseTo(2.2);
    expect(row!.ratioMin).toBeCloseTo(2);
    expect(row!.ratioMax).toBeCloseTo(3);
    expect(row!.reactorUsPerMsg).toBe(11);
    expect(row!.referenceUsPerMsg).toBe(5);
    expect(row!.limit).toBeCloseTo(2 * (1 + TOLERANCE));
    expect(row!.pass).toBe(true);
    expect(row!.saturated).toBe(false);
  });

  it('fails when the ratio is more than the tolerance worse than the baseline', () => {
    const [row] = judge(samples, baseline({ E: 1.9 }), { E: 10_000 }); // limit 2.185 < 2.2
    expect(row!.pass).toBe(false);
    expect(renderCheck([row!])).toMatch(/\| E +\| +11\.00 \| +5\.00 \| 2\.20 \(2\.00\.\.3\.00\) \| +1\.90 \| +2\.18 \| FAIL/);
  });

  it('passes without a baseline (recording one), and flags a run that missed the offered rate', () => {
    const [row] = judge(samples, null, { E: 20_000 });
    expect(row!.pass).toBe(true);
    expect(row!.limit).toBeNull();
    expect(row!.saturated).toBe(true);
  });
});

describe('baseline file', () => {
  it('names the fix when it is missing, and refuses one without positive ratios', () => {
    expect(() => readBaseline(join(dir, 'none.json'))).toThrow(/--write-baseline/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ratios: { E: -1 } }));
    expect(() => readBaseline(bad)).toThrow(/positive number/);
  });

  it('the committed baseline is readable and covers A0 and E', () => {
    const b = readBaseline(fileURLToPath(new URL('../../benchmarks/baseline/cpu-per-message.json', import.meta.url)));
    expect(Object.keys(b.ratios).sort()).toEqual(['A0', 'E']);
    expect(b.reason.length).toBeGreaterThan(10);
  });
});

describe('bench check, end to end', () => {
  it('writes a baseline, then checks a run against it', () => {
    const file = join(dir, 'baseline.json');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, 'bench', 'check', '--repeats', '1', '--warmup', '0.2', '--duration', '0.3', '--baseline', file, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    const w = run(['--write-baseline', 'test run']);
    expect(w.status, w.stderr).toBe(0);
    const b = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
    expect(b.reason).toBe('test run');
    expect(b.ratios.A0).toBeGreaterThan(0);
    expect(b.ratios.E).toBeGreaterThan(0);
    expect(w.stdout).toMatch(/\| A0 +\|/);
    // A baseline 100x better than anything real: the check must fail, with exit code 1.
    writeFileSync(file, JSON.stringify({ ...b, ratios: { A0: b.ratios.A0! / 100, E: b.ratios.E! / 100 } }));
    const c = run([]);
    expect(c.status).toBe(1);
    expect(c.stdout).toContain('FAIL');
  }, 60_000);
});
