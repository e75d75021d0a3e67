// The benchmark's tables for stdout (cli-table3): one per echo configuration,
// then fairness, idle scaling and the raw path. Plain ASCII borders so the
// output pastes cleanly into a README or an issue.
import Table from 'cli-table3';
import { SERVER_NAMES, type BenchReport, type Summary } from './types.js';

/** Plain ASCII borders for cli-table3 (pastes cleanly into a README or an issue). */
export const ASCII = {
  chars: {
    top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
    bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
    left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
    right: '|', 'right-mid': '+', middle: '|',
  },
  style: { head: [], border: [] },
};

export function rate(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** The note on a row whose client was saturated while the server was not (types.ts: clientBound). */
export const CLIENT_BOUND_NOTE = 'client-bound';

const num = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);

function serverOrder(a: Summary, b: Summary): number {
  const ia = SERVER_NAMES.indexOf(a.server as (typeof SERVER_NAMES)[number]);
  const ib = SERVER_NAMES.indexOf(b.server as (typeof SERVER_NAMES)[number]);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
}

function configTable(report: BenchReport, config: string): string {
  const t = new Table({
    ...ASCII,
    head: ['server', 'msgs/s', 'min..max', 'MB/s', 'p50 us', 'p99 us', 'CPU %', 'client CPU %', 'syscalls/msg', 'x c-et', 'note'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  const rows = report.summaries.filter((s) => s.config === config).sort(serverOrder);
  for (const s of rows) {
    t.push([
      s.server,
      rate(s.msgsPerSec.median),
      `${rate(s.msgsPerSec.min)}..${rate(s.msgsPerSec.max)}`,
      num(s.mbPerSec, 1),
      num(s.p50Us),
      num(s.p99Us),
      num(s.cpuPct),
      num(s.clientCpuPct),
      num(s.syscallsPerMsg, 3),
      s.ratioToCEt === null ? '-' : `${s.ratioToCEt.toFixed(2)}x`,
      s.clientBound ? CLIENT_BOUND_NOTE : '',
    ]);
  }
  for (const k of report.skipped ?? []) t.push([k.server, '-', '-', '-', '-', '-', '-', '-', '-', '-', k.reason]);
  return t.toString();
}

function fairnessTable(report: BenchReport): string {
  const t = new Table({
    ...ASCII,
    head: ['server', 'light p50 us', 'light p99 us', 'light msgs/s', 'all msgs/s', 'CPU %', 'client CPU %', 'preempted/s'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const s of report.summaries.filter((x) => x.config === 'fairness').sort(serverOrder)) {
    t.push([
      s.server,
      num(s.light?.p50Us),
      num(s.light?.p99Us),
      rate(s.light?.msgsPerSec),
      rate(s.msgsPerSec.median),
      num(s.cpuPct),
      num(s.clientCpuPct),
      num(s.preemptsPerSec),
    ]);
  }
  for (const k of report.skipped ?? []) t.push([k.server, { colSpan: 7, content: k.reason, hAlign: 'left' }]);
  return t.toString();
}

function idleTable(report: BenchReport): string {
  const servers = [...new Set(report.idle.map((p) => p.server))];
  const counts = [...new Set(report.idle.map((p) => p.idle))].sort((a, b) => a - b);
  const t = new Table({
    ...ASCII,
    head: ['idle conns', ...servers.map((s) => `${s} CPU us/msg`), ...servers.map((s) => `${s} p50 us`)],
    colAligns: ['right', ...servers.map(() => 'right' as const), ...servers.map(() => 'right' as const)],
  });
  for (const n of counts) {
    const at = (s: string) => report.idle.find((p) => p.idle === n && p.server === s);
    t.push([String(n), ...servers.map((s) => num(at(s)?.cpuUsPerMsg, 1)), ...servers.map((s) => num(at(s)?.p50Us, 1))]);
  }
  return t.toString();
}

function rawTable(report: BenchReport): string {
  const impls = [...new Set(report.raw.flatMap((r) => Object.keys(r.eventsPerSec)))];
  const t = new Table({
    ...ASCII,
    head: ['ready fds', ...impls.map((i) => `${i} events/s`), 'Epoll.wait / npm epoll'],
    colAligns: ['right', ...impls.map(() => 'right' as const), 'right'],
  });
  for (const r of report.raw) {
    const ours = r.eventsPerSec['Epoll.wait'];
    const npm = r.eventsPerSec['npm epoll'];
    t.push([String(r.readyFds), ...impls.map((i) => rate(r.eventsPerSec[i])), ours && npm ? `${(ours / npm).toFixed(0)}x` : '-']);
  }
  return t.toString();
}

export function renderTables(report: BenchReport): string {
  const out: string[] = [];
  const m = report.method;
  out.push(
    `epoll-reactor echo benchmark: ${report.host.cpus}, ${report.host.cores} CPUs, Linux ${report.host.kernel}, Node ${report.host.node}`,
    `median of ${m.repeats} repeat(s), ${m.warmupSec} s warm-up + ${m.durationSec} s measured each; ` +
      `server on CPU 0, load generator on CPU 1${report.host.pinned ? '' : ' (NOT pinned: taskset missing)'}` +
      `${m.clientThreads && m.clientThreads > 1 ? ` (${m.clientThreads} threads)` : ''}`,
    `no tracer while timed; syscalls/msg ${m.syscallSource === 'perf' ? 'from a separate shorter pass under perf stat' : m.syscallSource === 'self' ? "from the servers' own counters" : 'not counted'}; ` +
      `"${CLIENT_BOUND_NOTE}": client CPU >= 90% while server CPU < 85% (the row measures the client)`,
    '',
  );
  for (const c of report.configs) {
    if (c.name === 'fairness') continue;
    out.push(`${c.name}: ${c.label}`, configTable(report, c.name), '');
  }
  if (report.configs.some((c) => c.name === 'fairness')) {
    out.push(`fairness: ${report.configs.find((c) => c.name === 'fairness')!.label}`, fairnessTable(report), '');
  }
  if (report.idle.length) out.push('idle scaling: one active ping-pong connection beside N idle ones', idleTable(report), '');
  if (report.raw.length) out.push('raw path: events/s delivered to JS on N ready fds', rawTable(report), '');
  return out.join('\n');
}
