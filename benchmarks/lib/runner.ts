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
  /** Load-generator threads (loadgen -j). */
  clientThreads: number;
  log: (line: string) => void;
}

/** A row is client-bound when the client uses >= 90% of its CPUs while the server uses < 85% of its one. */
export const CLIENT_BOUND = { clientPct: 90, serverPct: 85 } as const;

/**
 * Whether the load generator, not the server, limited a run: its CPU (100 = one core) is at
 * least 90% of the `clientCpus` cores it may use, while the server's is under 85%.
 */
export function isClientBound(clientCpuPct: number | null | undefined, serverCpuPct: number | null, clientCpus: number): boolean {
  if (clientCpuPct === null || clientCpuPct === undefined || serverCpuPct === null) return false;
  return clientCpuPct >= CLIENT_BOUND.clientPct * clientCpus && serverCpuPct < CLIENT_BOUND.serverPct;
}

/** How many cores the load generator may use: one when pinned, else up to one per thread. */
export function clientCpuCount(threads: number): number {
  return canPin() ? 1 : Math.min(threads, cpus().length);
}

function toSample(config: string, server: string, repeat: number, m: Measurement, clientCpus: number): RunSample {
  const r = m.load;
  const cpuPct = m.serverCpuSec === null ? null : (100 * m.serverCpuSec) / m.windowSec;
  const clientCpuPct = typeof r.cpu_pct === 'number' ? r.cpu_pct : null;
  const sample: RunSample = {
    config,
    server,
    repeat,
    msgsPerSec: r.msgs_per_sec,
    mbPerSec: r.mb_per_sec,
    p50Us: r.p50_us,
    p99Us: r.p99_us,
    cpuPct,
    syscallsPerMsg: m.syscallsPerMsg,
    preemptsPerSec: m.preemptions === null ? null : m.preemptions / m.windowSec,
    clientCpuPct,
    clientBound: isClientBound(clientCpuPct, cpuPct, clientCpus),
  };
  if (r.light) sample.light = { msgsPerSec: r.light.msgs_per_sec, p50Us: r.light.p50_us, p99Us: r.light.p99_us };
  return sample;
}

export function summarise(samples: RunSample[], clientCpus = 1): Summary[] {
  const groups = new Map<string, RunSample[]>();
  for (const s of samples) {
    const key = `${s.config}\0${s.server}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: Summary[] = [];
  for (const g of groups.values()) {
    const light = g.flatMap((s) => (s.light ? [s.light] : []));
    const cpuPct = medianOrNull(g.map((s) => s.cpuPct));
    const clientCpuPct = medianOrNull(g.map((s) => s.clientCpuPct ?? null));
    out.push({
      config: g[0]!.config,
      server: g[0]!.server,
      repeats: g.length,
      msgsPerSec: spread(g.map((s) => s.msgsPerSec)),
      mbPerSec: median(g.map((s) => s.mbPerSec)),
      p50Us: median(g.map((s) => s.p50Us)),
      p99Us: median(g.map((s) => s.p99Us)),
      cpuPct,
      syscallsPerMsg: medianOrNull(g.map((s) => s.syscallsPerMsg)),
      preemptsPerSec: medianOrNull(g.map((s) => s.preemptsPerSec ?? null)),
      clientCpuPct,
      clientBound: isClientBound(clientCpuPct, cpuPct, clientCpus),
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
  const asked = pick(opts.servers);
  const skipped = asked.filter((s) => s.skip).map((s) => ({ server: s.name, reason: s.skip! }));
  for (const s of skipped) log(`${s.server}: ${s.reason}`);
  const servers = asked.filter((s) => !s.skip);
  const configs: EchoConfig[] = opts.configs.map((name) => {
    const c = ECHO_CONFIGS.find((x) => x.name === name);
    if (!c) throw new Error(`unknown configuration '${name}' (known: ${ECHO_CONFIGS.map((x) => x.name).join(', ')})`);
    return c;
  });
  if (opts.fairness) configs.push(FAIRNESS);
  if (!canPin()) log('taskset not found: processes run unpinned (install util-linux for pinned runs)');

  const clientCpus = clientCpuCount(opts.clientThreads);
  // Syscalls are counted for the echo configurations only (fairness and idle tables show none).
  const measureOpts = { loadgen: bins.loadgen, countSyscalls: false };
  const timing = { warmupSec: method.warmupSec, durationSec: method.durationSec, threads: opts.clientThreads };
  let syscallSource: 'perf' | 'self' | 'none' = 'none';
  const samples: RunSample[] = [];
  for (const config of configs) {
    for (let r = 0; r < method.repeats; r++) {
      for (const spec of rotate(servers, r)) {
        const countSyscalls = opts.countSyscalls && config !== FAIRNESS;
        const m = await measure(spec, { ...config.load, ...timing }, { ...measureOpts, countSyscalls, sameCore: !!config.sameCore });
        if (m.syscallSource && syscallSource !== 'perf') syscallSource = m.syscallSource;
        const s = toSample(config.name, spec.name, r + 1, m, clientCpus);
        samples.push(s);
        const light = s.light ? `, light p99 ${s.light.p99Us.toFixed(0)} us` : '';
        const cpu = `CPU server ${s.cpuPct?.toFixed(0) ?? '-'}% client ${s.clientCpuPct?.toFixed(0) ?? '-'}%${s.clientBound ? ' CLIENT-BOUND' : ''}`;
        log(`[${config.name} ${r + 1}/${method.repeats}] ${spec.name.padEnd(10)} ${rate(s.msgsPerSec)} msgs/s, p99 ${s.p99Us.toFixed(0)} us${light}, ${cpu}`);
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
    method: {
      repeats: method.repeats,
      warmupSec: method.warmupSec,
      durationSec: method.durationSec,
      quick: method.quick,
      clientThreads: opts.clientThreads,
      clientCpus,
      syscallSource,
      driver: opts.driver,
    },
    configs: configs.map((c) => ({ name: c.name, label: c.label })),
    skipped,
    samples,
    summaries: summarise(samples, clientCpus),
    idle,
    raw,
  };
}
