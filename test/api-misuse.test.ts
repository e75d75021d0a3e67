// Misuse at the public boundary: each mistake a user can make with the root API throws a
// coded error that names it (never a silent no-op, never an error from deep inside), and the
// "one rule per behaviour" promises: send() after close() always throws, unref() before run()
// is remembered, close() flushes pending output. Each case failed (or passed silently) before
// the checks were added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EventLoop, Epoll, LoopPool, TcpClient, TcpServer, type TcpConnection } from '../src/index.js';
import { openFdCount } from './helpers.js';
import { MATRIX, deferred, until, withLoop } from './tcp/harness.js';

const DIST_INDEX = fileURLToPath(new URL('../dist/src/index.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./threads/fixtures/', import.meta.url));

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

/** The error `fn` throws (fails if it does not). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('constructor and option misuse', () => {
  it('EventLoop: a mode string instead of options, an unknown key, a bad mode', () => {
    expect(thrown(() => new EventLoop('et' as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('"options"') });
    expect(thrown(() => new EventLoop({ mdoe: 'et' } as never))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"mdoe"') });
    expect(thrown(() => new EventLoop({ mode: 'xt' as 'lt' }))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('options.mode') });
    expect(thrown(() => new EventLoop({ batchIo: 'yes' as never }))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('TcpServer: the loop forgotten, node:net spellings, a port as the address, no input callback', () => {
    const loop = new EventLoop();
    try {
      const forgot = thrown(() => new (TcpServer as unknown as new (...a: unknown[]) => TcpServer)({ onMessage() {} }, { address: '127.0.0.1:0' }));
      expect(forgot).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('"loop"') });
      expect(forgot.message).toContain('EventLoop');
      const port = thrown(() => new TcpServer(loop, { onMessage() {} }, { port: 0 } as never));
      expect(port).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"port"') });
      expect(port.message).toContain('address');
      expect(thrown(() => new TcpServer(loop, { onMessage() {} }, { address: 8080 as never }))).toMatchObject({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('options.address'),
      });
      expect(thrown(() => new TcpServer(loop, { onClose() {} }))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('onMessage') });
      expect(thrown(() => new TcpServer(loop, { onMesage() {} } as never))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"onMesage"') });
      expect(thrown(() => new TcpServer(loop, { onMessage: 'echo' as never }))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      expect(thrown(() => new TcpServer(loop, { onMessage() {} }, { highWaterMark: '1mb' as never }))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    } finally {
      loop.close();
    }
  });

  it('TcpClient: the loop forgotten, a port as the address, an unknown option', () => {
    const loop = new EventLoop();
    try {
      expect(thrown(() => new (TcpClient as unknown as new (...a: unknown[]) => TcpClient)('127.0.0.1:1', {}))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('EventLoop') });
      expect(thrown(() => new TcpClient(loop, 8080 as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('"address"') });
      expect(thrown(() => new TcpClient(loop, '127.0.0.1:1', {}, { retries: 3 } as never))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"retries"') });
    } finally {
      loop.close();
    }
  });

  it('Epoll.watch() twice is ERR_REACTOR_ALREADY_WATCHED; a non-function is ERR_INVALID_ARG_TYPE', () => {
    const ep = new Epoll();
    try {
      ep.watch(() => {});
      expect(thrown(() => ep.watch(() => {}))).toMatchObject({ code: 'ERR_REACTOR_ALREADY_WATCHED', name: 'AlreadyWatchedError' });
      ep.unwatch();
      expect(thrown(() => ep.watch(42 as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      expect(thrown(() => new Epoll({ maxEvent: 4 } as never))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    } finally {
      ep.close();
    }
  });
});

describe('LoopPool misuse', () => {
  it('a closure as the handler names the mistake (threads share no closures)', async () => {
    const err = await LoopPool.start({ handler: (() => ({ onMessage() {} })) as never, loops: 1 }).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('options.handler') });
    expect(err!.message).toContain('closures');
    await expect(LoopPool.start({ handler: `${FIXTURES}lines.mjs`, loop: 2 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"loop"') });
  });

  it('a handler with neither onMessage nor onConnection fails start, like TcpServer', async () => {
    // Loaded from dist/ (worker threads run compiled code): the same rule, reported by the pool.
    const lib = (await import(DIST_INDEX)) as typeof import('../src/index.js');
    await expect(lib.LoopPool.start({ handler: `${FIXTURES}noinput.mjs`, loops: 1, spread: 'handoff' })).rejects.toMatchObject({
      code: 'ERR_REACTOR_POOL_START_FAILED',
      message: expect.stringContaining('onMessage'),
    });
  }, 20_000);
});

describe.each(MATRIX)('send() rules ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('bytes of any view or an ArrayBuffer are delivered; a number throws; send() after close() always throws', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      let serverConn: TcpConnection | null = null;
      const got: Buffer[] = [];
      const closed = deferred(loop, 'server side closed');
      const server = new TcpServer(loop, {
        onConnection: (c) => (serverConn = c),
        onMessage: (_c, input) => void got.push(input.takeAll()),
        onClose: () => closed.resolve(),
      });
      server.listen();
      const client = await new TcpClient(loop, server.address, { onMessage: () => {} }).connect();
      await until(loop, () => serverConn !== null, 'accept');
      const ab = new Uint8Array([1, 2, 3]).buffer;
      expect(client.send(ab)).toBe(true);
      expect(client.send(new DataView(new Uint8Array([9, 4, 5, 9]).buffer, 1, 2))).toBe(true);
      expect(thrown(() => client.send(42 as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('number') });
      expect(thrown(() => client.send([1, 2] as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      await until(loop, () => Buffer.concat(got).length === 5, 'five bytes');
      expect([...Buffer.concat(got)]).toEqual([1, 2, 3, 4, 5]);
      client.close();
      // closed at once (nothing pending), and after: the same answer, a throw
      expect(thrown(() => client.send('x'))).toMatchObject({ code: 'ERR_REACTOR_WRITE_AFTER_END' });
      expect(thrown(() => client.send(42 as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      await expect(client.write('x')).rejects.toMatchObject({ code: 'ERR_REACTOR_WRITE_AFTER_END' });
      await closed.promise;
      // the peer closed us: the server side is closed, and send() says so the same way
      expect(thrown(() => serverConn!.send('late'))).toMatchObject({ code: 'ERR_REACTOR_WRITE_AFTER_END' });
      await server.close();
    });
  });

  it('close() with output pending: send() throws at once, the pending bytes all arrive, then EOF', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const big = Buffer.alloc(8 << 20, 7);
      let conn: TcpConnection | null = null;
      const server = new TcpServer(loop, {
        onConnection: (c) => {
          conn = c;
          c.send(big); // more than the socket buffers take: some stays pending
          c.close();
          expect(c.pendingOutput).toBeGreaterThan(0);
          expect(thrown(() => c.send('more'))).toMatchObject({ code: 'ERR_REACTOR_WRITE_AFTER_END' });
        },
      });
      server.listen();
      let received = 0;
      const eof = deferred<string>(loop, 'client sees the close');
      await new TcpClient(loop, server.address, {
        onMessage: (_c, input) => {
          received += input.readableBytes;
          input.retrieveAll();
        },
        onClose: (_c, info) => eof.resolve(info.reason),
      }).connect();
      expect(await eof.promise).toBe('eof');
      expect(conn).not.toBeNull();
      expect(received).toBe(big.length);
      await server.close();
    });
  });
});

describe('unref() before run()', () => {
  /** Runs `body` (ESM, with the library as `lib`) in a child and reports how it ended. */
  function child(body: string): { status: number | null; signal: string | null; stdout: string } {
    const src = `const lib = await import(${JSON.stringify(DIST_INDEX)});\n${body}`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', timeout: 5000, killSignal: 'SIGKILL' });
    return { status: r.status, signal: r.signal, stdout: r.stdout };
  }

  it('lets the process exit by itself while the loop runs with a listening server', () => {
    const r = child(
      "const loop = new lib.EventLoop(); const s = new lib.TcpServer(loop, { onMessage() {} }); s.listen(); loop.unref(); loop.run(); console.log('running');",
    );
    expect(r).toMatchObject({ status: 0, signal: null });
    expect(r.stdout).toContain('running');
  });

  it('ref() before run() undoes it (the loop keeps the process alive; killed by the timeout)', () => {
    const r = child('const loop = new lib.EventLoop(); loop.unref(); loop.ref(); loop.run(); setTimeout(() => loop.stop(), 1500);');
    // stops itself after 1.5 s: it was kept alive until then (an unref'd loop would exit at once, also status 0)
    expect(r.status).toBe(0);
    const fast = child('const t0 = Date.now(); const loop = new lib.EventLoop(); loop.unref(); loop.ref(); loop.run(); setTimeout(() => { loop.stop(); console.log(Date.now() - t0); }, 300).unref();');
    expect(Number(fast.stdout.trim())).toBeGreaterThanOrEqual(290);
  });
});
