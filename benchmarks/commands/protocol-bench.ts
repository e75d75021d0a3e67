// What `bench resp` and `bench http` share: checking that the external tools exist (with the
// apt line that installs them), starting a server pinned to CPU 0 and knowing when it
// accepts connections, running a load tool pinned to CPU 1 with a hard time limit, and the
// report (samples → median/min..max per row, ratios to the reference server, an ASCII table,
// JSON, and a bar chart as SVG).
//
// Every process started here is stopped (SIGTERM, then SIGKILL after a grace period) before
// the next one starts; every tool run is killed if it outlives its time limit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, release } from 'node:os';
import Table from 'cli-table3';
import { canPin, cpuSeconds, spawnPinned, waitExit } from '../lib/pinned.js';
import { median, rotate } from '../lib/stats.js';
import { escapeXml } from '../report/svg.js';
import { rate } from '../report/table.js';

export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

/** Throws an error naming the apt packages when a tool is missing. */
export function requireTools(tools: string[], aptPackages: string): void {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length) throw new Error(`${missing.join(', ')} not found: install with \`apt-get install ${aptPackages}\``);
}

/** A free TCP port on 127.0.0.1 (bound and released: the caller starts its server on it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a connection (polling), rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server process under test, pinned to SERVER_CPU. */
export class PinnedServer {
  readonly child: ChildProcess;
  readonly port: number;
  #stderr = '';
  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.#stderr += d.slice(0, 4096)));
    child.stdout!.resume();
  }
  /** Starts argv (with `{port}` replaced by a free port) and waits until it accepts connections. */
  static async start(argv: string[]): Promise<PinnedServer> {
    const port = await freePort();
    const child = spawnPinned(argv.map((a) => a.replace('{port}', String(port))), SERVER_CPU);
    const server = new PinnedServer(child, port);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`${argv[0]} exited (${code}) before listening: ${server.#stderr.trim()}`))),
    );
    try {
      await Promise.race([waitForPort(port), exited]);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    child.removeAllListeners('exit');
    return server;
  }
  cpuSeconds(): number | null {
    return cpuSeconds(this.child.pid!);
  }
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await waitExit(this.child, 5000);
  }
}

/** Runs a tool pinned to CLIENT_CPU; resolves with its stdout; rejects on failure or after timeoutMs. */
export function runTool(argv: string[], timeoutMs: number): Promise<string> {
  const full = canPin() ? ['taskset', '-c', String(CLIENT_CPU), ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d.slice(0, 4096)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv[0]} did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')} exited ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

/** One measured run. */
export interface ProtocolSample {
  server: string;
  /** The row's workload, e.g. "GET -P16" or "plaintext pipelined 16". */
  test: string;
  repeat: number;
  requestsPerSec: number;
  /** Server CPU seconds / wall seconds of the run, in percent. */
  serverCpuPct: number | null;
  /**
   * Server CPU microseconds per request: what a request costs the server, meaningful even
   * when the client (or a busy machine) is what limits requests/s.
   */
  serverUsPerRequest: number | null;
}

/** Median and spread of one server in one test. */
export interface ProtocolSummary {
  server: string;
  test: string;
  repeats: number;
  requestsPerSec: { median: number; min: number; max: number };
  serverCpuPct: number | null;
  serverUsPerRequest: number | null;
  /** median / the reference server's median in the same test. */
  ratio: number | null;
}

/** What --json writes. */
export interface ProtocolReport {
  bench: string;
  startedAt: string;
  host: { cpus: string; cores: number; kernel: string; node: string; pinned: boolean };
  reference: string;
  commands: string[];
  /** Servers asked for that could not run here, with the reason the table prints. */
  skipped?: Array<{ server: string; reason: string }>;
  samples: ProtocolSample[];
  summaries: ProtocolSummary[];
}

export function hostInfo(): ProtocolReport['host'] {
  return { cpus: cpus()[0]?.model ?? 'unknown', cores: cpus().length, kernel: release(), node: process.version, pinned: canPin() };
}

/** Medians per (test, server), in first-seen order, with ratios to `reference`. */
export function summarise(samples: ProtocolSample[], reference: string): ProtocolSummary[] {
  const groups = new Map<string, ProtocolSample[]>();
  for (const s of samples) {
    const k = `${s.test}\n${s.server}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(s);
  }
  const out: ProtocolSummary[] = [];
  for (const g of groups.values()) {
    const rps = g.map((s) => s.requestsPerSec);
    const cpu = g.map((s) => s.serverCpuPct).filter((x): x is number => x !== null);
    const us = g.map((s) => s.serverUsPerRequest).filter((x): x is number => x !== null);
    out.push({
      server: g[0]!.server,
      test: g[0]!.test,
      repeats: g.length,
      requestsPerSec: { median: median(rps), min: Math.min(...rps), max: Math.max(...rps) },
      serverCpuPct: cpu.length ? median(cpu) : null,
      serverUsPerRequest: us.length ? median(us) : null,
      ratio: null,
    });
  }
  for (const s of out) {
    const ref = out.find((r) => r.test === s.test && r.server === reference);
    s.ratio = ref && ref.requestsPerSec.median > 0 ? s.requestsPerSec.median / ref.requestsPerSec.median : null;
  }
  return out;
}

/** One ASCII table, a row per (test, server). */
export function renderTable(report: ProtocolReport): string {
  const t = new Table({
    head: ['test', 'server', 'req/s', 'min..max', 'server CPU %', 'server us/req', `x ${report.reference}`],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    chars: { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
    style: { head: [], border: [] },
  });
  for (const s of report.summaries) {
    t.push([
      s.test,
      s.server,
      rate(s.requestsPerSec.median),
      `${rate(s.requestsPerSec.min)}..${rate(s.requestsPerSec.max)}`,
      s.serverCpuPct === null ? '-' : s.serverCpuPct.toFixed(0),
      s.serverUsPerRequest === null ? '-' : s.serverUsPerRequest.toFixed(2),
      s.ratio === null ? '-' : `${s.ratio.toFixed(2)}x`,
    ]);
  }
  for (const k of report.skipped ?? []) t.push(['-', k.server, { colSpan: 5, content: k.reason, hAlign: 'left' }]);
  return t.toString();
}

const COLOURS = ['#4e79a7', '#a0cbe8', '#f28e2b', '#59a14f', '#e15759', '#b07aa1'];

/** A grouped bar chart (one group per test, one bar per server, whiskers min..max) as standalone SVG. */
export function renderChart(report: ProtocolReport, title: string): string {
  const tests = [...new Set(report.summaries.map((s) => s.test))];
  const servers = [...new Set(report.summaries.map((s) => s.server))];
  const W = 960, L = 80, top = 70, H = 300, bottom = top + H;
  const max = Math.max(1, ...report.summaries.map((s) => s.requestsPerSec.max));
  const y = (v: number): number => bottom - (v / max) * H;
  const gw = (W - L - 20) / tests.length;
  const bw = Math.min(40, (gw - 20) / servers.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${bottom + 80}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${L}" y="28" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${L}" y="48" font-size="11" fill="#666">${escapeXml(`requests/s, median of ${Math.max(...report.summaries.map((s) => s.repeats))} (whiskers min..max); ratio to ${report.reference} above the bars; ${report.host.cpus}, node ${report.host.node}`)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(`<line x1="${L}" x2="${W - 20}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" fill="#666" text-anchor="end">${escapeXml(rate(v))}</text>`);
  }
  tests.forEach((test, ti) => {
    const gx = L + ti * gw + 10;
    servers.forEach((server, si) => {
      const s = report.summaries.find((x) => x.test === test && x.server === server);
      if (!s) return;
      const x = gx + si * bw;
      const h = bottom - y(s.requestsPerSec.median);
      out.push(`<rect x="${x.toFixed(1)}" y="${y(s.requestsPerSec.median).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[si % COLOURS.length]}"/>`);
      const cx = (x + (bw - 4) / 2).toFixed(1);
      out.push(`<line x1="${cx}" x2="${cx}" y1="${y(s.requestsPerSec.min).toFixed(1)}" y2="${y(s.requestsPerSec.max).toFixed(1)}" stroke="#222"/>`);
      if (s.ratio !== null) out.push(`<text x="${cx}" y="${(y(s.requestsPerSec.max) - 4).toFixed(1)}" font-size="10" text-anchor="middle">${s.ratio.toFixed(2)}</text>`);
    });
    out.push(`<text x="${(gx + (servers.length * bw) / 2).toFixed(1)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${escapeXml(test)}</text>`);
  });
  servers.forEach((server, si) => {
    const x = L + si * 160;
    out.push(`<rect x="${x}" y="${bottom + 36}" width="12" height="12" fill="${COLOURS[si % COLOURS.length]}"/>`);
    out.push(`<text x="${x + 18}" y="${bottom + 46}" font-size="12">${escapeXml(server)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Runs `fn` and returns its result with the server's CPU seconds and CPU % over the call. */
export async function withServerCpu<T>(
  server: PinnedServer,
  fn: () => Promise<T>,
): Promise<{ value: T; cpuSec: number | null; cpuPct: number | null }> {
  const c0 = server.cpuSeconds();
  const t0 = performance.now();
  const value = await fn();
  const c1 = server.cpuSeconds();
  const wall = (performance.now() - t0) / 1000;
  const cpuSec = c0 === null || c1 === null ? null : c1 - c0;
  return { value, cpuSec, cpuPct: cpuSec === null || wall <= 0 ? null : (cpuSec / wall) * 100 };
}

/**
 * Runs `fn` once per repeat against each server (in an order rotated per repeat), each started
 * fresh from `argvOf(name)` and stopped afterwards, also when `fn` throws.
 */
export async function forEachServerRun(
  servers: readonly string[],
  repeats: number,
  argvOf: (name: string) => string[],
  fn: (name: string, rep: number, server: PinnedServer) => Promise<void>,
): Promise<void> {
  for (let rep = 0; rep < repeats; rep++) {
    for (const name of rotate([...servers], rep)) {
      const server = await PinnedServer.start(argvOf(name));
      try {
        await fn(name, rep, server);
      } finally {
        await server.stop();
      }
    }
  }
}

/** Builds the report, prints its table on stdout, and writes its JSON and SVG where asked. */
export function emitReport(
  bench: string,
  reference: string,
  commands: string[],
  samples: ProtocolSample[],
  out: { json?: string; svg?: string },
  chartTitle: string,
  skipped: Array<{ server: string; reason: string }> = [],
): void {
  const report: ProtocolReport = {
    bench,
    startedAt: new Date().toISOString(),
    host: hostInfo(),
    reference,
    commands,
    skipped,
    samples,
    summaries: summarise(samples, reference),
  };
  process.stdout.write(`${renderTable(report)}\n`);
  if (out.json) writeFileSync(out.json, `${JSON.stringify(report, null, 2)}\n`);
  if (out.svg) writeFileSync(out.svg, renderChart(report, chartTitle));
}
