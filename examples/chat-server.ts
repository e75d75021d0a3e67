// examples/chat-server: one chat room served by a LoopPool — the handler module
// (chat-handler.ts) runs in every loop thread, the work module (chat-work.ts) in the WorkPool.
//
//   node dist/examples/chat-server.js [--host 127.0.0.1] [--port 0] [--loops 2]
//        [--spread reuseport|handoff] [--work-threads 1]
//
// Prints "listening on HOST:PORT" once every loop runs; SIGTERM/SIGINT close the pool
// (stop accepting, drain, join the threads) and exit 0; a thread that dies exits 1.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LoopPool } from '../src/index.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    loops: { type: 'string', default: '2' },
    spread: { type: 'string', default: 'reuseport' },
    'work-threads': { type: 'string', default: '1' },
  },
});

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const pool = await LoopPool.start({
  handler: here('./chat-handler.js'),
  work: { module: here('./chat-work.js'), threads: Number(values['work-threads']), maxQueue: 256 },
  loops: Number(values.loops),
  spread: values.spread === 'handoff' ? 'handoff' : 'reuseport',
  address: `${values.host}:${values.port}`,
}).catch((err: Error) => {
  process.stderr.write(`chat-server: ${err.message}\n`);
  process.exit(2);
});
const stop = (): void => void pool.close(2000).then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
pool.done.catch(() => process.exit(1));
process.stdout.write(`listening on ${pool.address.toString()}\n`);
