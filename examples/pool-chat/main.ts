// examples/pool-chat: one chat room served by a LoopPool — the handler module (handler.ts)
// runs in every loop thread, the work module (work.ts) in the WorkPool.
//
//   node dist/examples/pool-chat/main.js [--host 127.0.0.1] [--port 0] [--mode lt|et] [--loops 2]
//        [--spread reuseport|handoff] [--work-threads 1]
//
// Prints "listening on HOST:PORT" once every loop runs; SIGTERM/SIGINT close the pool
// (stop accepting, drain, join the threads) and exit 0; a thread that dies exits 1.
import { fileURLToPath } from 'node:url';
import { LoopPool } from '../../src/index.js';
import { fail, joinHostPort, parseServerCli } from '../shared/cli.js';
import { announceListening } from '../shared/run.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'pool-chat';
const { server, values } = parseServerCli({
  name: NAME,
  file: 'pool-chat/main.js',
  about: 'One line-based chat room served by a LoopPool, with CPU work in a WorkPool (--driver does not apply: pool loops are exclusive). ' + ERROR_POLICY,
  flags: {
    loops: { type: 'string', default: '2', arg: 'N', help: 'loop threads' },
    spread: { type: 'string', default: 'reuseport', arg: 'reuseport|handoff', help: 'how connections reach the loops' },
    'work-threads': { type: 'string', default: '1', arg: 'N', help: 'WorkPool threads' },
  },
});
const loops = Number(values.loops);
const workThreads = Number(values['work-threads']);
if (!Number.isInteger(loops) || loops < 1 || loops > 256) fail(NAME, `bad --loops '${String(values.loops)}'`);
if (!Number.isInteger(workThreads) || workThreads < 1) fail(NAME, `bad --work-threads '${String(values['work-threads'])}'`);
if (values.spread !== 'reuseport' && values.spread !== 'handoff') fail(NAME, `--spread must be reuseport or handoff`);

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const pool = await LoopPool.start({
  handler: here('./handler.js'),
  work: { module: here('./work.js'), threads: workThreads, maxQueue: 256 },
  loops,
  spread: values.spread,
  mode: server.mode,
  address: joinHostPort(server.host, server.port),
}).catch((err: Error) => fail(NAME, err.message));
const stop = (): void => void pool.close(2000).then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
pool.done.catch(() => process.exit(1));
announceListening(pool.address.toString());
