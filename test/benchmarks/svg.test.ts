// The benchmark chart: renderSvg must give a standalone, escaped SVG with a panel per kind of
// result that is present, and nothing for the kinds that are not.
import { describe, it, expect } from 'vitest';
import { renderSvg } from '../../benchmarks/report/svg.js';
import { SERVER_NAMES, type BenchReport, type Summary } from '../../benchmarks/report/types.js';

const MEDIANS: Record<string, number> = {
  'reactor-lt': 410_000, 'reactor-et': 455_000, 'reactor-uring': 480_000, 'node-net': 230_000, bun: 470_000, 'c-lt': 610_000, 'c-et': 640_000,
  'raw-uring': 500_000, 'c-uring': 700_000,
};

function summary(config: string, server: string, scale: number): Summary {
  const median = MEDIANS[server]! * scale;
  const cEt = MEDIANS['c-et']! * scale;
  return {
    config, server, repeats: 3,
    msgsPerSec: { median, min: median * 0.95, max: median * 1.04 },
    mbPerSec: median * 64 / 1e6, p50Us: 120, p99Us: 900, cpuPct: 98, syscallsPerMsg: 0.4,
    ratioToCEt: median / cEt,
  };
}

function fixture(): BenchReport {
  const summaries: Summary[] = [];
  for (const s of SERVER_NAMES) summaries.push(summary('A', s, 1), summary('B', s, 2.5));
  for (const [i, s] of SERVER_NAMES.entries()) {
    summaries.push({ ...summary('fairness', s, 1), ratioToCEt: null, light: { msgsPerSec: 9000, p50Us: 80, p99Us: 300 + i * 1700 } });
  }
  return {
    startedAt: '2026-01-02T03:04:05.000Z',
    host: { cpus: 'Example CPU @ 2.0GHz', cores: 2, kernel: '6.8.0-test', node: 'v20.19.0', pinned: true },
    method: { repeats: 3, warmupSec: 1, durationSec: 5, quick: false },
    configs: [
      { name: 'A', label: 'C=1 D=1 S=64 <&> "q"' },
      { name: 'B', label: 'C=50 D=16 S=64' },
      { name: 'fairness', label: '1 flood + 100 light' },
    ],
    samples: [],
    summaries,
    idle: [
      { server: 'reactor-et', idle: 0, msgsPerSec: 20_000, cpuUsPerMsg: 9.5, p50Us: 40, p99Us: 90 },
      { server: 'reactor-et', idle: 1000, msgsPerSec: 19_000, cpuUsPerMsg: 10.1, p50Us: 42, p99Us: 95 },
      { server: 'reactor-et', idle: 10000, msgsPerSec: 18_500, cpuUsPerMsg: 10.4, p50Us: 43, p99Us: 99 },
      { server: 'c-poll', idle: 0, msgsPerSec: 30_000, cpuUsPerMsg: 4.2, p50Us: 20, p99Us: 50 },
      { server: 'c-poll', idle: 1000, msgsPerSec: 12_000, cpuUsPerMsg: 21, p50Us: 60, p99Us: 150 },
      { server: 'c-poll', idle: 10000, msgsPerSec: 2_000, cpuUsPerMsg: 180, p50Us: 400, p99Us: 900 },
    ],
    raw: [],
  };
}

/** Every tag opened is closed, in order (self-closing tags count as both). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (!m[1]) stack.push(m[2]!);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}

describe('renderSvg', () => {
  it('is a standalone SVG whose tags balance and whose text is escaped', () => {
    const svg = renderSvg(fixture());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toMatch(/<svg[^>]* width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
    expect(balanced(svg)).toBe(true);
    expect((svg.match(/<text/g) ?? []).length).toBe((svg.match(/<\/text>/g) ?? []).length);
    expect(svg).toContain('&lt;&amp;&gt;');
    expect(svg).toContain('&quot;q&quot;');
    expect(svg).not.toMatch(/<&>/);
    // no stray ampersand that does not start an entity
    expect(svg).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
  });

  it('draws all three panels, a legend with every server and the c-et ratio', () => {
    const svg = renderSvg(fixture());
    expect(svg).toContain('epoll-reactor echo benchmark');
    expect(svg).toContain('median of 3; whiskers min..max');
    expect(svg).toContain('Echo throughput, relative to c-et');
    expect(svg).toContain('Fairness: light connections');
    expect(svg).toContain('Idle scaling: server CPU µs per message vs idle connections');
    const legend = /<g class="legend">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    for (const s of SERVER_NAMES) expect(legend).toContain(`>${s}</text>`);
    expect(svg).toContain('>1.00×</text>');
    expect(svg).toContain('c-et 640k/s');
    expect(svg).toContain('c-et 1.60M/s');
    expect(svg).toContain('>c-poll</text>');
  });

  it('is deterministic', () => {
    expect(renderSvg(fixture())).toBe(renderSvg(fixture()));
  });

  it('leaves out the fairness and idle panels when there is nothing to show', () => {
    const r = fixture();
    r.summaries = r.summaries.filter((s) => s.config !== 'fairness');
    r.idle = [];
    let svg = renderSvg(r);
    expect(svg).toContain('Echo throughput');
    expect(svg).not.toContain('Fairness');
    expect(svg).not.toContain('Idle scaling');
    r.idle = fixture().idle.map((p) => ({ ...p, cpuUsPerMsg: null }));
    svg = renderSvg(r);
    expect(svg).not.toContain('Idle scaling');
  });

  it('draws a client-bound bar pale, with a * on its label and in its tooltip', () => {
    const r = fixture();
    const plain = renderSvg(r);
    expect(plain).not.toContain('fill-opacity');
    r.summaries = r.summaries.map((s) => (s.config === 'B' && s.server === 'c-lt' ? { ...s, clientBound: true } : s));
    const svg = renderSvg(r);
    expect(svg.match(/fill-opacity="0\.4"/g)).toHaveLength(1); // 0.35, rounded to one decimal by attrs()
    expect(svg).toMatch(/B c-lt: [^<]*, client-bound<\/title>/);
    expect(svg).toMatch(/>0\.95×\*<\/text>/);
  });

  it('does not throw on an empty report or on nulls', () => {
    const empty: BenchReport = { ...fixture(), configs: [], summaries: [], idle: [], samples: [] };
    const svg = renderSvg(empty);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(balanced(svg)).toBe(true);
    const nulls = fixture();
    nulls.summaries = nulls.summaries.map((s) => (s.server === 'c-et' ? s : { ...s, ratioToCEt: null, cpuPct: null }));
    expect(() => renderSvg(nulls)).not.toThrow();
    const noCEt = fixture();
    noCEt.summaries = noCEt.summaries.filter((s) => s.server !== 'c-et').map((s) => ({ ...s, ratioToCEt: null }));
    expect(renderSvg(noCEt)).not.toContain('Echo throughput');
  });
});
