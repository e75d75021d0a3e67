// `epoll-reactor soak --minutes N`: the endurance run (benchmarks/soak/run.ts):
// LT and ET, integrated and exclusive, all four servers under a churning,
// checksummed mixed load with injected faults for N minutes; prints each
// server's sessions, errors, lost bytes and the slopes of RSS, heap and fds.
// Exit status 1 if anything was lost or any check failed.
import type { Command } from 'commander';
import { announceRun } from '../lib/announce.js';
import { writeFileSync } from 'node:fs';
import { runSoak, type SoakConfig, type SoakResult } from '../soak/run.js';
import { bytes, markdownTable } from '../report/markdown.js';

const ALL: SoakConfig[] = [
  { mode: 'lt', driver: 'integrated' },
  { mode: 'et', driver: 'integrated' },
  { mode: 'lt', driver: 'exclusive' },
  { mode: 'et', driver: 'exclusive' },
];

export function renderSoak(r: SoakResult): string {
  const perMin = (x: number): string => `${x >= 0 ? '+' : ''}${bytes(x)}/min`;
  const rows = r.servers.map((s) => {
    const sessions = Object.values(s.client.sessions).reduce((a, b) => a + b, 0);
    return [
      s.name,
      String(sessions),
      bytes(s.client.bytesVerified),
      String(s.client.errors),
      bytes(s.client.lostBytes),
      `${bytes(s.rss.first)} -> ${bytes(s.rss.last)}`,
      perMin(s.rss.perMinute),
      perMin(s.heapUsed.perMinute),
      perMin(s.arrayBuffers.perMinute),
      `${s.fds.perMinute >= 0 ? '+' : ''}${s.fds.perMinute.toFixed(1)}/min`,
      `${s.baselineFds} -> ${s.finalFds}`,
      s.lagMaxMs.toFixed(0),
      String(s.exitCode),
    ];
  });
  const lines = [
    `soak: ${(r.durationSec / 60).toFixed(1)} min under load; faults injected: ${r.faults.kill9} kill -9 mid-frame, ` +
      `${r.faults.neverReader} never-reading peers, ${r.faults.resetStorm} resets in storms`,
    markdownTable(
      ['server', 'sessions', 'bytes checked', 'errors', 'lost', 'RSS (steady part)', 'RSS slope', 'heap slope', 'ArrayBuffer slope', 'fd slope', 'fds base -> end', 'max timer lag ms', 'exit'],
      rows,
    ),
    `sessions by kind: ${r.servers.map((s) => `${s.name} ${Object.entries(s.client.sessions).map(([k, v]) => `${k} ${v}`).join(', ')}`).join('; ')}`,
  ];
  const samples = r.servers.flatMap((s) => s.client.errorSamples.map((e) => `${s.name}: ${e}`));
  if (samples.length) lines.push('errors:', ...samples.slice(0, 20).map((e) => `  ${e}`));
  lines.push(`total: ${r.errors} errors, ${bytes(r.lostBytes)} lost`);
  return lines.join('\n');
}

export function registerSoak(program: Command, log: (line: string) => void): void {
  program
    .command('soak')
    .description(
      'Endurance: LT and ET servers, integrated and exclusive, under a churning checksummed mixed load ' +
        '(pipelined echo, half-closes, resets, idle timeouts, slow readers) with kill -9, never-reading ' +
        'and reset-storm faults; reports errors, lost bytes and the slopes of RSS, heap and fds.',
    )
    .option('--minutes <n>', 'minutes of load (bounded: at most 120)', (s) => Number(s), 1)
    .option('--concurrency <n>', 'client sessions open at once per server', (s) => Number(s), 32)
    .option('--configs <list>', 'comma-separated mode-driver pairs', (s) => s.split(','), ALL.map((c) => `${c.mode}-${c.driver}`))
    .option('--idle-timeout <ms>', "the servers' idle timeout", (s) => Number(s), 3000)
    .option('--sample-ms <ms>', 'sampling period of RSS, heap, fds and timer lag', (s) => Number(s), 2000)
    .option('--json <file>', 'also write the result, samples included, as JSON')
    .action(async (o: { minutes: number; concurrency: number; configs: string[]; idleTimeout: number; sampleMs: number; json?: string }) => {
      if (!(o.minutes > 0 && o.minutes <= 120)) throw new Error('--minutes must be in (0, 120]');
      const configs = o.configs.map((name) => {
        const c = ALL.find((x) => `${x.mode}-${x.driver}` === name);
        if (!c) throw new Error(`unknown configuration '${name}' (known: ${ALL.map((x) => `${x.mode}-${x.driver}`).join(', ')})`);
        return c;
      });
      announceRun(log, 'soak', o.minutes * 60 + 10 + 3 * configs.length);
      const r = await runSoak({
        durationSec: o.minutes * 60,
        configs,
        concurrency: o.concurrency,
        idleTimeoutMs: o.idleTimeout,
        highWaterMark: 64 * 1024,
        sampleMs: o.sampleMs,
        faultEveryMs: 5000,
        log,
      });
      process.stdout.write(`${renderSoak(r)}\n`);
      if (o.json) writeFileSync(o.json, `${JSON.stringify(r, null, 2)}\n`);
      if (r.errors || r.lostBytes) process.exitCode = 1;
    });
}
