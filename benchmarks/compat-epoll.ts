// benchmarks/compat-epoll: events/s of epoll-reactor/compat against the npm
// `epoll` package it replaces, on the same fds, in the original's own
// performance-check scenario (its test/performance-check.js):
//
//   node dist/benchmarks/compat-epoll.js [--seconds S] [--repeats N] [--fds 1,100] [--no-pin] [--json FILE]
//
// Scenario: a callback that only counts, `add(fd, EPOLLIN)` level-triggered on
// fds that stay readable (never read), for S seconds; events/s = count / time.
//   fds=1:   stdin, a pipe holding one newline — exactly `echo | node performance-check`;
//   fds=N>1: N eventfds written once and never read, all ready on every wake-up.
// Each (implementation, fds) run is a fresh node process; implementations
// alternate within each repeat, so drift hits both alike. Pinned to CPU 0 with
// taskset when available (the original's helper thread then shares the CPU with
// the main thread, as on a one-core board); --no-pin lets it roam.
// The npm `epoll` package is a devDependency of this repository; when it is
// missing the script says how to install it and exits 2.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: node dist/benchmarks/compat-epoll.js [--seconds S] [--repeats N] [--fds 1,100] [--no-pin] [--json FILE]
  --seconds S   measured window per run (default 1, as the original's performance-check)
  --repeats N   runs per implementation and fd count (default 3)
  --fds LIST    ready fds per run, comma-separated (default 1,100; 1 = stdin pipe)
  --no-pin      do not pin the child processes to CPU 0
  --json FILE   also write every run as JSON
`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    fds: { type: 'string', default: '1,100' },
    'no-pin': { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const seconds = Number(values.seconds);
const repeats = Number(values.repeats);
const fdCounts = values.fds.split(',').map(Number);
if (!(seconds > 0) || !(repeats >= 1) || fdCounts.some((n) => !(Number.isInteger(n) && n >= 1))) {
  process.stderr.write(USAGE);
  process.exit(1);
}

const require = createRequire(import.meta.url);
let originalPath: string;
try {
  originalPath = require.resolve('epoll');
  require('epoll');
} catch (err) {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  process.stderr.write(
    `compat-epoll: the npm epoll package is not available (${first}).\n` +
      'It is a devDependency of this repository (never installed for users of the package): in a clone,\n' +
      '`npm install` installs and builds it (node-gyp; needs python3, make, g++), or `npm rebuild epoll`\n' +
      'if its install script was skipped; from an installed epoll-reactor: `npm install --no-save epoll`.\n',
  );
  process.exit(2);
}

const IMPLS = {
  'npm epoll': originalPath,
  'epoll-reactor/compat': fileURLToPath(new URL('../src/compat/index.cjs', import.meta.url)),
} as const;
type Impl = keyof typeof IMPLS;
const MAIN = fileURLToPath(new URL('../src/index.cjs', import.meta.url));

/** The original's performance-check, parameterised by the module and the fds. */
function program(module: string, fds: number, ms: number): string {
  return `
const { Epoll } = require(${JSON.stringify(module)});
const { EventFd } = require(${JSON.stringify(MAIN)});
const fds = ${fds} === 1 ? [0] : Array.from({ length: ${fds} }, () => new EventFd({ initval: 1 }).fd);
let count = 0, errors = 0;
const epoll = new Epoll((err) => { if (err) errors += 1; else count += 1; });
setTimeout(() => {
  const t = process.hrtime(time);
  const rate = count / (t[0] + t[1] / 1e9);
  for (const fd of fds) epoll.remove(fd);
  epoll.close();
  console.log(JSON.stringify({ rate, count, errors }));
  process.exit(0);
}, ${ms});
for (const fd of fds) epoll.add(fd, Epoll.EPOLLIN);
let time = process.hrtime();
`;
}

interface Run {
  impl: Impl;
  fds: number;
  repeat: number;
  rate: number;
  count: number;
  errors: number;
}

const pin = !values['no-pin'] && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const runs: Run[] = [];
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const fds of fdCounts) {
    const order = (Object.keys(IMPLS) as Impl[])[repeat % 2 === 0 ? 'slice' : 'reverse']();
    for (const impl of order) {
      const args = [process.execPath, '-e', program(IMPLS[impl], fds, seconds * 1000)];
      const cmd = pin ? ['taskset', '-c', '0', ...args] : args;
      const r = spawnSync(cmd[0]!, cmd.slice(1), { input: '\n', encoding: 'utf8', timeout: seconds * 1000 + 20_000 });
      if (r.status !== 0) throw new Error(`${impl} fds=${fds} failed (${r.status ?? r.signal}): ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { rate: number; count: number; errors: number };
      if (out.count === 0) throw new Error(`${impl} fds=${fds} delivered no event`);
      runs.push({ impl, fds, repeat, ...out });
      process.stderr.write(`  ${impl.padEnd(21)} fds=${String(fds).padEnd(4)} ${Math.round(out.rate).toString().padStart(9)} events/s\n`);
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

console.log(`events/s, median of ${repeats} (min..max), ${seconds} s windows, ${pin ? 'pinned to CPU 0' : 'unpinned'}`);
console.log('| ready fds | npm epoll | epoll-reactor/compat | ratio |');
console.log('|---|---|---|---|');
const summary = fdCounts.map((fds) => {
  const of = (impl: Impl) => runs.filter((r) => r.impl === impl && r.fds === fds).map((r) => r.rate);
  const a = of('npm epoll');
  const b = of('epoll-reactor/compat');
  const ratio = median(b) / median(a);
  const cell = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
  console.log(`| ${fds === 1 ? '1 (stdin pipe)' : fds} | ${cell(a)} | ${cell(b)} | ${ratio.toFixed(1)}× |`);
  return { fds, npmEpoll: median(a), compat: median(b), ratio };
});

if (values.json) {
  writeFileSync(
    values.json,
    JSON.stringify({ benchmark: 'compat-epoll', seconds, repeats, pinned: pin, machine: { cpus: cpus().length, kernel: release(), node: process.version }, summary, runs }, null, 2),
  );
}
