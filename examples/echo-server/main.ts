// examples/echo-server: the benchmark target and the seeds' first server.
//
//   node dist/examples/echo-server.js --host 127.0.0.1 --port 0 --mode lt|et \
//        --driver integrated|exclusive [--io batched|per-fd] [--idle-timeout MS] [--stats]
//        [--loops N --spread reuseport|handoff]      (N > 1: a LoopPool, pool.ts)
//
// Prints "listening on HOST:PORT" once ready (the real port when 0 was asked).
// On SIGTERM or SIGINT it stops accepting, lets connections flush (up to 5 s)
// and exits 0. With --stats it prints the loop's counters as JSON on stderr at exit.
// The drivers and signals are examples/shared/run.ts's.
import { fail, numberFlag, parseServerCli, type ServerArgs } from '../shared/cli.js';
import { runServer } from '../shared/run.js';
import type { EchoOptions } from './echo.js';
import { runEchoPool } from './pool.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'echo-server';
const { server, values } = parseServerCli({
  name: NAME,
  file: 'echo-server/main.js',
  about: 'Echoes every byte back: the benchmark target. ' + ERROR_POLICY,
  flags: {
    io: { type: 'string', default: 'batched', arg: 'batched|per-fd', help: "the loop's I/O path: one native call per turn, or one per fd" },
    'idle-timeout': { type: 'string', default: '0', arg: 'MS', help: 'close a connection idle this long (0: never)' },
    stats: { type: 'boolean', default: false, help: "print the loop's counters as JSON on stderr at exit" },
    loops: { type: 'string', default: '1', arg: 'N', help: 'loop threads (N > 1: a LoopPool; --driver does not apply)' },
    spread: { type: 'string', default: 'reuseport', arg: 'reuseport|handoff', help: 'how a LoopPool spreads connections' },
  },
});
if (values.io !== 'batched' && values.io !== 'per-fd') fail(NAME, `--io must be batched or per-fd`);

const options: EchoOptions & ServerArgs & { deadlineMs: number } = {
  ...server,
  batchIo: values.io === 'batched',
  idleTimeoutMs: numberFlag(NAME, 'idle-timeout', values['idle-timeout']),
  deadlineMs: 5000,
};

const loops = Number(values.loops);
if (!Number.isInteger(loops) || loops < 1 || loops > 256) fail(NAME, `bad --loops '${String(values.loops)}'`);
if (values.spread !== 'reuseport' && values.spread !== 'handoff') fail(NAME, `--spread must be reuseport or handoff`);

// A loop per worker thread (pool.ts); --driver does not apply (pool loops are exclusive).
if (loops > 1) await runEchoPool(options, { loops, spread: values.spread, stats: values.stats === true });
else await runServer({
  name: NAME,
  module: new URL('./echo.js', import.meta.url),
  options,
  batchIo: options.batchIo,
  deadlineMs: options.deadlineMs,
  onStopped: (stats) => {
    if (values.stats) process.stderr.write(`${JSON.stringify({ stats })}\n`);
  },
});
