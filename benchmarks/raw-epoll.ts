// benchmarks/raw-epoll: speed of the raw path (Epoll.wait), with CPython's
// select.epoll and the npm `epoll` package measured in the same run.
//
//   npm run build:ts && npm run bench:raw -- [--quick] [--iterations N] [--json FILE]
//
// Setup: N eventfds (N = 100 and 1000), each written once and never read,
// registered level-triggered for EPOLLIN, so every wait(0) returns all N.
// Measured (each case warmed up, then `repeats` timed runs; median and min..max):
//   - empty:  ns per wait(0) on an epoll set with no ready fd;
//   - N:      ns per wait(0) returning N events plus a loop reading fd and events
//             of each (summed into a checksum that is verified), as ns/call,
//             ns/event and events/s. Two loops: through the accessors
//             (ep.fdAt(i) + ep.eventsAt(i), the headline figure) and straight
//             from the ep.events array;
//   - CPython: benchmarks/raw_epoll.py, the same loop with select.epoll
//             (`for fd, ev in ep.poll(0): acc += fd + ev`), run as a child;
//   - npm epoll: the same N ready fds through the `epoll` package (one JS
//             callback per event, from its watcher thread), events/s over a
//             fixed time window.
// The human-readable table goes to stdout, progress to stderr, and everything
// (all repeats, configuration, machine) to --json FILE.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EPOLLIN, Epoll, EventFd } from '../src/index.js';
import { spread as spreadOf } from './lib/stats.js';

const USAGE = `usage: node dist/benchmarks/raw-epoll.js [--quick] [--iterations N] [--json FILE]
  --quick         shorter repeats and windows (about 15 s instead of about 60 s)
  --iterations N  wait(0) calls per timed repeat (default: calibrated to a fixed duration)
  --repeats N     timed repeats per case (default 7, 5 with --quick)
  --json FILE     also write every figure (all repeats, config, machine) as JSON
  --no-python     skip the CPython comparison
  --no-npm-epoll  skip the npm epoll comparison
`;

const { values } = parseArgs({
  options: {
    iterations: { type: 'string' },
    repeats: { type: 'string' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-python': { type: 'boolean', default: false },
    'no-npm-epoll': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`raw-epoll: ${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 1) fail(`--${name} must be a positive integer, got ${text}`);
  return v;
}

const quick = values.quick;
const config = {
  sizes: [100, 1000],
  /** maxEvents of the empty-set case (the Epoll default); the N cases use maxEvents = N. */
  emptyMaxEvents: 1024,
  repeats: positiveInt('repeats', values.repeats) ?? (quick ? 5 : 7),
  /** Fixed calls per repeat, or undefined to calibrate each case to targetMs. */
  iterations: positiveInt('iterations', values.iterations),
  targetMs: quick ? 60 : 250,
  warmupMs: quick ? 100 : 300,
  /** npm epoll: a warm-up window, then `npmRepeats` measured windows of npmWindowMs. */
  npmWindowMs: quick ? 300 : 1000,
  npmWarmupMs: quick ? 100 : 300,
  npmRepeats: 3,
};

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// dist/benchmarks/raw-epoll.js is two levels below the repository root.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------
// Statistics

interface Spread {
  median: number;
  min: number;
  max: number;
  all: number[];
}

function spread(samples: number[]): Spread {
  return { ...spreadOf(samples), all: samples };
}

function scale(s: Spread, k: number): Omit<Spread, 'all'> {
  return { median: s.median * k, min: s.min * k, max: s.max * k };
}

// ---------------------------------------------------------------------------
// Our side: the loops under test. Each returns the checksum; the caller checks it.

/** wait(0), then read fd and events of each event through the accessors. */
function loopAccessors(ep: Epoll, iterations: number): number {
  let acc = 0;
  for (let k = 0; k < iterations; k++) {
    const n = ep.wait(0);
    for (let i = 0; i < n; i++) acc += ep.fdAt(i) + ep.eventsAt(i);
  }
  return acc;
}

/** wait(0), then read fd and events straight from the reused event array. */
function loopArray(ep: Epoll, iterations: number): number {
  const ev = ep.events;
  let acc = 0;
  for (let k = 0; k < iterations; k++) {
    const n = ep.wait(0);
    for (let i = 0, j = 0; i < n; i++, j += 3) acc += ev[j]! + ev[j + 1]!;
  }
  return acc;
}

type Loop = (ep: Epoll, iterations: number) => number;

function timeLoop(loop: Loop, ep: Epoll, iterations: number): { ns: number; acc: number } {
  const t0 = process.hrtime.bigint();
  const acc = loop(ep, iterations);
  return { ns: Number(process.hrtime.bigint() - t0), acc };
}

/** Warm up for about warmupMs, and return how many calls take about targetMs. */
function calibrate(loop: Loop, ep: Epoll): number {
  const warmupNs = config.warmupMs * 1e6;
  let iterations = 1;
  let spent = 0;
  for (;;) {
    const { ns } = timeLoop(loop, ep, iterations);
    spent += ns;
    if (ns >= 10e6 || (spent >= warmupNs && ns >= 1e6)) {
      const perCall = ns / iterations;
      if (spent < warmupNs) timeLoop(loop, ep, Math.max(1, Math.floor((warmupNs - spent) / perCall)));
      return Math.max(1, Math.floor((config.targetMs * 1e6) / perCall));
    }
    iterations *= 2;
  }
}

interface ReadySet {
  ep: Epoll;
  fds: EventFd[];
  /** Σ (fd + events) of one wait(0): the checksum of one call. */
  perCall: number;
  close(): void;
}

/** N eventfds, written once, never read, registered level-triggered for EPOLLIN. */
function readyEventFds(n: number): EventFd[] {
  const fds: EventFd[] = [];
  for (let i = 0; i < n; i++) {
    const efd = new EventFd({ nonBlocking: true });
    efd.write(1);
    fds.push(efd);
  }
  return fds;
}

function readySet(n: number): ReadySet {
  const ep = new Epoll({ maxEvents: n > 0 ? n : config.emptyMaxEvents });
  const fds = readyEventFds(n);
  let perCall = 0;
  for (const efd of fds) {
    ep.add(efd.fd, EPOLLIN); // level-triggered
    perCall += efd.fd + EPOLLIN;
  }
  const got = ep.wait(0);
  if (got !== n) throw new Error(`N=${n}: wait(0) returned ${got} events, expected ${n}`);
  return {
    ep,
    fds,
    perCall,
    close() {
      ep.close();
      for (const efd of fds) efd.close();
    },
  };
}

interface OurResult {
  n: number;
  loop: 'accessors' | 'array';
  maxEvents: number;
  iterations: number;
  nsPerCall: Spread;
  nsPerEvent?: Omit<Spread, 'all'>;
  eventsPerSec?: number;
  checksum: number;
}

function measureOurs(n: number, loopName: OurResult['loop']): OurResult {
  const loop = loopName === 'accessors' ? loopAccessors : loopArray;
  const set = readySet(n);
  try {
    let iterations: number;
    if (config.iterations !== undefined) {
      iterations = config.iterations;
      timeLoop(loop, set.ep, Math.max(1, iterations >> 2)); // warm-up
    } else {
      iterations = calibrate(loop, set.ep);
    }
    const perCall: number[] = [];
    let checksum = 0;
    for (let r = 0; r < config.repeats; r++) {
      const { ns, acc } = timeLoop(loop, set.ep, iterations);
      if (acc !== set.perCall * iterations) {
        throw new Error(`N=${n} (${loopName}): checksum ${acc} != expected ${set.perCall * iterations}`);
      }
      checksum = acc;
      perCall.push(ns / iterations);
    }
    const nsPerCall = spread(perCall);
    const result: OurResult = { n, loop: loopName, maxEvents: set.ep.maxEvents, iterations, nsPerCall, checksum };
    if (n > 0) {
      result.nsPerEvent = scale(nsPerCall, 1 / n);
      result.eventsPerSec = (1e9 * n) / nsPerCall.median;
    }
    log(
      `  ours     N=${String(n).padEnd(5)} ${nsPerCall.median.toFixed(1).padStart(10)} ns/call` +
        (n > 0 ? `  ${(nsPerCall.median / n).toFixed(2).padStart(7)} ns/event` : '') +
        `  (${loopName}, ${iterations} calls x ${config.repeats})`,
    );
    return result;
  } finally {
    set.close();
  }
}

// ---------------------------------------------------------------------------
// CPython: benchmarks/raw_epoll.py in a child process, after our own runs.

interface PyCase {
  n: number;
  maxEvents: number;
  iterations: number;
  nsPerCall: Spread;
  nsPerEvent?: Omit<Spread, 'all'>;
  eventsPerSec?: number;
}

interface PyReport {
  python: string;
  implementation: string;
  results: PyCase[];
}

type Skipped = { skipped: string };

function runCPython(): PyReport | Skipped {
  if (values['no-python']) return { skipped: 'disabled by --no-python' };
  const script = join(ROOT, 'benchmarks', 'raw_epoll.py');
  const args = [
    script,
    '--n',
    [0, ...config.sizes].join(','),
    '--repeats',
    String(config.repeats),
    '--target-ms',
    String(config.targetMs),
    '--warmup-ms',
    String(config.warmupMs),
    '--empty-max-events',
    String(config.emptyMaxEvents),
  ];
  if (config.iterations !== undefined) args.push('--iterations', String(config.iterations));
  log(`cpython: python3 ${args.join(' ')}`);
  const child = spawnSync('python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 });
  if (child.error) {
    const code = (child.error as NodeJS.ErrnoException).code;
    return {
      skipped:
        code === 'ENOENT'
          ? 'python3 not found on PATH (install Python 3.10+, e.g. apt-get install python3)'
          : `could not run python3: ${child.error.message}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(child.stdout);
  } catch {
    return { skipped: `python3 exited with status ${String(child.status)} without a JSON report` };
  }
  const report = parsed as Partial<PyReport> & { error?: string };
  if (report.error !== undefined) return { skipped: report.error };
  if (child.status !== 0 || !Array.isArray(report.results)) {
    return { skipped: `python3 exited with status ${String(child.status)}` };
  }
  return report as PyReport;
}

// ---------------------------------------------------------------------------
// npm `epoll`: one callback per event, handed over from its watcher thread.

interface NpmEpollInstance {
  add(fd: number, events: number): NpmEpollInstance;
  remove(fd: number): NpmEpollInstance;
  close(): void;
}

interface NpmEpollModule {
  Epoll: {
    new (callback: (err: Error | null, fd: number, events: number) => void): NpmEpollInstance;
    readonly EPOLLIN: number;
  };
}

interface NpmResult {
  n: number;
  windowMs: number;
  eventsPerSec: Spread;
  events: number;
  errors: number;
}

function loadNpmEpoll(): NpmEpollModule | Skipped {
  if (values['no-npm-epoll']) return { skipped: 'disabled by --no-npm-epoll' };
  const require = createRequire(import.meta.url);
  try {
    const mod = require('epoll') as NpmEpollModule;
    if (typeof mod.Epoll !== 'function') return { skipped: 'the npm epoll package loaded but has no Epoll (not Linux?)' };
    return mod;
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return {
      skipped:
        `the npm epoll package is not available (${first}). It is a devDependency of this ` +
        'repository, never installed for users of the package: in a clone, `npm install` installs and builds it ' +
        '(node-gyp; needs python3, make, g++); if its build failed or scripts were skipped, run `npm rebuild epoll`; ' +
        'from an installed epoll-reactor, `npm install --no-save epoll`.',
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureNpmEpoll(mod: NpmEpollModule, n: number): Promise<NpmResult> {
  const fds = readyEventFds(n);
  let count = 0;
  let errors = 0;
  const epoll = new mod.Epoll((err) => {
    if (err) errors++;
    else count++;
  });
  try {
    for (const efd of fds) epoll.add(efd.fd, mod.Epoll.EPOLLIN); // level-triggered
    await sleep(config.npmWarmupMs);
    const rates: number[] = [];
    let total = 0;
    for (let r = 0; r < config.npmRepeats; r++) {
      count = 0;
      const t0 = process.hrtime.bigint();
      await sleep(config.npmWindowMs);
      const got = count;
      const ns = Number(process.hrtime.bigint() - t0);
      total += got;
      rates.push((1e9 * got) / ns);
    }
    const eventsPerSec = spread(rates);
    log(
      `  npm epoll N=${String(n).padEnd(5)} ${eventsPerSec.median.toFixed(0).padStart(10)} events/s` +
        `  (${config.npmRepeats} windows of ${config.npmWindowMs} ms)`,
    );
    if (total === 0) throw new Error(`npm epoll delivered no event for N=${n}`);
    return { n, windowMs: config.npmWindowMs, eventsPerSec, events: total, errors };
  } finally {
    epoll.close(); // removes every fd from its (process-wide) epoll set
    for (const efd of fds) efd.close();
  }
}

// ---------------------------------------------------------------------------
// Output

const fmt = (x: number, digits: number): string => x.toFixed(digits);
const range = (s: { min: number; max: number }, digits: number): string => `${fmt(s.min, digits)}..${fmt(s.max, digits)}`;
const rate = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  log(`raw-epoll: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), Linux ${release()}`);
  log(`ours (Epoll.wait(0) through the addon):`);
  const ours: OurResult[] = [measureOurs(0, 'accessors')];
  for (const n of config.sizes) {
    ours.push(measureOurs(n, 'accessors'));
    ours.push(measureOurs(n, 'array'));
  }

  const py = runCPython();
  if ('skipped' in py) log(`cpython: SKIPPED: ${py.skipped}`);

  const npmMod = loadNpmEpoll();
  let npm: NpmResult[] | Skipped;
  if ('skipped' in npmMod) {
    npm = npmMod;
    log(`npm epoll: SKIPPED: ${npmMod.skipped}`);
  } else {
    log('npm epoll (one callback per event from its watcher thread):');
    npm = [];
    for (const n of config.sizes) npm.push(await measureNpmEpoll(npmMod, n));
  }

  // --- the table ------------------------------------------------------------
  const pyFor = (n: number): PyCase | undefined => ('skipped' in py ? undefined : py.results.find((c) => c.n === n));
  const npmFor = (n: number): NpmResult | undefined => ('skipped' in npm ? undefined : npm.find((c) => c.n === n));
  const median = `median of ${config.repeats}, min..max`;
  const rows: string[][] = [];
  for (const r of ours) {
    rows.push([
      r.n === 0 ? 'ours: wait(0), empty set' : `ours: N=${r.n}, ${r.loop === 'accessors' ? 'fdAt/eventsAt' : 'events[] array'}`,
      fmt(r.nsPerCall.median, 1),
      range(r.nsPerCall, 1),
      r.nsPerEvent ? fmt(r.nsPerEvent.median, 2) : '-',
      r.nsPerEvent ? range(r.nsPerEvent, 2) : '-',
      r.eventsPerSec ? rate(r.eventsPerSec) : '-',
    ]);
  }
  for (const n of [0, ...config.sizes]) {
    const c = pyFor(n);
    if (!c) continue;
    rows.push([
      n === 0 ? 'CPython: poll(0), empty set' : `CPython: N=${n}`,
      fmt(c.nsPerCall.median, 1),
      range(c.nsPerCall, 1),
      c.nsPerEvent ? fmt(c.nsPerEvent.median, 2) : '-',
      c.nsPerEvent ? range(c.nsPerEvent, 2) : '-',
      c.eventsPerSec ? rate(c.eventsPerSec) : '-',
    ]);
  }
  for (const n of config.sizes) {
    const c = npmFor(n);
    if (!c) continue;
    const nsPerEvent = 1e9 / c.eventsPerSec.median;
    rows.push([
      `npm epoll: N=${n}, callbacks`,
      '-',
      '-',
      fmt(nsPerEvent, 1),
      `${fmt(1e9 / c.eventsPerSec.max, 1)}..${fmt(1e9 / c.eventsPerSec.min, 1)}`,
      rate(c.eventsPerSec.median),
    ]);
  }
  const out: string[] = [];
  out.push(`raw epoll path, ${median}; node ${process.version}` + ('skipped' in py ? '' : `, CPython ${py.python}`));
  out.push(table(['case', 'ns/call', 'min..max', 'ns/event', 'min..max', 'events/s'], rows));

  // --- ratios and targets ---------------------------------------------------
  interface Ratio {
    n: number;
    vsCPython?: number;
    vsNpmEpoll?: number;
  }
  const ratios: Ratio[] = [];
  const ratioRows: string[][] = [];
  for (const n of config.sizes) {
    const mine = ours.find((r) => r.n === n && r.loop === 'accessors')!;
    const c = pyFor(n);
    const e = npmFor(n);
    const ratio: Ratio = { n };
    if (c?.nsPerEvent && mine.nsPerEvent) ratio.vsCPython = c.nsPerEvent.median / mine.nsPerEvent.median;
    if (e && mine.eventsPerSec) ratio.vsNpmEpoll = mine.eventsPerSec / e.eventsPerSec.median;
    ratios.push(ratio);
    ratioRows.push([
      `N=${n}`,
      ratio.vsCPython === undefined ? 'skipped' : `${fmt(ratio.vsCPython, 2)}x ${ratio.vsCPython > 1 ? 'MET' : 'NOT MET'}`,
      ratio.vsNpmEpoll === undefined ? 'skipped' : `${fmt(ratio.vsNpmEpoll, 0)}x ${ratio.vsNpmEpoll >= 50 ? 'MET' : 'NOT MET'}`,
    ]);
  }
  out.push('');
  out.push('ours (fdAt/eventsAt loop) against the others, by median:');
  out.push(
    table(['', 'per event vs CPython (target > 1x)', 'events/s vs npm epoll (target >= 50x)'], ratioRows),
  );
  if ('skipped' in py) out.push(`CPython column skipped: ${py.skipped}`);
  if ('skipped' in npm) out.push(`npm epoll column skipped: ${npm.skipped}`);
  process.stdout.write(`${out.join('\n')}\n`);

  if (values.json !== undefined) {
    const report = {
      benchmark: 'raw-epoll',
      date: new Date().toISOString(),
      durationMs: Date.now() - started,
      machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, kernel: release() },
      config,
      ours,
      cpython: py,
      npmEpoll: npm,
      ratios,
    };
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`raw-epoll: wrote ${values.json}`);
  }
  log(`raw-epoll: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`raw-epoll: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
