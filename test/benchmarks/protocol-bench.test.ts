// bench resp / bench http: parsing the tools' output, the summaries and ratios, the
// missing-tool message, and the chart's well-formedness (no tools are run here).
import { describe, expect, it } from 'vitest';
import { parseRedisBenchmarkCsv } from '../../benchmarks/commands/resp.js';
import { PIPELINE_LUA, parseWrk } from '../../benchmarks/commands/http.js';
import { renderChart, renderTable, requireTools, summarise, type ProtocolReport, type ProtocolSample } from '../../benchmarks/commands/protocol-bench.js';

describe('tool output parsing', () => {
  it('reads redis-benchmark --csv rows', () => {
    const csv = '"test","rps","avg_latency_ms","min_latency_ms"\n"PING_MBULK","123456.79","0.3","0.1"\n"SET","1000.00","1","1"\n';
    expect([...parseRedisBenchmarkCsv(csv)]).toEqual([
      ['PING_MBULK', 123456.79],
      ['SET', 1000],
    ]);
  });

  it('reads wrk requests/s and socket errors, and refuses non-2xx answers', () => {
    const ok = 'Running 2s test\n  100 requests in 2.00s\n  Socket errors: connect 0, read 0, write 0, timeout 3\nRequests/sec:  50123.45\n';
    expect(parseWrk(ok)).toEqual({ rps: 50123.45, socketErrors: 'Socket errors: connect 0, read 0, write 0, timeout 3' });
    expect(() => parseWrk(`${ok}  Non-2xx or 3xx responses: 7\n`)).toThrow(/7 non-2xx/);
    expect(() => parseWrk('nothing')).toThrow(/no Requests\/sec/);
    expect(PIPELINE_LUA).toMatch(/wrk\.format/);
  });

  it('names the apt packages when a tool is missing', () => {
    expect(() => requireTools(['sh', 'no-such-tool-xyz'], 'redis-tools')).toThrow('no-such-tool-xyz not found: install with `apt-get install redis-tools`');
    expect(() => requireTools(['sh'], 'x')).not.toThrow();
  });
});

describe('report', () => {
  const s = (server: string, test: string, rps: number, repeat: number): ProtocolSample => ({ server, test, repeat, requestsPerSec: rps, serverCpuPct: 50, serverUsPerRequest: 2 });
  const samples = [s('a', 'GET', 100, 0), s('a', 'GET', 300, 1), s('a', 'GET', 200, 2), s('ref', 'GET', 400, 0), s('ref', 'GET', 400, 1)];

  it('summarises medians and spreads, with ratios to the reference in the same test', () => {
    const [a, ref] = summarise(samples, 'ref');
    expect(a).toMatchObject({ server: 'a', repeats: 3, requestsPerSec: { median: 200, min: 100, max: 300 }, ratio: 0.5 });
    expect(ref!.ratio).toBe(1);
  });

  it('renders a table and a standalone SVG chart', () => {
    const report: ProtocolReport = {
      bench: 'resp',
      startedAt: '2026-01-01T00:00:00Z',
      host: { cpus: 'cpu <x>', cores: 2, kernel: 'k', node: 'v20', pinned: true },
      reference: 'ref',
      commands: [],
      samples,
      summaries: summarise(samples, 'ref'),
    };
    expect(renderTable(report)).toMatch(/\| GET +\| a +\| +200 \|/);
    const svg = renderChart(report, 'a & b');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('cpu &lt;x&gt;');
    expect(svg.match(/<rect /g)!.length).toBe(1 + 2 + 2); // background, two bars, two legend swatches
    expect(renderTable({ ...report, skipped: [{ server: 'bun-http', reason: 'skipped: bun not installed' }] })).toMatch(/\| - +\| bun-http +\| skipped: bun not installed +\|/);
  });
});
