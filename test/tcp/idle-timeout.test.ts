// The idle timeout never closes a connection before idleTimeoutMs has passed
// since its last read or write, measured on the real clock, even when that
// write came late in a long turn (the turn's cached start time is then far in
// the past) or from outside any turn (an integrated loop's cached time is that
// of its last turn, however long ago). Both used to stamp the activity with the
// cached time, so the close came early by the turn's length or the loop's nap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import type { EventLoop } from '../../src/loop/EventLoop.js';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import type { TcpConnection } from '../../src/tcp/TcpConnection.js';
import type { CloseInfo } from '../../src/tcp/ConnectionOptions.js';
import { openFdCount } from '../helpers.js';
import { MATRIX, deferred, withLoop } from './harness.js';

const IDLE_MS = 200;
const TURN_MS = 150; // how long the turn runs before its write: most of IDLE_MS

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * A server with the idle timeout and one client; `act(conn, done)` makes the
 * server connection's last write and calls done() right before it. Resolves with
 * the close reason and the real time from that write to the close.
 */
async function idleAfter(
  loop: EventLoop,
  act: (conn: TcpConnection, beforeWrite: () => void) => void,
): Promise<{ reason: CloseInfo['reason']; gapMs: number }> {
  let wroteAt = 0;
  const closed = deferred<{ reason: CloseInfo['reason']; gapMs: number }>(loop, 'idle close');
  const server = new TcpServer(
    loop,
    {
      onConnection: (conn) => act(conn, () => void (wroteAt = performance.now())),
      onClose: (_conn, info) => closed.resolve({ reason: info.reason, gapMs: performance.now() - wroteAt }),
    },
    { idleTimeoutMs: IDLE_MS },
  );
  server.listen();
  const client = await new TcpClient(loop, server.address).connect();
  try {
    return await closed.promise;
  } finally {
    client.destroy();
    await server.close();
  }
}

describe.each(MATRIX)('idle timeout ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('a write at the end of a long turn restarts the idle time from the write, not the turn start', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const r = await idleAfter(loop, (conn, beforeWrite) => {
        loop.setTimeout(() => {
          busyWait(TURN_MS); // the turn's cached time is now TURN_MS old
          beforeWrite();
          conn.send('x');
        }, 20);
      });
      expect(r.reason).toBe('idle');
      expect(r.gapMs).toBeGreaterThanOrEqual(IDLE_MS);
    });
  });
});

describe.each(MATRIX.filter((m) => m.driver === 'integrated'))('idle timeout ($mode, integrated, $io)', ({ mode, io }) => {
  it('a write from outside any turn restarts the idle time from the write', async () => {
    await withLoop(mode, { driver: 'integrated', io }, async (loop) => {
      const r = await idleAfter(loop, (conn, beforeWrite) => {
        // A Node timer: no turn runs meanwhile (nothing is ready), so loop.now is stale.
        setTimeout(() => {
          beforeWrite();
          conn.send('x');
        }, TURN_MS);
      });
      expect(r.reason).toBe('idle');
      expect(r.gapMs).toBeGreaterThanOrEqual(IDLE_MS);
    });
  });
});
