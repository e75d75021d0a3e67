// The benchmark commands of the `epoll-reactor` bin (cli.ts loads this module for every
// command but `example`, so commander is needed only here):
//
//   epoll-reactor bench [--quick] [--json FILE] [--svg FILE] ...   the echo benchmark
//   epoll-reactor bench resp | bench http                           protocol benchmarks
//   epoll-reactor scaling | idle-memory | connections | soak        scale and endurance runs
//   epoll-reactor bench check                                      the CPU-per-message guard (CI)
//   epoll-reactor build-tools                                       compile the C tools only
//
// Progress goes to stderr, the result tables to stdout. Every run is bounded:
// each load-generator run stops by itself, and every server is stopped (and
// killed if it will not stop) before the next one starts.
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerScaling } from './commands/scaling.js';
import { registerScaleCommands } from './commands/index.js';
import { ensureCBinaries } from './lib/cbuild.js';
import { ECHO_CONFIGS, FULL, QUICK } from './lib/configs.js';
import { runBenchmark } from './lib/runner.js';
import { renderSvg } from './report/svg.js';
import { renderTables } from './report/table.js';
import { SERVER_NAMES } from './report/types.js';
import { registerHttpBench } from './commands/http.js';
import { registerRespBench } from './commands/resp.js';
import { registerCheck } from './commands/check.js';
import { registerChatBench } from './commands/chat.js';
import { announceRun } from './lib/announce.js';
import { EXAMPLES } from './examples.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function positive(kind: 'int' | 'float') {
  return (text: string): number => {
    const x = Number(text);
    if (!Number.isFinite(x) || x <= 0 || (kind === 'int' && !Number.isInteger(x))) {
      throw new InvalidArgumentError(`expected a positive ${kind === 'int' ? 'integer' : 'number'}`);
    }
    return x;
  };
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

const program = new Command('epoll-reactor')
  .description('Linux epoll for Node.js: the echo benchmark and its tools')
  .showHelpAfterError();

const bench = program
  .command('bench')
  .description(
    'Run the echo benchmark: reactor-lt, reactor-et, reactor-uring, node-net, bun (Bun.listen, when the npm bun package is installed), c-lt, c-et, raw-uring and c-uring (server pinned to CPU 0) ' +
      'against a checksumming closed-loop load generator (CPU 1), configurations A0 B C D E, ' +
      'then a fairness run, an idle-scaling run (epoll vs poll) and the raw Epoll.wait run.',
  )
  .option('--quick', 'one short repeat per server and configuration (under 3 minutes on 2 cores)', false)
  .option('--repeats <n>', `repeats per server and configuration (default ${FULL.repeats}, quick ${QUICK.repeats})`, positive('int'))
  .option('--warmup <sec>', `warm-up seconds per run, not measured (default ${FULL.warmupSec}, quick ${QUICK.warmupSec})`, positive('float'))
  .option('--duration <sec>', `measured seconds per run (default ${FULL.durationSec}, quick ${QUICK.durationSec})`, positive('float'))
  .option('--servers <list>', 'comma-separated servers', list, [...SERVER_NAMES])
  .option('--configs <list>', `comma-separated configurations (${ECHO_CONFIGS.map((c) => c.name).join(',')})`, list, ECHO_CONFIGS.map((c) => c.name))
  .addOption(new Option('--driver <driver>', 'reactor driver').choices(['integrated', 'exclusive']).default('integrated'))
  .option('--no-fairness', 'skip the fairness run')
  .option('--no-idle', 'skip the idle-scaling run')
  .option('--no-raw', 'skip the raw Epoll.wait run')
  .option('--no-syscalls', 'do not count syscalls (a separate pass under perf stat, else the servers\' own counters)')
  .option('--client-threads <n>', 'load-generator threads (loadgen -j; useful only with free cores)', positive('int'), 1)
  .option('--json <file>', 'also write every sample and summary as JSON')
  .option('--svg <file>', 'also write a bar chart as SVG')
  .action(async (o) => {
    const base = o.quick ? QUICK : FULL;
    const method = {
      ...base,
      repeats: o.repeats ?? base.repeats,
      warmupSec: o.warmup ?? base.warmupSec,
      durationSec: o.duration ?? base.durationSec,
    };
    const t0 = Date.now();
    // each run: warm-up + measured + about a second to start and stop; then fairness, idle and raw
    const runs = o.servers.length * o.configs.length * method.repeats;
    announceRun(log, 'bench', runs * (method.warmupSec + method.durationSec + 1) + (o.fairness ? 20 : 0) + (o.idle ? 20 : 0) + (o.raw ? 15 : 0));
    const report = await runBenchmark({
      method,
      servers: o.servers,
      configs: o.configs,
      driver: o.driver,
      fairness: o.fairness,
      idle: o.idle,
      raw: o.raw,
      countSyscalls: o.syscalls,
      clientThreads: o.clientThreads,
      log,
    });
    process.stdout.write(`${renderTables(report)}\n`);
    if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    if (o.svg) writeFileSync(o.svg, renderSvg(report));
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s${o.json ? `, JSON in ${o.json}` : ''}${o.svg ? `, chart in ${o.svg}` : ''}`);
  });

registerRespBench(bench); // bench resp: redis-benchmark vs redis-server
registerHttpBench(bench); // bench http: wrk vs node:http and Bun.serve
registerChatBench(bench); // bench chat: chat fan-out, one process vs --cluster over Redis
registerCheck(bench, log); // bench check: the CPU-per-message guard CI runs

program
  .command('build-tools')
  .description('Compile the C reference server and load generator (bench does this on first run)')
  .action(() => {
    const bins = ensureCBinaries(log);
    process.stdout.write(`${bins.echoServer}\n${bins.loadgen}\n`);
  });

registerScaling(program); // epoll-reactor scaling --loops N: the multi-core run
registerScaleCommands(program, log); // idle-memory, connections, soak

// `example` is dispatched by cli.ts before this module loads; listed here so --help shows it.
program.addHelpText(
  'after',
  `\nRun an example from the installed package:\n  epoll-reactor example <name> [options]   names: ${Object.keys(EXAMPLES).join(', ')}\n` +
    `  epoll-reactor example <name> --help     its options and defaults\n`,
);

program.parseAsync().catch((err: unknown) => {
  log(`epoll-reactor: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
