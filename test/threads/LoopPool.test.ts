// LoopPool: both spreads carry load on every loop, connections come and go without leaking
// fds, posts and sends reach the right loop, a stopping loop closes an fd handed to it, user
// code that throws (or a thread that dies) is reported and hangs nothing.
import { describe, expect, it } from 'vitest';
import type * as Lib from '../../src/errors.js';
import { netLoad } from '../examples/netLoad.js';
import { openFdCount, trackedFds, tcpPair, until } from '../helpers.js';
import { ECHO_HANDLER, FIXTURES, LINES, internals, lib, poolPerTest, type LineClient } from './client.js';

const fds = trackedFds();
const { start, client } = poolPerTest();

describe.each(['reuseport', 'handoff'] as const)('spread %s', (spread) => {
  it('carries a checksummed load on every loop (connections counted per loop)', async () => {
    const pool = await start({ handler: ECHO_HANDLER, loops: 2, spread });
    const bytes = await netLoad({ port: pool.address.port, conns: 100, messages: 10, sizes: [64, 4097], depth: 4 });
    expect(bytes).toBe(50 * 10 * 64 + 50 * 10 * 4097);
    const stats = await pool.stats();
    expect(stats.map((s) => s.index)).toEqual([0, 1]);
    expect(stats.reduce((a, s) => a + s.accepted, 0)).toBe(100);
    for (const s of stats) {
      expect(s.accepted).toBeGreaterThan(spread === 'handoff' ? 49 : 10); // round-robin: 50 each
      expect(s.loop.bytesRead).toBeGreaterThan(0);
    }
  });

  it('1000 connections come and go without leaking an fd', async () => {
    const pool = await start({ handler: ECHO_HANDLER, loops: 2, spread });
    const before = openFdCount();
    for (let round = 0; round < 4; round++) {
      await netLoad({ port: pool.address.port, conns: 250, messages: 2, sizes: [100], depth: 1 });
    }
    await until(() => openFdCount() === before, 5000, `fd count back to ${before} (now ${openFdCount()})`);
    const stats = await pool.stats();
    expect(stats.reduce((a, s) => a + s.accepted, 0)).toBe(1000);
    expect(stats.every((s) => s.connections === 0)).toBe(true);
  });
});

describe('LoopPool', () => {
  it('closing the pool leaves no fd behind (listeners, epoll fds, wakers, threads joined)', async () => {
    const before = openFdCount();
    for (const spread of ['reuseport', 'handoff'] as const) {
      const p = await lib.LoopPool.start({ handler: ECHO_HANDLER, loops: 2, spread, work: { module: `${FIXTURES}work.mjs` } });
      await netLoad({ port: p.address.port, conns: 10, messages: 2, sizes: [10], depth: 1 });
      await p.close(1000);
      await p.done;
      expect(p.threads.every((t) => t.state === 'exited')).toBe(true);
    }
    expect(openFdCount()).toBe(before);
  });

  it('handoff least-connections sends new connections to the loop with fewer', async () => {
    const pool = await start({ handler: LINES, loops: 2, spread: 'handoff', balance: 'least-connections' });
    const first = [await client(), await client(), await client(), await client()];
    const loopOf = async (c: LineClient): Promise<string> => (await c.ask('loop?')).split(' ')[1]!;
    const where = await Promise.all(first.map(loopOf));
    expect(where.filter((l) => l === '0')).toHaveLength(2); // balanced: 2 and 2
    // empty loop 0 and wait until it has counted the closes: the next two both go to loop 0
    first.forEach((c, i) => where[i] === '0' && c.close());
    const deadline = Date.now() + 5000;
    while ((await pool.stats())[0]!.connections !== 0) {
      if (Date.now() > deadline) throw new Error('loop 0 still has connections');
      await new Promise((r) => setTimeout(r, 10));
    }
    const next = [await client(), await client()];
    expect(await Promise.all(next.map(loopOf))).toEqual(['0', '0']);
  });

  it('a post or a send from another thread runs on the loop that owns the target', async () => {
    const pool = await start({ handler: LINES, loops: 2, spread: 'handoff', data: { room: 'r1' } });
    const a = await client(); // round-robin: a on loop 0, b on loop 1
    const b = await client();
    expect(await a.ask('loop?')).toBe('loop 0 of 2 data {"room":"r1"}');
    expect(await b.ask('loop?')).toBe('loop 1 of 2 data {"room":"r1"}');
    const idB = Number((await b.ask('id?')).split(' ')[1]);
    expect(internals.loopOfConnection(idB)).toBe(1);
    // loop 0 -> loop 1: onPost runs on loop 1, which answers a through a's id (a send back to loop 0)
    a.send('post 1 hello');
    expect(await a.lines(2)).toEqual(['post true', 'posted hello ran on 1 from 0 seen 1']);
    // loop 0 sends to b's connection on loop 1 by id
    expect(await a.ask(`sendto ${idB} across`)).toBe('sendto true');
    expect(await b.lines(1)).toEqual(['across']);
    // the main thread posts to loop 1: from -1
    expect(pool.post(1, { text: 'main', replyTo: idB })).toBe(true);
    expect(await b.lines(1)).toEqual(['posted main ran on 1 from -1 seen 2']);
  });

  it('an fd handed to a stopping loop is closed by that loop, never leaked', async () => {
    const pool = await start({ handler: ECHO_HANDLER, loops: 2, spread: 'handoff' });
    // Keep loop 1 stopping for a while: its one connection has output the peer never reads,
    // so the graceful close waits for the 3 s deadline.
    await client(); // loop 0
    const stuck = await client(); // loop 1
    stuck.socket.pause();
    stuck.socket.write(Buffer.alloc(8 << 20, 1));
    await new Promise((r) => setTimeout(r, 300));
    const [clientFd, serverFd] = tcpPair(fds);
    const target = pool.threads[1]!;
    target.stop(3000);
    await new Promise((r) => setTimeout(r, 100)); // loop 1 is now stopping
    const t0 = Date.now();
    expect(target.handOff(serverFd)).toBe(true);
    fds.forget(serverFd); // loop 1 owns it now
    await until(() => isEof(clientFd), 2000, 'EOF on the client side');
    expect(Date.now() - t0).toBeLessThan(2000); // closed on arrival, not at the deadline
    const report = await target.exited;
    expect(report?.handoffsRefused).toBe(1);
    expect(report?.accepted).toBe(1);
    // once loop 1 has stopped, the acceptor hands everything to loop 0 (the doorbell refuses)
    expect(target.handOff(-1)).toBe(false);
    const bytes = await netLoad({ port: pool.address.port, conns: 6, messages: 2, sizes: [32], depth: 1 });
    expect(bytes).toBe(6 * 2 * 32);
    const [s0] = await pool.stats();
    expect(s0!.accepted).toBe(7);
    expect(pool.handoffsClosed).toBe(0);
  });

  it('a throwing handler closes its connection, is reported with its stack, and the loop goes on', async () => {
    const errors: Lib.ThreadsError[] = [];
    const pool = await start({ handler: LINES, loops: 2, spread: 'handoff', onError: (e) => errors.push(e) });
    const a = await client();
    const b = await client();
    const c = await client(); // loop 0, like a
    a.send('throw');
    await a.waitClosed();
    b.send('reject');
    await b.waitClosed();
    await until(() => errors.length === 2, 5000, 'two reports');
    const sync = errors.find((e) => e.message.includes('boom from the handler') && !e.message.includes('async'))!;
    expect(sync.code).toBe('ERR_REACTOR_POOL_HANDLER_THREW');
    expect(sync).toBeInstanceOf(internals.HandlerThrewError);
    expect((sync as Lib.HandlerThrewError).where).toBe('onMessage');
    expect((sync as Lib.HandlerThrewError).connectionId % internals.MAX_LOOPS).toBe(0);
    expect(sync.remoteStack).toContain('lines.mjs');
    expect(sync.origin).toEqual({ kind: 'loop', index: 0 });
    expect(errors.some((e) => e.message.includes('async boom') && e.origin.index === 1)).toBe(true);
    expect(await c.ask('loop?')).toBe('loop 0 of 2 data undefined');
    const stats = await pool.stats();
    expect(stats.map((s) => s.handlerErrors)).toEqual([1, 1]);
  });

  it('a module that is not a handler fails start with a coded error and leaks nothing', async () => {
    const before = openFdCount();
    await expect(lib.LoopPool.start({ handler: `${FIXTURES}notahandler.mjs`, loops: 2 })).rejects.toMatchObject({
      code: 'ERR_REACTOR_POOL_START_FAILED',
      message: expect.stringContaining('defineHandler'),
    });
    await expect(lib.LoopPool.start({ handler: `${FIXTURES}missing.mjs`, loops: 1, spread: 'handoff' })).rejects.toMatchObject({
      code: 'ERR_REACTOR_POOL_START_FAILED',
    });
    expect(openFdCount()).toBe(before);
  });
});

/** A read of 0 bytes: the peer closed. */
function isEof(fd: number): boolean {
  const buf = Buffer.alloc(16);
  return internals.native.read(fd, buf, 0, 16) === 0;
}
