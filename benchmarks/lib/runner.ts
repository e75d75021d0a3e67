// The echo benchmark's schedule: every configuration x repeat x server (servers
// rotated per repeat so drift hits all alike), then the fairness run, the
// idle-scaling run and the raw run; the samples are summarised into medians
// and spreads. Progress goes to `log` (stderr); the report is returned.
import { cpus, release } from 'node:os';
import { rate } from '../report/table.js';
import type { BenchReport, IdlePoint, RawResult, RunSample, Summary } from '../report/types.js';
import { ensureCBinaries } from './cbuild.js';
import { ECHO_CONFIGS, FAIRNESS, IDLE_LOAD, IDLE_SERVERS, type EchoConfig, type Method } from './configs.js';
import { measure, type Measurement } from './measure.js';
import { canPin } from './pinned.js';
import { runRaw } from './raw.js';
import { serverSpecs, type ReactorDriver, type ServerSpec } from './servers.js';
import { medianOrNull, median, rotate, spread } from './stats.js';

export interface RunOptions {
  method: Method;
  servers: string[];
  configs: string[];
  driver: ReactorDriver;
  fairness: boolean;
  idle: boolean;
  raw: boolean;
  countSyscalls: boolean;
  log: (line: string) => void;
}

function toSample(config: string, server: string, repeat: number, m: Measurement): RunSample {
  const r = m.load;
  const sample: RunSample = {
    config,
    server,
    repeat,
    msgsPerSec: r.msgs_per_sec,
    mbPerSec: r.mb_per_sec,
    p50Us: r.p50_us,
    p99Us: r.p99_us,
    cpuPct: m.serverCpuSec === null ? null : (100 * m.serverCpuSec) / m.windowSec,
    syscallsPerMsg: m.syscalls === null || r.total_msgs === 0 ? null : m.syscalls / r.total_msgs,
    preemptsPerSec: m.preemptions === null ? null : m.preemptions / m.windowSec,
  };
  if (r.light) sample.light = { msgsPerSec: r.light.msgs_per_sec, p50Us: r.light.p50_us, p99Us: r.light.p99_us };
  return sample;
}

export function summarise(samples: RunSample[]): Summary[] {
  const groups = new Map<string, RunSample[]>();
  for (const s of samples) {
    const key = `${s.config}\0${s.server}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: Summary[] = [];
  for (const g of groups.values()) {
    const light = g.flatMap((s) => (s.light ? [s.light] : []));
    out.push({
      config: g[0]!.config,
      server: g[0]!.server,
      repeats: g.length,
      msgsPerSec: spread(g.map((s) => s.msgsPerSec)),
      mbPerSec: median(g.map((s) => s.mbPerSec)),
      p50Us: median(g.map((s) => s.p50Us)),
      p99Us: median(g.map((s) => s.p99Us)),
      cpuPct: medianOrNull(g.map((s) => s.cpuPct)),
      syscallsPerMsg: medianOrNull(g.map((s) => s.syscallsPerMsg)),
      preemptsPerSec: medianOrNull(g.map((s) => s.preemptsPerSec ?? null)),
      ratioToCEt: null,
      ...(light.length && {
        light: {
          msgsPerSec: median(light.map((l) => l.msgsPerSec)),
          p50Us: median(light.map((l) => l.p50Us)),
          p99Us: median(light.map((l) => l.p99Us)),
        },
      }),
    });
  }
  for (const s of out) {
    const ref = out.find((r) => r.config === s.config && r.server === 'c-et');
    s.ratioToCEt = ref ? s.msgsPerSec.median / ref.msgsPerSec.median : null;
  }
  return out;
}

export async function runBenchmark(opts: RunOptions): Promise<BenchReport> {
  const { method, log } = opts;
  const startedAt = new Date().toISOString();
  const bins = ensureCBinaries(log);
  const specs = serverSpecs(bins, opts.driver);
  const pick = (names: string[]): ServerSpec[] =>
    names.map((n) => {
      const s = specs.get(n);
      if (!s) throw new Error(`unknown server '${n}' (known: ${[...specs.keys()].join(', ')})`);
      return s;
    });
  const servers = pick(opts.servers);
  const configs: EchoConfig[] = opts.configs.map((name) => {
    const c = ECHO_CONFIGS.find((x) => x.name === name);
    if (!c) throw new Error(`unknown configuration '${name}' (known: ${ECHO_CONFIGS.map((x) => x.name).join(', ')})`);
    return c;
  });
  if (opts.fairness) configs.push(FAIRNESS);
  if (!canPin()) log('taskset not found: processes run unpinned (install util-linux for pinned runs)');

  const measureOpts = { loadgen: bins.loadgen, countSyscalls: opts.countSyscalls };
  const timing = { warmupSec: method.warmupSec, durationSec: method.durationSec };
  const samples: RunSample[] = [];
  for (const config of configs) {
    for (let r = 0; r < method.repeats; r++) {
      for (const spec of rotate(servers, r)) {
        const m = await measure(spec, { ...config.load, ...timing }, { ...measureOpts, sameCore: !!config.sameCore });
        const s = toSample(config.name, spec.name, r + 1, m);
        samples.push(s);
        const light = s.light ? `, light p99 ${s.light.p99Us.toFixed(0)} us` : '';
        log(`[${config.name} ${r + 1}/${method.repeats}] ${spec.name.padEnd(10)} ${rate(s.msgsPerSec)} msgs/s, p99 ${s.p99Us.toFixed(0)} us${light}`);
      }
    }
  }

  const idle: IdlePoint[] = [];
  if (opts.idle) {
    const idleSpecs = pick(IDLE_SERVERS);
    for (const n of method.idleCounts) {
      for (const spec of idleSpecs) {
        const m = await measure(spec, { ...IDLE_LOAD, ...timing, idle: n }, { ...measureOpts, sameCore: false });
        const msgs = m.load.msgs;
        idle.push({
          server: spec.name,
          idle: n,
          msgsPerSec: m.load.msgs_per_sec,
          cpuUsPerMsg: m.serverCpuSec === null || msgs === 0 ? null : (m.serverCpuSec * 1e6) / msgs,
          p50Us: m.load.p50_us,
          p99Us: m.load.p99_us,
        });
        log(`[idle ${n}] ${spec.name.padEnd(10)} ${rate(m.load.msgs_per_sec)} msgs/s, p50 ${m.load.p50_us.toFixed(1)} us`);
      }
    }
  }

  let raw: RawResult[] = [];
  if (opts.raw) {
    log('[raw] Epoll.wait vs the npm epoll package (and CPython select.epoll)');
    raw = await runRaw(method.quick, log);
  }

  const cpuList = cpus();
  return {
    startedAt,
    host: {
      cpus: cpuList[0]?.model ?? 'unknown',
      cores: cpuList.length,
      kernel: release(),
      node: process.version,
      pinned: canPin(),
    },
    method: { repeats: method.repeats, warmupSec: method.warmupSec, durationSec: method.durationSec, quick: method.quick },
    configs: configs.map((c) => ({ name: c.name, label: c.label })),
    samples,
    summaries: summarise(samples),
    idle,
    raw,
  };
}
