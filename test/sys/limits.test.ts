// fdLimit/raiseFdLimit: RLIMIT_NOFILE read and raised, checked against what the
// kernel reports in /proc/self/limits. Node itself raises the soft limit to the
// hard one at start-up, so the raise runs in a child process that first lowers
// its soft limit to 256 (this test file's own limit is left as it was).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fdLimit, native } from '../../src/entries/sys.js';

function procLimits(pidLimits: string): { soft: number; hard: number } {
  const line = pidLimits.split('\n').find((l) => l.startsWith('Max open files'))!;
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/);
  const n = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(soft!), hard: n(hard!) };
}

describe('fdLimit', () => {
  it('reads the soft and hard RLIMIT_NOFILE the kernel reports', () => {
    expect(fdLimit()).toEqual(procLimits(readFileSync('/proc/self/limits', 'utf8')));
  });

  it('raiseFdLimit lifts the soft limit to the hard limit (in a child that starts at 256)', () => {
    const script = `
      const { fdLimit, raiseFdLimit, native } = await import(${JSON.stringify(new URL('../../dist/src/entries/sys.js', import.meta.url).href)});
      const { readFileSync } = await import('node:fs');
      if (native.setFdLimit(256) !== 0) throw new Error('could not lower the soft limit');
      const before = fdLimit();
      const after = raiseFdLimit();
      const again = raiseFdLimit(); // idempotent
      const lower = raiseFdLimit(16); // never lowers
      console.log(JSON.stringify({ before, after, again, lower, proc: readFileSync('/proc/self/limits', 'utf8') }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const r = JSON.parse(out) as { before: { soft: number; hard: number }; after: object; again: object; lower: object; proc: string };
    expect(r.before.soft).toBe(256);
    const hard = r.before.hard;
    expect(r.after).toEqual({ soft: hard, hard });
    expect(r.again).toEqual({ soft: hard, hard });
    expect(r.lower).toEqual({ soft: hard, hard });
    expect(procLimits(r.proc)).toEqual({ soft: hard, hard });
  });

  it('rejects bad arguments and reports EINVAL for soft > hard', () => {
    expect(() => native.getFdLimit(new Float64Array(1))).toThrow(RangeError);
    expect(() => native.setFdLimit(-1)).toThrow(RangeError);
    expect(() => native.setFdLimit('1' as unknown as number)).toThrow(TypeError);
    const { soft, hard } = fdLimit();
    if (hard !== Infinity) expect(native.setFdLimit(hard + 1)).toBe(-native.constants.EINVAL!);
    expect(fdLimit()).toEqual({ soft, hard }); // unchanged by the failed call
  });
});
