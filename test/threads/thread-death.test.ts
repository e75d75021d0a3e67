// A loop thread that dies (process.exit in a worker, an uncaught exception outside the
// handlers) is reported, the pool closes the other loops gracefully, and `done` rejects with
// ERR_REACTOR_POOL_THREAD_DIED so the process can exit non-zero. No fd accounting here: a
// dead thread's epoll fd, waker and connections stay open until the process exits — the
// reason the policy is "report and exit", not "restart the loop".
import { afterEach, describe, expect, it } from 'vitest';
import type * as Lib from '../../src/index.js';
import { DIST_INDEX, FIXTURES, LineClient } from './client.js';

const lib = (await import(DIST_INDEX)) as typeof Lib;
const LINES = `${FIXTURES}lines.mjs`;

let pool: Lib.LoopPool | null = null;
const clients: LineClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await pool?.close(1000).catch(() => undefined);
  pool = null;
});

async function client(): Promise<LineClient> {
  const c = await LineClient.open(pool!.address.port);
  clients.push(c);
  return c;
}

describe('LoopPool thread death', () => {
  it('a thread that dies is reported, the pool closes the others, done rejects', async () => {
    const errors: Lib.ThreadsError[] = [];
    pool = await lib.LoopPool.start({ handler: LINES, loops: 2, spread: 'handoff', onError: (e) => errors.push(e) });
    const a = await client();
    const b = await client();
    a.send('die');
    await expect(pool.done).rejects.toMatchObject({ code: 'ERR_REACTOR_POOL_THREAD_DIED', origin: { kind: 'loop', index: 0 } });
    expect(errors[0]).toBeInstanceOf(lib.ThreadDiedError);
    await b.waitClosed(); // loop 1 was closed gracefully
    expect(pool.threads.every((t) => t.state === 'exited')).toBe(true);
  });

});
