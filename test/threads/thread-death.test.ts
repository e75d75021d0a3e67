// A loop thread that dies (process.exit in a worker, an uncaught exception outside the
// handlers) is reported, the pool closes the other loops gracefully, and `done` rejects with
// ERR_REACTOR_POOL_THREAD_DIED so the process can exit non-zero. No fd accounting here: a
// dead thread's epoll fd, waker and connections stay open until the process exits — the
// reason the policy is "report and exit", not "restart the loop".
import { describe, expect, it } from 'vitest';
import type * as Lib from '../../src/errors.js';
import { LINES, internals, poolPerTest } from './client.js';

const { start, client } = poolPerTest();

describe('LoopPool thread death', () => {
  it('a thread that dies is reported, the pool closes the others, done rejects', async () => {
    const errors: Lib.ThreadsError[] = [];
    const pool = await start({ handler: LINES, loops: 2, spread: 'handoff', onError: (e) => errors.push(e) });
    const a = await client();
    const b = await client();
    a.send('die');
    await expect(pool.done).rejects.toMatchObject({ code: 'ERR_REACTOR_POOL_THREAD_DIED', origin: { kind: 'loop', index: 0 } });
    expect(errors[0]).toBeInstanceOf(internals.ThreadDiedError);
    await b.waitClosed(); // loop 1 was closed gracefully
    expect(pool.threads.every((t) => t.state === 'exited')).toBe(true);
  });
});
