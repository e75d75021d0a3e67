// The soak run: one soak server process per configuration (LT/ET x integrated/
// exclusive), all under load at once for the whole run — a churning client per
// server (benchmarks/soak/client.ts) plus fault rounds (faults.ts) — while each
// server samples itself (service.ts). Afterwards: every client session must have
// finished clean, every server must be back to its baseline fd count with no
// connection left, exit 0 on SIGTERM; and the samples of the steady part of the
// run (after the first quarter) give the slopes of RSS, JS heap, ArrayBuffers and
// fds: a leak shows as a slope, not as a snapshot.
import { spawn, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../lib/procmem.js';
import { SoakClient, type SoakCounts } from './client.js';
import { FaultInjector, type FaultCounts } from './faults.js';
import type { SoakSample } from './service.js';
import { linearFit } from './slope.js';

export interface SoakConfig {
  mode: 'lt' | 'et';
  driver: 'integrated' | 'exclusive';
}

export interface SoakOptions {
  durationSec: number;
  configs: SoakConfig[];
  /** Client sessions open at once per server. */
  concurrency: number;
  idleTimeoutMs: number;
  highWaterMark: number;
  sampleMs: number;
  faultEveryMs: number;
  log: (line: string) => void;
}

export interface Trend {
  /** Least-squares slope per minute over the steady part of the run. */
  perMinute: number;
  first: number;
  last: number;
  min: number;
  max: number;
}

export interface SoakServerResult {
  name: string;
  samples: SoakSample[];
  client: SoakCounts;
  rss: Trend;
  heapUsed: Trend;
  arrayBuffers: Trend;
  fds: Trend;
  lagMaxMs: number;
  baselineFds: number;
  finalFds: number;
  finalConns: number;
  exitCode: number | null;
  closedIdle: number;
  closedError: number;
  stderr: string;
}

export interface SoakResult {
  durationSec: number;
  servers: SoakServerResult[];
  faults: FaultCounts;
  errors: number;
  lostBytes: number;
}

interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
  samples: SoakSample[];
  stderr: string;
}

/** The compiled server script: next to this file in dist/, or in dist/ when this runs from source (tests). */
function serverScript(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const compiled = basename(fileURLToPath(import.meta.url)).endsWith('.js');
  return compiled ? join(here, 'server.js') : join(here, '..', '..', 'dist', 'benchmarks', 'soak', 'server.js');
}

function startServer(c: SoakConfig, o: SoakOptions): Promise<Proc> {
  const script = serverScript();
  const args = ['--expose-gc', script, '--mode', c.mode, '--driver', c.driver];
  args.push('--idle-timeout', String(o.idleTimeoutMs), '--hwm', String(o.highWaterMark), '--sample-ms', String(o.sampleMs));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name: `${c.mode}-${c.driver}`, child, port: 0, samples: [], stderr: '' };
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (proc.stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`soak server ${proc.name} did not listen in 15 s: ${proc.stderr}`));
    }, 15_000);
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^listening on \S+:(\d+)$/.exec(line);
        if (m) {
          proc.port = Number(m[1]);
          clearTimeout(timer);
          resolve(proc);
        } else if (line.startsWith('{')) {
          proc.samples.push((JSON.parse(line) as { sample: SoakSample }).sample);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`soak server ${proc.name} exited (${code}): ${proc.stderr}`));
    });
  });
}

function stopServer(p: Proc): Promise<number | null> {
  if (p.child.exitCode !== null) return Promise.resolve(p.child.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
    p.child.removeAllListeners('exit');
    p.child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    p.child.kill('SIGTERM');
  });
}

function trend(samples: SoakSample[], key: 'rss' | 'heapUsed' | 'arrayBuffers' | 'fds'): Trend {
  const xs = samples.map((s) => s.t / 60_000);
  const ys = samples.map((s) => s[key]);
  return {
    perMinute: ys.length >= 2 ? linearFit(xs, ys).slope : 0,
    first: ys[0] ?? NaN,
    last: ys[ys.length - 1] ?? NaN,
    min: Math.min(...ys),
    max: Math.max(...ys),
  };
}

async function nextSample(p: Proc, timeoutMs: number): Promise<SoakSample> {
  const n = p.samples.length;
  const deadline = Date.now() + timeoutMs;
  while (p.samples.length === n) {
    if (Date.now() > deadline) throw new Error(`soak server ${p.name}: no sample in ${timeoutMs} ms`);
    await sleep(50);
  }
  return p.samples[p.samples.length - 1]!;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const procs: Proc[] = [];
  try {
    for (const c of o.configs) procs.push(await startServer(c, o));
    // Baseline: each server's first sample, before any load.
    const baseline = await Promise.all(procs.map((p) => nextSample(p, o.sampleMs * 3 + 5000)));
    o.log(`[soak] ${procs.map((p) => `${p.name} on :${p.port}`).join(', ')}; ${o.durationSec} s of load`);
    const clients = procs.map(
      (p) => new SoakClient({ host: '127.0.0.1', port: p.port, concurrency: o.concurrency, idleTimeoutMs: o.idleTimeoutMs }),
    );
    const started = performance.now();
    for (const c of clients) c.start();
    const faults = new FaultInjector(
      procs.map((p) => p.port),
      o.faultEveryMs,
    );
    const progress = setInterval(() => {
      const s = procs.map((p) => {
        const last = p.samples[p.samples.length - 1];
        return last ? `${p.name} ${(last.rss / 1048576).toFixed(0)} MiB ${last.fds} fds` : p.name;
      });
      const sessions = clients.reduce((a, c) => a + Object.values(c.counts.sessions).reduce((x, y) => x + y, 0), 0);
      o.log(`[soak] ${((performance.now() - started) / 1000).toFixed(0)} s: ${sessions} sessions; ${s.join('; ')}`);
    }, Math.max(10_000, o.durationSec * 100));
    await sleep(o.durationSec * 1000);
    clearInterval(progress);
    const loadEnd = procs.map((p) => p.samples.length);
    await faults.stop();
    await Promise.all(clients.map((c) => c.stop()));

    // Settle: every server gives back every fd it took during the run.
    const settleDeadline = Date.now() + 20_000;
    for (const [i, p] of procs.entries()) {
      for (;;) {
        const s = await nextSample(p, o.sampleMs * 3 + 5000);
        if ((s.conns === 0 && s.fds <= baseline[i]!.fds) || Date.now() > settleDeadline) break;
      }
    }
    const servers: SoakServerResult[] = [];
    for (const [i, p] of procs.entries()) {
      const last = p.samples[p.samples.length - 1]!;
      // Steady part: skip the first quarter of the loaded samples (JIT, pools and tables growing).
      const loaded = p.samples.slice(1, loadEnd[i]);
      const steady = loaded.slice(Math.floor(loaded.length / 4));
      servers.push({
        name: p.name,
        samples: p.samples,
        client: clients[i]!.counts,
        rss: trend(steady, 'rss'),
        heapUsed: trend(steady, 'heapUsed'),
        arrayBuffers: trend(steady, 'arrayBuffers'),
        fds: trend(steady, 'fds'),
        lagMaxMs: Math.max(...loaded.map((s) => s.lagMaxMs)),
        baselineFds: baseline[i]!.fds,
        finalFds: last.fds,
        finalConns: last.conns,
        exitCode: null,
        closedIdle: last.closedIdle,
        closedError: last.closedError,
        stderr: '',
      });
    }
    for (const [i, p] of procs.entries()) {
      servers[i]!.exitCode = await stopServer(p);
      servers[i]!.stderr = p.stderr;
    }
    procs.length = 0;
    const errors = servers.reduce(
      (a, s) => a + s.client.errors + (s.exitCode === 0 ? 0 : 1) + (s.finalFds > s.baselineFds || s.finalConns > 0 ? 1 : 0),
      0,
    );
    return {
      durationSec: (performance.now() - started) / 1000,
      servers,
      faults: faults.counts,
      errors,
      lostBytes: servers.reduce((a, s) => a + s.client.lostBytes, 0),
    };
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
  }
}
