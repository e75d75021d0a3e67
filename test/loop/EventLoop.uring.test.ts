// EventLoop in mode 'uring' beyond the shared TCP matrix (test/tcp runs every suite in it too):
// the coded error where io_uring is refused (in the library, and from an example server's
// command line), option checks, a provided-buffer ring far smaller than the load (recvs that
// run dry end with -ENOBUFS and are re-armed, no byte lost), reading paused and resumed from
// outside a turn, and a LoopPool of 'uring' loops behind examples/echo-server --loops 2.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventLoop } from '../../src/loop/EventLoop.js';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import { UringUnavailableError } from '../../src/errors.js';
import { openFdCount } from '../helpers.js';
import { ByteStream, deferred, echoClient, withLoop } from '../tcp/harness.js';
import { startEcho } from '../../examples/echo.js';
import { netLoad } from '../examples/netLoad.js';
import { startProcess, stopProcess } from '../threads/client.js';

const ECHO_SERVER = fileURLToPath(new URL('../../dist/examples/echo-server.js', import.meta.url));

/** Run `fn` with the native knob that makes io_uring_setup fail with `errno`. */
function withSetupErrno<T>(errno: string, fn: () => T): T {
  process.env['EPOLL_REACTOR_URING_SETUP_ERRNO'] = errno;
  try {
    return fn();
  } finally {
    delete process.env['EPOLL_REACTOR_URING_SETUP_ERRNO'];
  }
}

describe("EventLoop mode 'uring' where io_uring is refused", () => {
  it.each([
    ['EPERM', 'integrated', /seccomp|io_uring_disabled/],
    ['EPERM', 'exclusive', /seccomp|io_uring_disabled/],
    ['ENOSYS', 'integrated', /no io_uring/],
    ['ENOMEM', 'exclusive', /RLIMIT_MEMLOCK/],
  ] as const)('io_uring_setup %s (%s driver): new EventLoop throws ERR_REACTOR_URING_UNAVAILABLE naming the cause, leaks no fd', (errno, driver, cause) => {
    const before = openFdCount();
    let thrown: unknown;
    withSetupErrno(errno, () => {
      try {
        new EventLoop({ mode: 'uring', driver });
      } catch (err) {
        thrown = err;
      }
    });
    expect(thrown).toBeInstanceOf(UringUnavailableError);
    expect((thrown as UringUnavailableError).code).toBe('ERR_REACTOR_URING_UNAVAILABLE');
    expect((thrown as Error).message).toMatch(cause);
    expect(openFdCount()).toBe(before);
    // The epoll modes never touch io_uring.
    withSetupErrno(errno, () => new EventLoop({ mode: 'lt', driver }).close());
  });

  it.each(['integrated', 'exclusive'])('echo-server --mode uring --driver %s exits 2 with the coded error on one line', async (driver) => {
    const child = spawn(process.execPath, [ECHO_SERVER, '--mode', 'uring', '--driver', driver, '--port', '0'], {
      env: { ...process.env, EPOLL_REACTOR_URING_SETUP_ERRNO: 'EPERM' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^echo-server: ERR_REACTOR_URING_UNAVAILABLE: io_uring is unavailable \(io_uring_setup: EPERM\)/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe("EventLoop mode 'uring' options", () => {
  it('checks ringBuffers (a power of two) and ringBufferSize', () => {
    expect(() => new EventLoop({ mode: 'uring', ringBuffers: 3 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new EventLoop({ mode: 'uring', ringBuffers: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new EventLoop({ mode: 'uring', ringBufferSize: 10 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new EventLoop({ mode: 'uring', ringBuffers: '8' as unknown as number })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new EventLoop({ mode: 'ring' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    const loop = new EventLoop({ mode: 'uring', ringBuffers: 8, ringBufferSize: 4096 });
    expect(loop.mode).toBe('uring');
    loop.close();
  });
});

describe.each(['integrated', 'exclusive'] as const)("EventLoop mode 'uring' (%s driver)", (driver) => {
  it('loses nothing when the provided buffers run out: 20 pipelined connections on 4 buffers of 256 B', async () => {
    await withLoop('uring', { driver, io: 'batched', options: { ringBuffers: 4, ringBufferSize: 256 } }, async (loop) => {
      const server = startEcho(loop, { host: '127.0.0.1', port: 0, mode: 'uring', idleTimeoutMs: 0 });
      const runs = Array.from({ length: 20 }, (_, i) => ({ messages: 30, size: 1000 + 97 * i, depth: 4, seed: 100 + i }));
      const conns = await Promise.all(runs.map((r) => echoClient(loop, server.address, r)));
      for (const c of conns) c.close();
      await server.close(1000);
      expect(loop.stats.bytesRead).toBe(2 * runs.reduce((s, r) => s + r.messages * r.size, 0));
    });
  });
});

describe("EventLoop mode 'uring': reading paused and resumed outside a turn", () => {
  it('pauseReading()/resumeReading() from Node timers (integrated driver): the resumed recv is submitted at once', async () => {
    await withLoop('uring', 'integrated', async (loop) => {
      const total = 256 * 1024;
      let received = 0;
      const done = deferred(loop, 'all bytes after resume');
      const server = new TcpServer(
        loop,
        {
          onConnection(conn) {
            conn.pauseReading(); // inside a turn: the recv is cancelled
            setTimeout(() => conn.resumeReading(), 50); // outside any turn
          },
          onMessage(_conn, input) {
            received += input.readableBytes;
            input.retrieveAll();
            if (received === total) done.resolve();
          },
        },
        { address: '127.0.0.1:0' },
      );
      server.listen();
      const client = await new TcpClient(loop, server.address).connect();
      client.send(new ByteStream(7).next(total));
      await done.promise;
      expect(received).toBe(total);
      client.close();
      await server.close(1000);
    });
  });
});

describe("examples/echo-server --mode uring --loops 2 (a LoopPool of 'uring' loops)", () => {
  it('serves 100 pipelined, checksummed connections and exits 0 on SIGTERM', async () => {
    const server = await startProcess(ECHO_SERVER, ['--mode', 'uring', '--loops', '2', '--stats']);
    let bytes = 0;
    try {
      bytes = await netLoad({ port: server.port, conns: 100, messages: 20, sizes: [64, 4097, 65_537], depth: 8 });
    } catch (err) {
      server.child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\nserver stderr: ${server.stderr()}`);
    }
    expect(bytes).toBeGreaterThan(0);
    const { code } = await stopProcess(server, 'SIGTERM');
    expect(code).toBe(0);
    const report = JSON.parse(server.stderr().trim().split('\n').pop()!) as { stats: Record<string, number> };
    expect(report.stats['bytesRead']).toBe(bytes);
    expect(report.stats['bytesWritten']).toBe(bytes);
  }, 60_000);
});
