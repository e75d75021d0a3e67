// A loop thread that dies (process.exit in a worker, an uncaught exception outside the
// handlers) is reported, the pool closes the other loops gracefully, and `done` rejects with
// ERR_REACTOR_POOL_THREAD_DIED so the process can exit non-zero. A thread ended by
// process.exit() closes its epoll fd, waker, timer fd, listener and connections on the way
// out: the process's fd count is back where it was.
import { describe, expect, it } from 'vitest';
import { openFdCount } from '../helpers.js';
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

  it('a thread ended by process.exit() leaves none of its fds open', async () => {
    const before = openFdCount();
    const pool = await start({ handler: LINES, loops: 1, spread: 'reuseport', onError: () => {} });
    const a = await client();
    const b = await client();
    a.send('die');
    await expect(pool.done).rejects.toMatchObject({ code: 'ERR_REACTOR_POOL_THREAD_DIED' });
    await a.waitClosed(); // closed by the dying thread, not left half-open
    await b.waitClosed();
    a.close();
    b.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(openFdCount()).toBe(before);
  });
});
