// The compat-vs-epoll benchmark script end to end, in a tiny configuration:
// both implementations deliver events, and the report's ratio is theirs.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../dist/benchmarks/compat-epoll.js', import.meta.url));

describe('benchmarks/compat-epoll', () => {
  it('measures the npm epoll package and the compat on the same scenario and reports their ratio', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compat-bench-'));
    try {
      const json = join(dir, 'out.json');
      const table = execFileSync(process.execPath, [SCRIPT, '--repeats', '1', '--seconds', '0.2', '--fds', '1,10', '--json', json], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const out = JSON.parse(readFileSync(json, 'utf8')) as { summary: Array<{ fds: number; npmEpoll: number; compat: number; ratio: number }>; runs: Array<{ errors: number }> };
      expect(out.summary.map((s) => s.fds)).toEqual([1, 10]);
      for (const s of out.summary) {
        expect(s.npmEpoll).toBeGreaterThan(0);
        expect(s.compat).toBeGreaterThan(0);
        expect(s.ratio).toBeCloseTo(s.compat / s.npmEpoll, 6);
      }
      expect(out.runs).toHaveLength(4);
      expect(out.runs.every((r) => r.errors === 0)).toBe(true);
      expect(table).toMatch(/\| 1 \(stdin pipe\) \|.*×/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
