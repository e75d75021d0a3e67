// WorkPool: results come back to the connection's own loop in submission order (even when
// later jobs finish first on other work threads), a full queue refuses submissions with
// ERR_REACTOR_WORK_QUEUE_FULL and recovers, and a work function that throws is reported
// with its stack, closes its connection, and leaves the pool working.
import { describe, expect, it } from 'vitest';
import type * as Lib from '../../src/errors.js';
import { until } from '../helpers.js';
import { LINES, WORK, poolPerTest } from './client.js';

const { start, client } = poolPerTest();

describe('WorkPool', () => {
  it('results return in submission order per connection, though later jobs finish first', async () => {
    await start({ handler: LINES, loops: 2, spread: 'handoff', work: { module: WORK, threads: 3 } });
    const a = await client();
    const b = await client();
    // a's first job is the slowest; b's jobs run meanwhile on the other work threads
    a.send('work 0 120', 'work 1 60', 'work 2 0', 'work 3 30', 'work 4 0');
    b.send('work 10 0', 'work 11 80', 'work 12 0');
    expect(await a.lines(5)).toEqual(['done 0', 'done 1', 'done 2', 'done 3', 'done 4']);
    expect(await b.lines(3)).toEqual(['done 10', 'done 11', 'done 12']);
  });

  it('a full queue refuses submissions with ERR_REACTOR_WORK_QUEUE_FULL and recovers', async () => {
    await start({ handler: LINES, loops: 1, spread: 'reuseport', work: { module: WORK, threads: 1, maxQueue: 4 } });
    const a = await client();
    expect(await a.ask('flood 10 30')).toBe('flood 4 6 ERR_REACTOR_WORK_QUEUE_FULL');
    expect(await a.lines(1)).toEqual(['flooded 4']);
    // the places were released as jobs finished: the queue takes work again
    expect(await a.ask('flood 4 0')).toBe('flood 4 0 ');
    expect(await a.lines(1)).toEqual(['flooded 4']);
  });

  it('the queue bound is pool-wide: two loops share maxQueue', async () => {
    await start({ handler: LINES, loops: 2, spread: 'handoff', work: { module: WORK, threads: 1, maxQueue: 3 } });
    const a = await client();
    const b = await client();
    a.send('flood 2 200');
    expect(await a.lines(1)).toEqual(['flood 2 0 ']);
    expect(await b.ask('flood 3 0')).toBe('flood 1 2 ERR_REACTOR_WORK_QUEUE_FULL');
    expect(await a.lines(1)).toEqual(['flooded 2']);
    expect(await b.lines(1)).toEqual(['flooded 1']);
  });

  it('a throwing work function is reported with its stack, closes its connection, and hangs nothing', async () => {
    const errors: Lib.ThreadsError[] = [];
    const pool = await start({
      handler: LINES,
      loops: 1,
      spread: 'reuseport',
      work: { module: WORK, threads: 1 },
      onError: (e) => errors.push(e),
    });
    const a = await client();
    const b = await client();
    a.send('fail');
    await a.waitClosed();
    await until(() => errors.length === 1, 5000, 'the report');
    expect(errors[0]!.code).toBe('ERR_REACTOR_POOL_HANDLER_THREW');
    expect((errors[0] as Lib.HandlerThrewError).where).toBe('fail');
    expect(errors[0]!.remoteStack).toContain('work.mjs');
    expect(errors[0]!.remoteStack).toContain('work went wrong');
    // the same work thread still serves the other connection
    expect(await b.ask('work 7 0')).toBe('done 7');
    await pool.close(1000);
    await pool.done;
    expect(errors).toHaveLength(1);
  });
});
