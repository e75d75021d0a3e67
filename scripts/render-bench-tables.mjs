#!/usr/bin/env node
// Writes the benchmark tables of README.md and docs/ from the committed JSON of each
// benchmark's current run, between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers, so
// no figure in the docs is typed by hand; and the error-code table from the catalogue in
// src/errors.ts (`ErrorCodes`: code → meaning). `--check` writes nothing and exits 1
// (naming the stale table) when a file differs from what the JSON gives — test/docs.test.ts
// runs it. Which JSON is "current" is decided here, in CURRENT.
//
//   node scripts/render-bench-tables.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path) => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8'));

/** The current run of each benchmark (older runs live under docs/bench/archive/). */
export const CURRENT = {
  echo: 'docs/bench/echo-2026-12-06.json',
  resp: 'docs/bench/issue13/resp-quiet.json',
  http: 'docs/bench/issue13/http.json',
  compat: ['docs/bench/compat.json', 'docs/bench/compat-unpinned.json'],
  raw: 'docs/bench/raw.json',
  // its JSON has no date of its own: the day it was committed
  scaling: { file: 'docs/bench/scaling.json', date: '2026-12-01' },
  // the study's third column: one bench run (integrated driver), an exclusive-driver run of the
  // reactor rows (optional), and idle-memory
  uring: {
    run: 'docs/bench/echo-2026-12-06.json',
    exclusive: 'docs/bench/uring-reactor-exclusive-2026-12-06.json',
    idle: 'docs/bench/uring-reactor-idle-2026-12-06.json',
  },
};

const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
const ratio = (x) => `${x.toFixed(2)}x`;
const day = (iso) => iso.slice(0, 10);
const machine = (h) => `${h.cpus}, ${h.cores} cores, Linux ${h.kernel.replace(/-.*/, '')}, Node ${h.node.replace(/^v/, '')}`;
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function find(summaries, pred, what) {
  const s = summaries.find(pred);
  if (!s) throw new Error(`render-bench-tables: no summary for ${what}`);
  return s;
}

function echoTable() {
  const r = read(CURRENT.echo);
  const rows = r.summaries
    .filter((s) => s.config !== 'fairness')
    .map((s) => [s.config, s.server, `${rate(s.msgsPerSec.median)} (${rate(s.msgsPerSec.min)}..${rate(s.msgsPerSec.max)})`, `${s.p99Us.toFixed(0)}`, `${s.cpuPct.toFixed(0)}`, ratio(s.ratioToCEt)]);
  const fair = r.summaries.filter((s) => s.config === 'fairness' && s.light).map((s) => `${s.server} ${(s.light.p99Us / 1000).toFixed(1)} ms`);
  return [
    `Measured ${day(r.startedAt)} on ${machine(r.host)}; server pinned to CPU 0, load generator to CPU 1; median (min..max) of ${r.method.repeats} repeats of ${r.method.durationSec} s. JSON: [${CURRENT.echo.replace('docs/', '')}](${CURRENT.echo.replace('docs/', '')}).`,
    '',
    table(['config', 'server', 'msgs/s', 'p99 µs', 'server CPU %', 'x c-et'], rows),
    '',
    `Fairness (one flooding connection beside 100 light ones), light connections' p99: ${fair.join(', ')}.`,
  ].join('\n');
}

function protocolTable(name, tool) {
  const r = read(CURRENT[name]);
  const servers = [...new Set(r.summaries.map((s) => s.server))];
  const tests = [...new Set(r.summaries.map((s) => s.test))];
  const rows = tests.map((t) => [
    t,
    ...servers.map((sv) => {
      const s = find(r.summaries, (x) => x.server === sv && x.test === t, `${name} ${sv} ${t}`);
      return sv === r.reference ? rate(s.requestsPerSec.median) : `${rate(s.requestsPerSec.median)} (${ratio(s.ratio)})`;
    }),
  ]);
  return [
    `Measured ${day(r.startedAt)} on ${machine(r.host)}, ${tool}; medians of ${Math.max(...r.summaries.map((s) => s.repeats))} repeats, (ratio to ${r.reference} in the same run). JSON: [${CURRENT[name].replace('docs/', '')}](${CURRENT[name].replace('docs/', '')}).`,
    '',
    table([`${name} req/s`, ...servers], rows),
  ].join('\n');
}

function headline() {
  const e = read(CURRENT.echo);
  const resp = read(CURRENT.resp);
  const http = read(CURRENT.http);
  const best = (config, servers) => servers.map((sv) => find(e.summaries, (s) => s.config === config && s.server === sv, `${config} ${sv}`)).sort((a, b) => b.msgsPerSec.median - a.msgsPerSec.median)[0];
  const row = (label, ours, theirs, unit) => [label, `${ours.server} ${rate(ours.value)}${unit}`, `${theirs.server} ${rate(theirs.value)}${unit}`, ratio(ours.value / theirs.value)];
  const echoRow = (config, label) => {
    const o = best(config, ['reactor-lt', 'reactor-et']);
    const c = best(config, ['c-lt', 'c-et']);
    return row(label, { server: o.server, value: o.msgsPerSec.median }, { server: c.server, value: c.msgsPerSec.median }, ' msgs/s');
  };
  const proto = (r, test, label) => {
    const ours = r.summaries.filter((s) => s.test === test && s.server !== r.reference).sort((a, b) => b.requestsPerSec.median - a.requestsPerSec.median)[0];
    const ref = find(r.summaries, (s) => s.test === test && s.server === r.reference, `${r.reference} ${test}`);
    return row(label, { server: ours.server, value: ours.requestsPerSec.median }, { server: ref.server, value: ref.requestsPerSec.median }, ' req/s');
  };
  // Each run says when and where it was measured: the runs may come from different days and VMs.
  const runs = [['echo', e], ['redis-benchmark', resp], ['wrk', http]];
  const groups = new Map();
  for (const [name, r] of runs) {
    const key = `${day(r.startedAt)} on ${machine(r.host)}`;
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  const where = groups.size === 1 ? `Measured ${[...groups.keys()][0]}` : `Measured: ${[...groups].map(([key, names]) => `${names.join(', ')} ${key}`).join('; ')}`;
  return [
    table(['benchmark', 'epoll-reactor (best mode)', 'reference', 'ratio'], [
      echoRow('A0', 'echo, 1 connection, 64 B'),
      echoRow('D', 'echo, 8 connections, 16 KiB'),
      proto(resp, 'SET -P16', 'redis-benchmark SET -P16'),
      proto(resp, 'GET -P16', 'redis-benchmark GET -P16'),
      proto(http, 'plaintext keep-alive', 'wrk GET /plaintext, keep-alive'),
    ]),
    '',
    `${where}; server and load generator each pinned to one CPU.`,
  ].join('\n');
}

function compatTable() {
  const rows = [];
  let repeats = 0;
  let seconds = 0;
  for (const path of CURRENT.compat) {
    const r = read(path);
    repeats = r.repeats;
    seconds = r.seconds;
    for (const s of r.summary) {
      const runs = (impl) => r.runs.filter((x) => x.fds === s.fds && x.impl === impl).map((x) => x.rate);
      const span = (xs) => `${rate(Math.min(...xs))}–${rate(Math.max(...xs))}`;
      const what = s.fds === 1 ? '1 (a stdin pipe, as `echo \\| node performance-check`)' : `${s.fds} eventfds`;
      rows.push([`${what}, ${r.pinned ? 'pinned to one CPU' : 'unpinned'}`, `${rate(s.npmEpoll)} (${span(runs('npm epoll'))})`, `${rate(s.compat)} (${span(runs('epoll-reactor/compat'))})`, `**${s.ratio.toFixed(1)}×**`]);
    }
  }
  const m = read(CURRENT.compat[0]).machine;
  return [
    `Events/s, median (min–max) of ${repeats} runs of ${seconds} s each, both implementations in the same run, on a ${m.cpus}-CPU machine (Linux ${m.kernel.replace(/-.*/, '')}, Node ${m.node.replace(/^v/, '')}); \`npm run bench:compat -- --repeats ${repeats}\` (add \`--no-pin\` for the unpinned rows). JSON: ${CURRENT.compat.map((p) => `[${p.replace('docs/', '')}](${p.replace('docs/', '')})`).join(', ')}.`,
    '',
    table(['ready fds', 'npm `epoll`', '`epoll-reactor/compat`', 'ratio'], rows),
  ].join('\n');
}

function rawTable() {
  const r = read(CURRENT.raw);
  const ours = (n) => find(r.ours, (x) => x.n === n && x.loop === 'accessors', `raw ours n=${n}`);
  const py = (n) => find(r.cpython.results, (x) => x.n === n, `raw cpython n=${n}`);
  const sizes = r.config.sizes;
  const perEvent = (x, n) => (x.nsPerEvent ? x.nsPerEvent.median : x.nsPerCall.median / n).toFixed(0);
  const head = ['', 'ns per `wait(0)`, empty set', ...sizes.map((n) => `ns per event, N=${n}`)];
  const rows = [
    ['`Epoll.wait` + `fdAt`/`eventsAt`', ours(0).nsPerCall.median.toFixed(0), ...sizes.map((n) => perEvent(ours(n), n))],
    [`${r.cpython.implementation} ${r.cpython.python.replace(/\.\d+$/, '')} \`select.epoll().poll(0)\``, py(0).nsPerCall.median.toFixed(0), ...sizes.map((n) => perEvent(py(n), n))],
  ];
  const span = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  const npm = r.npmEpoll.map((x) => x.eventsPerSec.median);
  return [
    `Measured ${day(r.date)} on ${r.machine.cpuModel}, ${r.machine.cpus} cores, Linux ${r.machine.kernel.replace(/-.*/, '')}, Node ${r.machine.node.replace(/^v/, '')}, pinned to one CPU; median of ${r.config.repeats}. JSON: [${CURRENT.raw.replace('docs/', '')}](${CURRENT.raw.replace('docs/', '')}).`,
    '',
    table(head, rows),
    '',
    `Per event, \`Epoll.wait\` is ${span(r.ratios.map((x) => x.vsCPython))}× as fast as CPython's. The npm \`epoll\` package (one JS callback per event from its watcher thread) delivered ${rate(Math.min(...npm))}–${rate(Math.max(...npm))} events/s on the same ready fds: \`Epoll.wait\` delivers ${span(r.ratios.map((x) => x.vsNpmEpoll)).replace(/\.\d\d/g, '')}× as many.`,
  ].join('\n');
}

function scalingTable() {
  const r = read(CURRENT.scaling.file);
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const kRate = (x) => `${Math.round(x / 1000)}k`;
  const NAMES = { 'reactor-reuseport': 'reactor', 'reactor-handoff': 'reactor-handoff', c: 'C server', 'node-cluster': 'node-cluster' };
  const keys = [...new Set(r.samples.map((s) => `${s.family}|${s.n}`))];
  const configs = [...new Set(r.samples.map((s) => s.config))];
  const stat = (family, n, config) => {
    const xs = r.samples.filter((s) => s.family === family && s.n === n && s.config === config).map((s) => s.msgsPerSec);
    return xs.length ? { med: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : null;
  };
  const rows = keys.map((k) => {
    const [family, nText] = k.split('|');
    const n = Number(nText);
    const label = n === 1 && family === 'reactor-reuseport' ? 'reactor (1 loop)' : `${NAMES[family] ?? family}${family.startsWith('reactor') && n > 1 ? ` (${family.slice(8)})` : ''}`;
    const cells = configs.flatMap((c) => {
      const x = stat(family, n, c);
      const one = stat(family.startsWith('reactor') ? 'reactor-reuseport' : family, 1, c);
      return x ? [`${kRate(x.med)} (${kRate(x.min)}..${kRate(x.max)})`, one ? (x.med / one.med).toFixed(2) : '—'] : ['—', '—'];
    });
    return [label.replace('reactor (reuseport)', 'reactor-reuseport').replace('reactor-handoff (handoff)', 'reactor-handoff'), String(n), ...cells];
  });
  return [
    `Measured ${CURRENT.scaling.date} on a 2-core machine, mode ${r.mode.toUpperCase()}, ${r.method.repeats} repeats of ${r.method.durationSec} s, nothing pinned: ${r.note}. JSON: [${CURRENT.scaling.file.replace('docs/', '')}](${CURRENT.scaling.file.replace('docs/', '')}).`,
    '',
    table(['server', 'n', ...configs.flatMap((c) => [`${c} msgs/s (min..max)`, `${c} ×n=1`])], rows),
  ].join('\n');
}

/** The error-code table: every entry of ErrorCodes in src/errors.ts, with its section comment. */
function errorsTable() {
  const src = readFileSync(`${ROOT}src/errors.ts`, 'utf8');
  const body = /export const ErrorCodes = Object\.freeze\(\{([\s\S]*?)\n\}/.exec(src)?.[1];
  if (!body) throw new Error('render-bench-tables: ErrorCodes not found in src/errors.ts');
  const rows = [];
  let section = '';
  for (const line of body.split('\n')) {
    const heading = /^\s*\/\/ (.*?)\.?$/.exec(line);
    if (heading) section = heading[1].replace(/ \(.*\)$/, '');
    const m = /^\s*(ERR_[A-Z0-9_]+): (['"])(.*)\2,?$/.exec(line);
    if (m) rows.push([`\`${m[1]}\``, section, m[3].replace(/\\'/g, "'").replace(/\|/g, '\\|')]);
  }
  if (rows.length < 10) throw new Error(`render-bench-tables: only ${rows.length} codes parsed from src/errors.ts`);
  return table(['code', 'area', 'meaning'], rows);
}

/** The order of the io_uring study's columns (those in the run). */
const URING_SERVERS = ['c-lt', 'c-et', 'c-uring', 'reactor-lt', 'reactor-et', 'reactor-uring', 'raw-uring'];

function uringTable() {
  const r = read(CURRENT.uring.run);
  const idle = read(CURRENT.uring.idle);
  const servers = URING_SERVERS.filter((sv) => r.summaries.some((s) => s.server === sv));
  const get = (config, server) => r.summaries.find((s) => s.config === config && s.server === server);
  const configs = r.configs.filter((c) => c.name !== 'fairness');
  const cell = (s) => (s ? `${rate(s.msgsPerSec.median)} · ${s.syscallsPerMsg === null ? '-' : s.syscallsPerMsg < 0.1 ? s.syscallsPerMsg.toFixed(3) : s.syscallsPerMsg.toFixed(2)}` : '-');
  const label = (c) => `${c.name} ${c.label}`;
  const rows = configs.map((c) => [label(c), ...servers.map((sv) => cell(get(c.name, sv)))]);
  const a0 = servers.map((sv) => get('A0', sv)).map((s) => (s ? `${s.p50Us.toFixed(1)} / ${s.p99Us.toFixed(0)}` : '-'));
  const fair = servers.map((sv) => get('fairness', sv)).map((s) => (s?.light ? (s.light.p99Us / 1000).toFixed(1) : '-'));
  const mem = (key) => servers.map((sv) => idle.find((x) => x.server === sv)).map((x) => (x ? `${Math.round(x[key])} B` : '-'));
  const lines = [
    `Measured ${day(r.startedAt)} on ${machine(r.host)}; server on CPU 0, load generator on CPU 1 (A0: both on CPU 0); median of ${r.method.repeats} repeats of ${r.method.durationSec} s after ${r.method.warmupSec} s of warm-up; reactor rows with the ${r.method.driver ?? 'integrated'} driver. JSON: [${CURRENT.uring.run.replace('docs/', '')}](${CURRENT.uring.run.replace('docs/', '')}), [${CURRENT.uring.idle.replace('docs/', '')}](${CURRENT.uring.idle.replace('docs/', '')}).`,
    '',
    table(['msgs/s median · syscalls/msg', ...servers], [
      ...rows,
      ['A0 latency p50 / p99 µs', ...a0],
      ['fairness: light p99 ms', ...fair],
      ['RSS per idle connection', ...mem('rssPerIdle')],
      ['RSS per connection after one echo', ...mem('rssPerUsed')],
    ]),
  ];
  // The issue's targets, as ratios from the same run: reactor-uring against reactor-et, and the
  // fairness target against c-lt.
  const runs = [[r, 'integrated']];
  if (CURRENT.uring.exclusive) runs.push([read(CURRENT.uring.exclusive), 'exclusive']);
  const ratios = [];
  for (const [run, driver] of runs) {
    const g = (config, server) => run.summaries.find((s) => s.config === config && s.server === server);
    if (!run.summaries.some((s) => s.server === 'reactor-uring')) continue;
    const cells = configs.map((c) => {
      const u = g(c.name, 'reactor-uring');
      const e = g(c.name, 'reactor-et');
      return u && e ? ratio(u.msgsPerSec.median / e.msgsPerSec.median) : '-';
    });
    const fu = g('fairness', 'reactor-uring')?.light;
    const fc = g('fairness', 'c-lt')?.light;
    ratios.push([`reactor-uring ÷ reactor-et, ${driver} driver${run === r ? '' : ` (run of ${day(run.startedAt)})`}`, ...cells, fu && fc ? ratio(fu.p99Us / fc.p99Us) : '-']);
  }
  if (ratios.length) lines.push('', table(['msgs/s ratio', ...configs.map((c) => c.name), 'light p99 ÷ c-lt'], ratios));
  return lines.join('\n');
}

export const TABLES = {
  headline,
  echo: echoTable,
  resp: () => protocolTable('resp', 'redis-benchmark -c 50'),
  http: () => protocolTable('http', 'wrk -t1 -c100 GET /plaintext'),
  compat: compatTable,
  raw: rawTable,
  scaling: scalingTable,
  errors: errorsTable,
  uring: uringTable,
};
export const FILES = ['README.md', 'docs/benchmarks.md', 'docs/compat.md', 'docs/guide/errors.md', 'docs/lt-et-study.md'];

/** `text` with every marked table replaced by its rendering. */
export function render(text) {
  return text.replace(/<!-- bench:([\w-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->/g, (_m, name) => {
    const make = TABLES[name];
    if (!make) throw new Error(`render-bench-tables: unknown table '${name}'`);
    return `<!-- bench:${name} -->\n${make()}\n<!-- /bench:${name} -->`;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const file of FILES) {
    const before = readFileSync(`${ROOT}${file}`, 'utf8');
    const after = render(before);
    if (after === before) continue;
    if (check) {
      process.stderr.write(`${file}: generated tables differ from their sources (run node scripts/render-bench-tables.mjs, commit the result)\n`);
      stale++;
    } else {
      writeFileSync(`${ROOT}${file}`, after);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  process.exit(stale ? 1 : 0);
}
