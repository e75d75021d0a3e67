// The soak's server process: `node --expose-gc soak/server.js --mode lt|et
// --driver integrated|exclusive [--idle-timeout MS] [--hwm BYTES] [--sample-ms MS]`.
// Prints "listening on HOST:PORT", then one JSON sample per line on stdout
// (benchmarks/soak/service.ts). SIGTERM: stop accepting, close every connection
// (2 s deadline), exit 0. The exclusive driver runs the loop in a worker
// (server-worker.ts) and relays its samples.
import { parseArgs } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import { EventLoop } from '../../src/index.js';
import { raiseFdLimit } from '../../src/entries/sys.js';
import { stopWorkerOnSignal } from '../../examples/shared/run.js';
import { startSoakService, type SoakServiceOptions } from './service.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    mode: { type: 'string', default: 'lt' },
    driver: { type: 'string', default: 'integrated' },
    'idle-timeout': { type: 'string', default: '1500' },
    hwm: { type: 'string', default: String(1 << 20) },
    'sample-ms': { type: 'string', default: '2000' },
  },
});
if (values.mode !== 'lt' && values.mode !== 'et') throw new Error('--mode must be lt or et');
if (values.driver !== 'integrated' && values.driver !== 'exclusive') throw new Error('--driver must be integrated or exclusive');
raiseFdLimit();
const options: SoakServiceOptions = {
  host: values.host!,
  mode: values.mode,
  idleTimeoutMs: Number(values['idle-timeout']),
  highWaterMark: Number(values.hwm),
  sampleMs: Number(values['sample-ms']),
};
const print = (x: unknown): boolean => process.stdout.write(`${JSON.stringify(x)}\n`);

if (values.driver === 'integrated') {
  const loop = new EventLoop({ mode: options.mode, driver: 'integrated' });
  const server = startSoakService(loop, options, (s) => print({ sample: s }));
  loop.run();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close(2000).then(() => {
      loop.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`listening on ${server.address.toString()}\n`);
} else {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./server-worker.js', import.meta.url), {
    workerData: { options, port: port2 },
    transferList: [port2],
  });
  let wakerFd = -1;
  worker.on('message', (msg: { listening?: string; wakerFd?: number; sample?: unknown }) => {
    if (msg.listening) {
      wakerFd = msg.wakerFd!;
      process.stdout.write(`listening on ${msg.listening}\n`);
    }
    if (msg.sample) print({ sample: msg.sample });
  });
  worker.on('error', (err) => {
    process.stderr.write(`soak server worker: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
  worker.on('exit', (code) => process.exit(code === 0 ? 0 : 1));
  stopWorkerOnSignal(port1, () => wakerFd);
}
