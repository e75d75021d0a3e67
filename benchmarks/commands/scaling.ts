// `epoll-reactor scaling`: msgs/s for 1..N loops (threads, workers), both spreads, beside the C
// reference server with --threads N and node:cluster with N workers running the node:net echo.
//
//   epoll-reactor scaling [--loops N] [--configs B,C] [--spreads reuseport,handoff]
//                         [--server-cpus 0,1] [--client-cpus 2,3] [--quick] [--json FILE]
//
// 1 loop is one exclusive loop in a worker thread (examples/echo-server --driver exclusive),
// the same shape as one loop of a pool; n > 1 is the LoopPool (--loops n --spread S). Every
// run starts a fresh server, drives it with the checksumming load generator, stops it with
// SIGTERM and requires exit 0. Without --server-cpus/--client-cpus nothing is pinned; when
// the client's CPUs overlap the server's (always, on a 2-core box) the output says so: the
// load generator then takes cycles from the servers and the ratios understate scaling.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { announceRun } from '../lib/announce.js';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { ensureCBinaries } from '../lib/cbuild.js';
import { ECHO_CONFIGS } from '../lib/configs.js';
import { loadArgs, type LoadResult, type LoadSpec } from '../lib/loadgen.js';
import { DIST } from '../lib/paths.js';
import { canPin, cpuSeconds, spawnPinned, waitExit } from '../lib/pinned.js';
import { RunningServer } from '../lib/servers.js';
import { median, rotate } from '../lib/stats.js';
import { ASCII, rate } from '../report/table.js';

interface ScalingServer {
  family: 'reactor-reuseport' | 'reactor-handoff' | 'c' | 'node-cluster';
  n: number;
  argv: string[];
}

interface ScalingSample {
  config: string;
  family: string;
  n: number;
  repeat: number;
  msgsPerSec: number;
  p99Us: number;
  serverCpuPct: number | null;
  clientCpuPct: number | null;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** CPU seconds of a process and all its descendants (node:cluster's workers are children). */
function treeCpuSeconds(pid: number): number | null {
  const own = cpuSeconds(pid);
  if (own === null) return null;
  let total = own;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) {
        total += treeCpuSeconds(Number(child)) ?? 0;
      }
    }
  } catch {
    // gone meanwhile, or no /proc/PID/task/TID/children: the process's own time
  }
  return total;
}

function servers(maxLoops: number, spreads: string[], mode: string, echoServer: string): ScalingServer[] {
  const echo = join(DIST, 'examples', 'echo-server.js');
  const cluster = join(DIST, 'benchmarks', 'node-cluster-server.js');
  const out: ScalingServer[] = [];
  for (let n = 1; n <= maxLoops; n++) {
    for (const spread of spreads) {
      const family = `reactor-${spread}` as ScalingServer['family'];
      // one loop: a single exclusive loop in a worker thread (the spreads coincide: listed once)
      if (n === 1 && spread !== spreads[0]) continue;
      const args = n === 1 ? ['--driver', 'exclusive'] : ['--loops', String(n), '--spread', spread];
      out.push({ family, n, argv: [process.execPath, echo, '--mode', mode, ...args] });
    }
    out.push({ family: 'c', n, argv: [echoServer, '--mode', mode, '--threads', String(n)] });
    out.push({ family: 'node-cluster', n, argv: [process.execPath, cluster, '--workers', String(n)] });
  }
  return out;
}

async function measureOne(
  s: ScalingServer,
  load: LoadSpec,
  loadgen: string,
  cpusOf: { server?: string; client?: string },
): Promise<Omit<ScalingSample, 'config' | 'repeat'>> {
  const server = await RunningServer.start({ name: `${s.family} x${s.n}`, argv: s.argv, selfSyscalls: () => null }, cpusOf.server);
  try {
    const client = spawnPinned([loadgen, ...loadArgs(server.port, load)], cpusOf.client);
    let out = '';
    client.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const samples: Array<[number | null, number | null]> = [];
    const sample = (): void => void samples.push([treeCpuSeconds(server.pid), cpuSeconds(client.pid!)]);
    const t0 = setTimeout(sample, load.warmupSec * 1000);
    const t1 = setTimeout(sample, (load.warmupSec + load.durationSec) * 1000 - 50);
    const code = await waitExit(client, (load.warmupSec + load.durationSec + 30) * 1000);
    clearTimeout(t0);
    clearTimeout(t1);
    const r = JSON.parse(out.trim().split('\n').pop() || '{}') as LoadResult;
    if (code !== 0 || r.errors || !r.msgs_per_sec) throw new Error(`load generator failed against ${s.family} x${s.n}: ${out.trim()}`);
    const pct = (i: 0 | 1): number | null => {
      const [a, b] = [samples[0]?.[i], samples[1]?.[i]];
      return a == null || b == null ? null : (100 * (b - a)) / (load.durationSec - 0.05);
    };
    return { family: s.family, n: s.n, msgsPerSec: r.msgs_per_sec, p99Us: r.p99_us, serverCpuPct: pct(0), clientCpuPct: pct(1) };
  } finally {
    const exit = (await server.stop()).exitCode;
    if (exit !== 0) log(`warning: ${s.family} x${s.n} exited ${exit} on SIGTERM`);
  }
}

/** The CPUs of a taskset list ('0,2-3'); throws on a malformed list. */
export function cpuSet(list: string): Set<number> {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new Error(`bad CPU list '${list}' (like 0,2-3)`);
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) out.add(c);
  }
  return out;
}

/** Whether two taskset CPU lists share a CPU; an unset list means every CPU. */
export function overlaps(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return true; // unpinned: everyone shares every core
  const sa = cpuSet(a);
  return [...cpuSet(b)].some((c) => sa.has(c));
}

function renderTable(config: string, samples: ScalingSample[]): string {
  const t = new Table({
    ...ASCII,
    head: ['server', 'n', 'msgs/s', 'min..max', 'x its n=1', 'x c same n', 'x cluster same n', 'p99 us', 'server CPU %', 'client CPU %'],
  });
  const groups = new Map<string, ScalingSample[]>();
  for (const s of samples.filter((x) => x.config === config)) {
    const k = `${s.family}\0${s.n}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const med = (family: string, n: number): number | null => {
    const g = groups.get(`${family}\0${n}`) ?? (family.startsWith('reactor') && n === 1 ? [...groups.values()].find((x) => x[0]!.family.startsWith('reactor') && x[0]!.n === 1) : undefined);
    return g ? median(g.map((x) => x.msgsPerSec)) : null;
  };
  const ratio = (x: number, y: number | null): string => (y ? (x / y).toFixed(2) : '-');
  const cpu = (xs: Array<number | null>): string => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? median(v).toFixed(0) : '-';
  };
  for (const g of [...groups.values()].sort((a, b) => a[0]!.n - b[0]!.n)) {
    const { family, n } = g[0]!;
    const m = median(g.map((x) => x.msgsPerSec));
    const reactor = family.startsWith('reactor');
    t.push([
      n === 1 && reactor ? 'reactor (1 loop)' : family,
      String(n),
      rate(m),
      `${rate(Math.min(...g.map((x) => x.msgsPerSec)))}..${rate(Math.max(...g.map((x) => x.msgsPerSec)))}`,
      ratio(m, med(family, 1)),
      reactor ? ratio(m, med('c', n)) : '-',
      reactor ? ratio(m, med('node-cluster', n)) : '-',
      median(g.map((x) => x.p99Us)).toFixed(0),
      cpu(g.map((x) => x.serverCpuPct)),
      cpu(g.map((x) => x.clientCpuPct)),
    ]);
  }
  return t.toString();
}

const positiveInt = (text: string): number => {
  const x = Number(text);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError('expected a positive integer');
  return x;
};
const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/** Adds the `scaling` command to the CLI. */
export function registerScaling(program: Command): void {
  program
    .command('scaling')
    .description(
      'Multi-core scaling: msgs/s of the reactor with 1..N loops (LoopPool, both spreads) beside the C server ' +
        'with --threads N and node:cluster with N workers, configurations B and C',
    )
    .option('--loops <n>', 'largest loop/thread/worker count', positiveInt, 2)
    .option('--configs <list>', 'configurations', list, ['B', 'C'])
    .option('--spreads <list>', 'reactor spreads (reuseport,handoff)', list, ['reuseport', 'handoff'])
    .option('--mode <mode>', 'lt or et, for the reactor and the C server', 'lt')
    .option('--server-cpus <list>', 'taskset CPU list for the servers (default: unpinned)')
    .option('--client-cpus <list>', 'taskset CPU list for the load generator (default: unpinned)')
    .option('--repeats <n>', 'repeats per server and configuration', positiveInt, 3)
    .option('--quick', 'one repeat, 0.5 s warm-up, 1.5 s measured', false)
    .option('--json <file>', 'also write every sample as JSON')
    .action(async (o) => {
      const t0 = Date.now();
      const bins = ensureCBinaries(log);
      const method = o.quick ? { repeats: 1, warmupSec: 0.5, durationSec: 1.5 } : { repeats: o.repeats as number, warmupSec: 1, durationSec: 2 };
      for (const s of o.spreads as string[]) if (s !== 'reuseport' && s !== 'handoff') throw new Error(`unknown spread '${s}'`);
      for (const list of [o.serverCpus, o.clientCpus] as Array<string | undefined>) {
        if (list === undefined) continue;
        const missing = [...cpuSet(list)].filter((c) => c >= cpus().length);
        if (missing.length) throw new Error(`CPU ${missing.join(',')} does not exist here (${cpus().length} CPUs: 0-${cpus().length - 1})`);
        if (!canPin()) throw new Error('--server-cpus/--client-cpus need taskset (util-linux)');
      }
      const all = servers(o.loops, o.spreads, o.mode, bins.echoServer);
      const shared = overlaps(o.serverCpus, o.clientCpus);
      const note =
        `${cpus().length} CPUs; servers on ${o.serverCpus ?? 'any CPU'}, load generator on ${o.clientCpus ?? 'any CPU'}` +
        (shared ? ' — the client SHARES the servers\' cores: it takes cycles from them, so ratios understate scaling' : '');
      log(note);
      announceRun(log, 'scaling', o.configs.length * method.repeats * all.length * (method.warmupSec + method.durationSec + 1));
      const samples: ScalingSample[] = [];
      for (const name of o.configs as string[]) {
        const config = ECHO_CONFIGS.find((c) => c.name === name);
        if (!config) throw new Error(`unknown configuration '${name}'`);
        for (let r = 0; r < method.repeats; r++) {
          for (const s of rotate(all, r)) {
            const m = await measureOne(s, { ...config.load, warmupSec: method.warmupSec, durationSec: method.durationSec }, bins.loadgen, {
              server: o.serverCpus,
              client: o.clientCpus,
            });
            samples.push({ ...m, config: name, repeat: r + 1 });
            log(`[${name} ${r + 1}/${method.repeats}] ${s.family.padEnd(17)} x${s.n} ${rate(m.msgsPerSec)} msgs/s`);
          }
        }
      }
      for (const name of o.configs as string[]) {
        const label = ECHO_CONFIGS.find((c) => c.name === name)!.label;
        process.stdout.write(`\nConfiguration ${name} (${label}), mode ${o.mode}, ${method.repeats} repeat(s) of ${method.durationSec} s\n`);
        process.stdout.write(`${renderTable(name, samples)}\n`);
      }
      process.stdout.write(`${note}\n`);
      if (o.json) writeFileSync(o.json, `${JSON.stringify({ note, method, mode: o.mode, samples }, null, 2)}\n`);
      log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    });
}
