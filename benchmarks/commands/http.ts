// `epoll-reactor bench http`: wrk against examples/http-server (LT and ET) and a node:http
// server answering the same routes, side by side in one run: GET /plaintext with keep-alive
// (`wrk -t1 -c100`), then pipelined 16 deep (wrk's Lua pipelining script). Each server is
// pinned to CPU 0 and wrk to CPU 1; repeats rotate the server order. The Bun.serve row runs
// when the npm bun package is installed, and says it was skipped otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { announceRun } from '../lib/announce.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { BUN_HTTP_SERVER, bunBinary, SKIP_NO_BUN } from '../lib/bun.js';
import { DIST } from '../lib/paths.js';
import { emitReport, forEachServerRun, requireTools, runTool, withServerCpu, type ProtocolSample } from './protocol-bench.js';

const SERVERS = ['http-lt', 'http-et', 'node-http', 'bun-http'] as const;
const REFERENCE = 'node-http';

/** wrk's pipelining script: every request() hands wrk `depth` GETs of the URL's path at once. */
export const PIPELINE_LUA = `init = function(args)
  local depth = tonumber(args[1]) or 1
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil) end
  req = table.concat(r)
end
request = function() return req end
`;

function serverArgv(name: string, driver: string): string[] {
  if (name === 'bun-http') return [bunBinary()!, BUN_HTTP_SERVER, '--port', '{port}'];
  if (name === 'node-http') return [process.execPath, join(DIST, 'benchmarks', 'node-http-server.js'), '--port', '{port}'];
  const mode = name === 'http-lt' ? 'lt' : 'et';
  return [process.execPath, join(DIST, 'examples', 'http-server', 'main.js'), '--port', '{port}', '--mode', mode, '--driver', driver];
}

/**
 * Parses wrk's summary: requests/s and its socket-error line (null if none). Throws if wrk
 * saw non-2xx answers: a server that answers wrongly is not measured.
 */
export function parseWrk(out: string): { rps: number; socketErrors: string | null } {
  const m = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (!m) throw new Error(`no Requests/sec in wrk output: ${out.trim()}`);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (bad) throw new Error(`wrk saw ${bad[1]} non-2xx responses`);
  const errs = /Socket errors: connect \d+, read \d+, write \d+, timeout \d+/.exec(out);
  return { rps: Number(m[1]), socketErrors: errs ? errs[0] : null };
}

const positive = (text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** Adds `http` under the `bench` command. */
export function registerHttpBench(bench: Command): void {
  // Options after `http` are this subcommand's, not the parent bench's (--quick, --json...):
  // commander needs positional options on every ancestor for that.
  bench.parent?.enablePositionalOptions();
  bench.enablePositionalOptions();
  bench
    .command('http')
    .description('wrk -t1 -c100 GET /plaintext (keep-alive, and pipelined 16) against http-server LT/ET, node:http and Bun.serve')
    .option('--quick', 'one repeat of 2 s per test', false)
    .option('--repeats <n>', 'repeats per server (default 3, quick 1)', positive)
    .option('--duration <sec>', 'seconds per wrk run (default 5, quick 2)', positive)
    .option('--servers <list>', `comma-separated servers (${SERVERS.join(',')})`, (t: string) => t.split(','), [...SERVERS])
    .option('--driver <driver>', 'http-server driver: integrated or exclusive', 'integrated')
    .option('--json <file>', 'also write every sample and summary as JSON')
    .option('--svg <file>', 'also write a bar chart as SVG')
    .action(async (o: { quick: boolean; repeats?: number; duration?: number; servers: string[]; driver: string; json?: string; svg?: string }) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      requireTools(['wrk'], 'wrk');
      for (const s of o.servers) if (!(SERVERS as readonly string[]).includes(s)) throw new Error(`unknown server '${s}'`);
      const skipped = o.servers.includes('bun-http') && !bunBinary() ? [{ server: 'bun-http', reason: SKIP_NO_BUN }] : [];
      for (const k of skipped) log(`${k.server}: ${k.reason}`);
      const servers = o.servers.filter((s) => !skipped.some((k) => k.server === s));
      const repeats = Math.round(o.repeats ?? (o.quick ? 1 : 3));
      const duration = Math.max(1, Math.round(o.duration ?? (o.quick ? 2 : 5)));
      const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
      const script = join(dir, 'pipeline.lua');
      writeFileSync(script, PIPELINE_LUA);
      const tests = [
        { name: 'plaintext keep-alive', extra: [] as string[], tail: [] as string[] },
        { name: 'plaintext pipelined 16', extra: ['-s', script], tail: ['--', '16'] },
      ];
      const commands: string[] = [];
      const samples: ProtocolSample[] = [];
      announceRun(log, 'bench http', o.servers.length * repeats * (2 + 1 + tests.length * (duration + 0.5)));
      try {
        await forEachServerRun(servers, repeats, (name) => serverArgv(name, o.driver), async (name, rep, server) => {
          // Warm-up, not measured: the JIT compiles the server's hot paths (node:http's too).
          await runTool(['wrk', '-t1', '-c100', '-d1s', `http://127.0.0.1:${server.port}/plaintext`], 60_000);
          for (const t of tests) {
            const url = `http://127.0.0.1:${server.port}/plaintext`;
            const argv = ['wrk', '-t1', '-c100', `-d${duration}s`, '--timeout', '10s', ...t.extra, url, ...t.tail];
            if (rep === 0 && name === servers[0]) commands.push(argv.join(' ').replace(script, 'pipeline.lua').replace(String(server.port), 'PORT'));
            const { value: out, cpuSec } = await withServerCpu(server, () => runTool(argv, (duration + 30) * 1000));
            const { rps, socketErrors } = parseWrk(out);
            // Over wrk's own window (its startup is not counted): CPU % and CPU per request.
            const cpuPct = cpuSec === null ? null : (cpuSec / duration) * 100;
            const serverUsPerRequest = cpuSec === null || rps <= 0 ? null : (cpuSec * 1e6) / (rps * duration);
            samples.push({ server: name, test: t.name, repeat: rep, requestsPerSec: rps, serverCpuPct: cpuPct, serverUsPerRequest });
            log(`[http] repeat ${rep + 1}/${repeats} ${name} ${t.name}: ${Math.round(rps)} req/s${socketErrors ? ` (wrk: ${socketErrors})` : ''}`);
          }
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      emitReport('http', REFERENCE, commands, samples, o, 'http-server vs node:http and Bun.serve (wrk -t1 -c100, GET /plaintext)', skipped);
    });
}
