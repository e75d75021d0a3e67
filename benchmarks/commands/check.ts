// `epoll-reactor bench check`: the CPU-per-message guard CI runs. It measures what one echoed
// message costs the server in CPU time (all its threads, schedstat nanoseconds) at a fixed
// offered load below saturation, for the reactor and the C reference server in the same run
// (both running, the load alternating between them in short windows, ten pairs), and fails when the reactor/C ratio is
// more than TOLERANCE worse than the committed baseline (benchmarks/baseline/cpu-per-message.json).
//
// Why CPU time and a ratio: wall-clock throughput on a shared or virtual machine moves with
// everything else running there, and CPU time per message moves with the machine's speed; the
// ratio to a C server measured beside it travels between machines and runs. Why a paced load:
// at saturation both servers batch more per turn, so per-message cost depends on how busy the
// machine was; a fixed rate well below either server's limit gives both the same shape of work.
//
// The baseline is rewritten only by --write-baseline REASON, committed on its own with that reason.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import Table from 'cli-table3';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ensureCBinaries } from '../lib/cbuild.js';
import type { LoadShape } from '../lib/configs.js';
import { runLoadgen, type LoadResult } from '../lib/loadgen.js';
import { CLIENT_CPU, SERVER_CPU } from '../lib/measure.js';
import { ROOT } from '../lib/paths.js';
import { canPin } from '../lib/pinned.js';
import { RunningServer, serverSpecs, type ReactorDriver } from '../lib/servers.js';
import { median } from '../lib/stats.js';
import { ASCII } from '../report/table.js';

/** How much worse than the baseline the reactor/C ratio may get before the check fails. */
export const TOLERANCE = 0.15;

/** A load the guard offers: a fixed rate (per connection), far below either server's limit. */
export interface CheckLoad {
  name: string;
  label: string;
  load: LoadShape & { lightRate: number };
  sameCore: boolean;
}

export const CHECK_LOADS: CheckLoad[] = [
  { name: 'A0', label: 'C=1 D=1 S=64, one core, 4000 msgs/s offered', load: { conns: 1, depth: 1, size: 64, lightRate: 4000 }, sameCore: true },
  { name: 'E', label: 'C=50 D=1 S=64, 50 x 200 msgs/s offered', load: { conns: 50, depth: 1, size: 64, lightRate: 200 }, sameCore: false },
];

/** The reactor under guard, and the reference it is divided by. */
export const REACTOR = 'reactor-lt';
export const REFERENCE = 'c-lt';

export const DEFAULT_BASELINE = join(ROOT, 'benchmarks', 'baseline', 'cpu-per-message.json');

export interface CheckSample {
  config: string;
  server: string;
  repeat: number;
  msgs: number;
  msgsPerSec: number;
  cpuSec: number;
  usPerMsg: number;
}

/** One configuration's result: medians, the paired ratio and the verdict against the baseline. */
export interface CheckRow {
  config: string;
  reactorUsPerMsg: number;
  referenceUsPerMsg: number;
  /** Median over repeats of (reactor us/msg ÷ C us/msg), each pair measured back to back. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  baseline: number | null;
  limit: number | null;
  pass: boolean;
  /** A server did not reach 75% of the offered rate (saturated, or the machine too busy: the figures are less comparable). */
  saturated: boolean;
}

export interface Baseline {
  /** reactor/C CPU-per-message ratio per configuration. */
  ratios: Record<string, number>;
  reason: string;
  measuredAt: string;
  host: string;
  driver: ReactorDriver;
  repeats: number;
}

export function readBaseline(file: string): Baseline {
  if (!existsSync(file)) throw new Error(`no baseline at ${file}: record one with --write-baseline "<reason>" and commit it`);
  const b = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
  if (!b || typeof b.ratios !== 'object') throw new Error(`${file}: not a baseline (no "ratios" object)`);
  for (const [k, v] of Object.entries(b.ratios)) {
    if (typeof v !== 'number' || !(v > 0)) throw new Error(`${file}: ratio for ${k} must be a positive number`);
  }
  return b;
}

/** Medians, paired ratios and verdicts per configuration (pure: the tests call it with made-up samples). */
export function judge(samples: CheckSample[], baseline: Baseline | null, offered: Record<string, number>, tolerance = TOLERANCE): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const config of [...new Set(samples.map((s) => s.config))]) {
    const of = (server: string) => samples.filter((s) => s.config === config && s.server === server);
    const reactor = of(REACTOR);
    const reference = of(REFERENCE);
    const ratios: number[] = [];
    for (const r of reactor) {
      const ref = reference.find((x) => x.repeat === r.repeat);
      if (ref && ref.usPerMsg > 0) ratios.push(r.usPerMsg / ref.usPerMsg);
    }
    if (!ratios.length) continue;
    const ratio = median(ratios);
    const base = baseline?.ratios[config] ?? null;
    const limit = base === null ? null : base * (1 + tolerance);
    const want = offered[config] ?? 0;
    rows.push({
      config,
      reactorUsPerMsg: median(reactor.map((s) => s.usPerMsg)),
      referenceUsPerMsg: median(reference.map((s) => s.usPerMsg)),
      ratio,
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      baseline: base,
      limit,
      pass: limit === null || ratio <= limit,
      saturated: [...reactor, ...reference].some((s) => s.msgsPerSec < 0.75 * want),
    });
  }
  return rows;
}

export function renderCheck(rows: CheckRow[]): string {
  const t = new Table({
    ...ASCII,
    head: ['config', `${REACTOR} us/msg`, `${REFERENCE} us/msg`, 'ratio (min..max)', 'baseline', 'limit', 'verdict'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  for (const r of rows) {
    t.push([
      r.config,
      r.reactorUsPerMsg.toFixed(2),
      r.referenceUsPerMsg.toFixed(2),
      `${r.ratio.toFixed(2)} (${r.ratioMin.toFixed(2)}..${r.ratioMax.toFixed(2)})`,
      r.baseline === null ? '-' : r.baseline.toFixed(2),
      r.limit === null ? '-' : r.limit.toFixed(2),
      `${r.pass ? 'pass' : 'FAIL'}${r.saturated ? ' (saturated: offered rate not reached)' : ''}`,
    ]);
  }
  return t.toString();
}

/** A short settle (not counted), then the server's CPU time over the load generator's measured window. */
async function window(server: RunningServer, c: CheckLoad, repeat: number, durationSec: number, loadgen: string, cpu: number): Promise<CheckSample> {
  const settleSec = 0.2;
  let before: number | null = null;
  let after: number | null = null;
  const t0 = setTimeout(() => (before = server.cpuSeconds()), settleSec * 1000);
  const t1 = setTimeout(() => (after = server.cpuSeconds()), (settleSec + durationSec) * 1000);
  let load: LoadResult;
  try {
    load = await runLoadgen(loadgen, server.port, { ...c.load, warmupSec: settleSec, durationSec }, cpu);
  } finally {
    clearTimeout(t0);
    clearTimeout(t1);
  }
  if (before === null || after === null || load.msgs === 0) throw new Error(`${server.spec.name}: no CPU time or no messages measured in ${c.name}`);
  const cpuSec = (after as number) - (before as number);
  return { config: c.name, server: server.spec.name, repeat, msgs: load.msgs, msgsPerSec: load.msgs_per_sec, cpuSec, usPerMsg: (cpuSec * 1e6) / load.msgs };
}

const positive = (kind: 'int' | 'float') => (text: string): number => {
  const x = Number(text);
  if (!Number.isFinite(x) || x <= 0 || (kind === 'int' && !Number.isInteger(x))) {
    throw new InvalidArgumentError(`expected a positive ${kind === 'int' ? 'integer' : 'number'}`);
  }
  return x;
};

interface CheckOptions {
  repeats: number;
  warmup: number;
  duration: number;
  driver: ReactorDriver;
  baseline: string;
  writeBaseline?: string;
  json?: string;
}

/** Adds `check` under the `bench` command. */
export function registerCheck(bench: Command, log: (line: string) => void): void {
  bench
    .command('check')
    .description(
      `CPU time per echoed message, ${REACTOR} against ${REFERENCE} (A0 and E at a fixed offered load, interleaved repeats, medians); ` +
        `exits 1 when the ratio is more than ${TOLERANCE * 100}% worse than the committed baseline`,
    )
    .option('--repeats <n>', 'measured windows per server and configuration (paired, alternating)', positive('int'), 10)
    .option('--warmup <sec>', 'warm-up seconds per server and configuration, not measured', positive('float'), 1)
    .option('--duration <sec>', 'measured seconds per window', positive('float'), 1)
    .addOption(new Option('--driver <driver>', 'reactor driver').choices(['integrated', 'exclusive']).default('integrated'))
    .option('--baseline <file>', 'the baseline JSON', DEFAULT_BASELINE)
    .option('--write-baseline <reason>', 'record this run as the new baseline (commit it on its own, with the reason)')
    .option('--json <file>', 'also write every sample and the verdicts as JSON')
    .action(async (o: CheckOptions) => {
      const t0 = Date.now();
      const baseline = o.writeBaseline ? null : readBaseline(o.baseline);
      if (baseline && baseline.driver !== o.driver) throw new Error(`the baseline was measured with --driver ${baseline.driver}, not ${o.driver}`);
      if (!canPin()) log('taskset not found: processes run unpinned (install util-linux for pinned runs)');
      const bins = ensureCBinaries(log);
      const specs = serverSpecs(bins, o.driver);
      const servers = [specs.get(REACTOR)!, specs.get(REFERENCE)!];
      const samples: CheckSample[] = [];
      for (const c of CHECK_LOADS) {
        // Both servers run side by side for the whole configuration (one start and JIT warm-up
        // each); the load generator then alternates between them in short windows, so the two
        // halves of a pair are measured within a second or two of each other, in the same
        // state of the machine, and the order flips every pair.
        const running: RunningServer[] = [];
        try {
          for (const spec of servers) running.push(await RunningServer.start(spec, SERVER_CPU));
          const cpu = c.sameCore ? SERVER_CPU : CLIENT_CPU;
          for (const server of running) await runLoadgen(bins.loadgen, server.port, { ...c.load, warmupSec: 0, durationSec: o.warmup }, cpu);
          for (let repeat = 1; repeat <= o.repeats; repeat++) {
            for (const server of repeat % 2 ? running : [...running].reverse()) {
              const s = await window(server, c, repeat, o.duration, bins.loadgen, cpu);
              samples.push(s);
              log(`[check ${c.name} ${repeat}/${o.repeats}] ${s.server.padEnd(10)} ${s.usPerMsg.toFixed(2)} us/msg (${s.msgs} msgs, ${Math.round(s.msgsPerSec)} msgs/s)`);
            }
          }
        } finally {
          for (const server of running) {
            const stopped = await server.stop();
            if (stopped.exitCode !== 0) throw new Error(`${server.spec.name} exited with ${stopped.exitCode} on SIGTERM:\n${stopped.stderr.trim()}`);
          }
        }
      }
      const offered = Object.fromEntries(CHECK_LOADS.map((c) => [c.name, c.load.conns * c.load.lightRate]));
      const rows = judge(samples, baseline, offered);
      process.stdout.write(`CPU per message, ${REACTOR} (${o.driver}) / ${REFERENCE}, median of ${o.repeats} paired repeats\n`);
      process.stdout.write(`${CHECK_LOADS.map((c) => `${c.name}: ${c.label}`).join('\n')}\n${renderCheck(rows)}\n`);
      if (o.json) writeFileSync(o.json, `${JSON.stringify({ startedAt: new Date(t0).toISOString(), driver: o.driver, samples, rows }, null, 2)}\n`);
      if (o.writeBaseline) {
        const b: Baseline = {
          ratios: Object.fromEntries(rows.map((r) => [r.config, Number(r.ratio.toFixed(3))])),
          reason: o.writeBaseline,
          measuredAt: new Date(t0).toISOString(),
          host: `${cpus()[0]?.model ?? 'unknown'}, ${process.version}`,
          driver: o.driver,
          repeats: o.repeats,
        };
        mkdirSync(dirname(o.baseline), { recursive: true });
        writeFileSync(o.baseline, `${JSON.stringify(b, null, 2)}\n`);
        log(`baseline written to ${o.baseline}: commit it on its own, with the reason`);
      }
      const failed = rows.filter((r) => !r.pass);
      log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${failed.length ? `FAIL (${failed.map((r) => r.config).join(', ')})` : 'pass'}`);
      if (failed.length) process.exitCode = 1;
    });
}
