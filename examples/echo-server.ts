// examples/echo-server: the benchmark target and the seeds' first server.
//
//   node dist/examples/echo-server.js --host 127.0.0.1 --port 0 --mode lt|et \
//        --driver integrated|exclusive [--io batched|per-fd] [--idle-timeout MS] [--stats]
//
// Prints "listening on HOST:PORT" once ready (the real port when 0 was asked).
// On SIGTERM or SIGINT it stops accepting, lets connections flush (up to 5 s)
// and exits 0. With --stats it prints the loop's counters as JSON on stderr at exit.
//
// Drivers: 'integrated' runs the reactor inside Node's own loop on the main
// thread; 'exclusive' runs a blocking epoll loop in a worker thread (a blocked
// main thread could not see signals), and the main thread only handles signals.
import { parseArgs } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import { EventLoop, raiseFdLimit, Waker } from '../src/index.js';
import { startEcho, type EchoOptions } from './echo.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    mode: { type: 'string', default: 'lt' },
    driver: { type: 'string', default: 'integrated' },
    io: { type: 'string', default: 'batched' },
    'idle-timeout': { type: 'string', default: '0' },
    stats: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: echo-server [--host 127.0.0.1] [--port 0] [--mode lt|et] [--driver integrated|exclusive] [--io batched|per-fd] [--idle-timeout MS] [--stats]\n',
  );
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`echo-server: ${message}\n`);
  process.exit(2);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port '${values.port}'`);
if (values.mode !== 'lt' && values.mode !== 'et') fail(`--mode must be lt or et, not '${values.mode}'`);
if (values.driver !== 'integrated' && values.driver !== 'exclusive') fail(`--driver must be integrated or exclusive`);
if (values.io !== 'batched' && values.io !== 'per-fd') fail(`--io must be batched or per-fd`);
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs < 0) fail(`bad --idle-timeout '${values['idle-timeout']}'`);

const options: EchoOptions & { deadlineMs: number } = {
  host: values.host!,
  port,
  mode: values.mode,
  batchIo: values.io === 'batched',
  idleTimeoutMs,
  deadlineMs: 5000,
};

const fds = raiseFdLimit(); // every connection is an fd: lift the soft limit to the hard one
process.stdout.write(`open-file limit ${fds.soft} (hard ${fds.hard})\n`);

function printStats(stats: Record<string, number>): void {
  if (values.stats) process.stderr.write(`${JSON.stringify({ stats })}\n`);
}

if (values.driver === 'integrated') {
  const loop = new EventLoop({ mode: options.mode, driver: 'integrated', batchIo: options.batchIo });
  let server;
  try {
    server = startEcho(loop, options);
  } catch (err) {
    fail((err as Error).message);
  }
  loop.run();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close(options.deadlineMs).then(() => {
      loop.close();
      printStats(loop.stats.snapshot());
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Only now: a parent that signals as soon as it reads this line must find the handlers in place.
  process.stdout.write(`listening on ${server.address.toString()}\n`);
} else {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./echo-worker.js', import.meta.url), {
    workerData: { options, port: port2 },
    transferList: [port2],
  });
  let wakerFd = -1;
  worker.on('message', (msg: { listening?: string; wakerFd?: number; stopped?: boolean; stats?: Record<string, number> }) => {
    if (msg.listening) {
      wakerFd = msg.wakerFd!;
      process.stdout.write(`listening on ${msg.listening}\n`);
    }
    if (msg.stopped) printStats(msg.stats!);
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => process.exit(code === 0 ? 0 : 1));
  const stop = (): void => {
    if (wakerFd < 0) process.exit(0);
    port1.postMessage({ cmd: 'stop' });
    Waker.signal(wakerFd);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
