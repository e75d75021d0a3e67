// examples/echo-server --loops N (N > 1): the echo service on a LoopPool — one exclusive
// loop per worker thread, connections spread by SO_REUSEPORT listeners or handed off by an
// acceptor on the main thread. The main thread keeps the signals: SIGTERM/SIGINT stop
// accepting on every loop, drain (up to the deadline), join the threads and exit 0. A loop
// thread that dies makes the process exit 1 (after the other loops are closed).
//
// --stats prints, at exit, one JSON line on stderr: the loops' counters summed ("stats", as
// the single-loop server prints them) and each loop's own report ("loops").
import { fileURLToPath } from 'node:url';
import { LoopPool, type LoopReport, type Spread } from '../../src/index.js';
import type { EchoOptions } from './echo.js';
import { announceListening } from '../shared/run.js';

export interface EchoPoolOptions {
  loops: number;
  spread: Spread;
  stats: boolean;
}

function sum(reports: LoopReport[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.loop)) total[k] = (total[k] ?? 0) + v;
  return total;
}

/** Start the pool, print "listening on HOST:PORT", and run until a signal. */
export async function runEchoPool(opts: EchoOptions & { deadlineMs: number }, pool: EchoPoolOptions): Promise<void> {
  let p: LoopPool;
  try {
    p = await LoopPool.start({
      handler: fileURLToPath(new URL('./handler.js', import.meta.url)),
      loops: pool.loops,
      spread: pool.spread,
      address: opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`,
      mode: opts.mode,
      batchIo: opts.batchIo ?? true,
      server: { idleTimeoutMs: opts.idleTimeoutMs, highWaterMark: 4 << 20 },
    });
  } catch (err) {
    process.stderr.write(`echo-server: ${(err as Error).message}\n`);
    process.exit(2);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void p
      .close(opts.deadlineMs)
      .then(async () => {
        if (pool.stats) {
          const r = (await Promise.all(p.threads.map((t) => t.exited))).filter((x): x is LoopReport => x !== null);
          process.stderr.write(`${JSON.stringify({ stats: sum(r), loops: r })}\n`);
        }
        process.exit(0);
      })
      .catch((err: Error) => {
        process.stderr.write(`echo-server: ${err.message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  p.done.catch(() => process.exit(1)); // a thread died (reported on stderr): the others are closed
  announceListening(p.address.toString());
}
