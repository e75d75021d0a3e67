// http-server --loops N (N > 1): one exclusive loop per worker thread (LoopPool), connections
// spread by SO_REUSEPORT listeners. The main thread keeps the signals: SIGTERM/SIGINT stop
// accepting on every loop, drain (up to 5 s), join the threads and exit 0; a loop thread that
// dies makes the process exit 1.
import { fileURLToPath } from 'node:url';
import { LoopPool } from '../../src/index.js';
import { fail, joinHostPort } from '../shared/cli.js';
import { httpConnectionOptions, type HttpServerOptions } from './server.js';
import { announceListening } from '../shared/run.js';

/** Starts the pool, prints "listening on HOST:PORT", and runs until a signal. */
export async function runHttpPool(name: string, o: HttpServerOptions, loops: number): Promise<void> {
  let pool: LoopPool;
  try {
    pool = await LoopPool.start({
      handler: fileURLToPath(new URL('./handler.js', import.meta.url)),
      loops,
      spread: 'reuseport',
      address: joinHostPort(o.host, o.port),
      mode: o.mode,
      server: httpConnectionOptions(o),
      data: { maxHeadBytes: o.maxHeadBytes, maxBodyBytes: o.maxBodyBytes, headerTimeoutMs: o.headerTimeoutMs, keepAliveTimeoutMs: o.keepAliveTimeoutMs },
    });
  } catch (err) {
    fail(name, (err as Error).message);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void pool.close(5000).then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`${name}: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  pool.done.catch(() => process.exit(1));
  announceListening(pool.address.toString());
}
