// `epoll-reactor bench resp`: redis-benchmark against examples/resp-server (LT and ET) and a
// real redis-server, side by side in one run. Each server is pinned to CPU 0 and
// redis-benchmark to CPU 1; repeats rotate the server order so drift hits all alike.
//
//   redis-benchmark -p PORT -t ping_mbulk,set,get -c 50 -n N -P 16|1 --csv
//
// redis-server runs with `--save '' --appendonly no` (no disk in the measurement) on a free
// port. The report's ratios are each server's median over redis-server's, same test.
import { join } from 'node:path';
import { announceRun } from '../lib/announce.js';
import { type Command, InvalidArgumentError } from 'commander';
import { DIST } from '../lib/paths.js';
import { emitReport, forEachServerRun, requireTools, runTool, withServerCpu, type ProtocolSample } from './protocol-bench.js';

const SERVERS = ['resp-lt', 'resp-et', 'redis-server'] as const;
const REFERENCE = 'redis-server';

function serverArgv(name: string, driver: string): string[] {
  if (name === 'redis-server') return ['redis-server', '--port', '{port}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const mode = name === 'resp-lt' ? 'lt' : 'et';
  return [process.execPath, join(DIST, 'examples', 'resp-server', 'main.js'), '--port', '{port}', '--mode', mode, '--driver', driver];
}

/** Parses redis-benchmark --csv: "TEST","rps",... → Map(TEST → rps). */
export function parseRedisBenchmarkCsv(csv: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of csv.split('\n')) {
    const m = /^"([^"]+)","([0-9.]+)"/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

const positiveInt = (text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

/** Adds `resp` under the `bench` command. */
export function registerRespBench(bench: Command): void {
  // Options after `resp` are this subcommand's, not the parent bench's (--quick, --json...):
  // commander needs positional options on every ancestor for that.
  bench.parent?.enablePositionalOptions();
  bench.enablePositionalOptions();
  bench
    .command('resp')
    .description('redis-benchmark (ping_mbulk, set, get; -c 50; -P 16 and -P 1) against resp-server LT/ET and redis-server')
    .option('--quick', 'one repeat with fewer requests (about a minute)', false)
    .option('--repeats <n>', 'repeats per server (default 3, quick 1)', positiveInt)
    .option('--requests <n>', 'requests per test at -P 16 (default 1000000, quick 200000; -P 1 runs a quarter)', positiveInt)
    .option('--servers <list>', `comma-separated servers (${SERVERS.join(',')})`, (t: string) => t.split(','), [...SERVERS])
    .option('--driver <driver>', 'resp-server driver: integrated or exclusive', 'integrated')
    .option('--json <file>', 'also write every sample and summary as JSON')
    .option('--svg <file>', 'also write a bar chart as SVG')
    .action(async (o: { quick: boolean; repeats?: number; requests?: number; servers: string[]; driver: string; json?: string; svg?: string }) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      requireTools(['redis-benchmark', ...(o.servers.includes('redis-server') ? ['redis-server'] : [])], 'redis-server redis-tools');
      for (const s of o.servers) if (!(SERVERS as readonly string[]).includes(s)) throw new Error(`unknown server '${s}'`);
      const repeats = o.repeats ?? (o.quick ? 1 : 3);
      const requests = o.requests ?? (o.quick ? 200_000 : 1_000_000);
      const commands: string[] = [];
      const samples: ProtocolSample[] = [];
      // ~100k requests/s at -P1 and ~500k at -P16 on one core (measured), plus a second per server start
      announceRun(log, 'bench resp', o.servers.length * repeats * (2 + (requests / 5 + 3 * requests) / 500_000 + (3 * requests) / 4 / 100_000));
      await forEachServerRun(o.servers, repeats, (name) => serverArgv(name, o.driver), async (name, rep, server) => {
        // Warm-up, not measured: the JIT compiles the server's hot paths (redis-server gets the same).
        const warm = String(Math.min(100_000, Math.max(1000, Math.floor(requests / 5))));
        await runTool(['redis-benchmark', '-h', '127.0.0.1', '-p', String(server.port), '-t', 'ping_mbulk,set,get', '-c', '50', '-n', warm, '-P', '16', '--csv'], 300_000);
        for (const pipeline of [16, 1]) {
          for (const test of ['ping_mbulk', 'set', 'get']) {
            // One test per invocation: the server's CPU time then belongs to that test alone.
            const n = pipeline === 1 ? Math.max(1000, Math.floor(requests / 4)) : requests;
            const argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', String(server.port), '-t', test, '-c', '50', '-n', String(n), '-P', String(pipeline), '--csv'];
            if (rep === 0 && name === o.servers[0]) commands.push(argv.join(' ').replace(String(server.port), 'PORT'));
            const { value: csv, cpuSec, cpuPct } = await withServerCpu(server, () => runTool(argv, 300_000));
            const rows = parseRedisBenchmarkCsv(csv);
            if (rows.size !== 1) throw new Error(`no result from redis-benchmark against ${name}: ${csv.trim()}`);
            for (const [label, rps] of rows) {
              const serverUsPerRequest = cpuSec === null ? null : (cpuSec * 1e6) / n;
              samples.push({ server: name, test: `${label} -P${pipeline}`, repeat: rep, requestsPerSec: rps, serverCpuPct: cpuPct, serverUsPerRequest });
              log(`[resp] repeat ${rep + 1}/${repeats} ${name} ${label} -P${pipeline}: ${Math.round(rps)} req/s`);
            }
          }
        }
      });
      emitReport('resp', REFERENCE, commands, samples, o, 'resp-server vs redis-server (redis-benchmark -c 50)');
    });
}
