// Errors thrown by user callbacks, in every mode x driver x I/O path: the
// throwing connection closes with reason 'error' and its error reaches onError;
// no other connection loses a byte or waits for an unrelated event; the turn
// still flushes and runs its deferred closes; with no handler anywhere the loop
// stops and run() rejects with the error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLoop } from '../../src/loop/EventLoop.js';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import type { CloseInfo, TcpConnection } from '../../src/tcp/TcpConnection.js';
import type { SocketAddress } from '../../src/net/SocketAddress.js';
import { NonErrorThrownError } from '../../src/errors.js';
import { openFdCount } from '../helpers.js';
import { MATRIX, deferred, until, withLoop } from './harness.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

/** A client that collects what it receives as text and resolves when it has `expected`. */
async function textClient(loop: EventLoop, address: SocketAddress, label: string) {
  let text = '';
  let want = '';
  let got = deferred<string>(loop, label);
  const closed = deferred<CloseInfo>(loop, `${label}: closed`);
  const conn = await new TcpClient(loop, address, {
    onMessage(_c, input) {
      text += input.takeAll().toString();
      if (text === want) got.resolve(text);
    },
    onClose(_c, info) {
      closed.resolve(info);
    },
  }).connect();
  return {
    conn,
    closed: closed.promise,
    /** Send `msg` (from a task, so both clients' sends leave in one flush) and await `reply`. */
    expect(reply: string): Promise<string> {
      text = '';
      want = reply;
      got = deferred<string>(loop, `${label}: ${reply}`);
      return got.promise;
    },
  };
}

/** A server whose onMessage echoes, and throws on 'boom'. */
function boomServer(loop: EventLoop, boom: unknown, extra: ConstructorParameters<typeof TcpServer>[1] = {}, options = {}) {
  const accepted: TcpConnection[] = [];
  const closes = new Map<TcpConnection, CloseInfo>();
  const server = new TcpServer(
    loop,
    {
      onConnection: (conn) => void accepted.push(conn),
      onMessage(conn, input) {
        const text = input.takeAll().toString();
        if (text === 'boom') throw boom;
        conn.send(text);
      },
      onClose: (conn, info) => void closes.set(conn, info),
      ...extra,
    },
    options,
  );
  server.listen();
  return { server, accepted, closes };
}

describe.each(MATRIX)('callback errors ($mode, $driver, $io)', ({ mode, driver, io }) => {
  for (const throwerFirst of [true, false]) {
    it(`a throwing onMessage closes only its connection (thrower handled ${throwerFirst ? 'first' : 'second'} in the turn)`, async () => {
      await withLoop(mode, { driver, io }, async (loop) => {
        const boom = new Error('boom');
        const errors: Array<[Error, TcpConnection | undefined]> = [];
        const { server, accepted, closes } = boomServer(loop, boom, { onError: (err, conn) => void errors.push([err, conn]) });
        const a = await textClient(loop, server.address, 'A');
        await until(loop, () => accepted.length === 1, 'A accepted');
        const b = await textClient(loop, server.address, 'B');
        await until(loop, () => accepted.length === 2, 'B accepted');
        const [serverA, serverB] = accepted as [TcpConnection, TcpConnection];
        // Both sends leave in one flush, in this order, so the server sees both
        // connections readable in one turn, in this order.
        const echoed = b.expect('ping');
        loop.queueInLoop(() => {
          if (throwerFirst) {
            a.conn.send('boom');
            b.conn.send('ping');
          } else {
            b.conn.send('ping');
            a.conn.send('boom');
          }
        });
        expect(await echoed).toBe('ping'); // not lost (thrower first), not stuck (thrower second)
        expect((await a.closed).reason).toBe('eof');
        expect(errors).toEqual([[boom, serverA]]);
        expect(closes.get(serverA)).toEqual({ reason: 'error', error: boom });
        expect(serverA.state).toBe('closed');
        expect(serverB.state).toBe('connected');
        expect(serverB.pendingOutput).toBe(0);
        // B goes on as if nothing happened
        const again = b.expect('pong');
        b.conn.send('pong');
        expect(await again).toBe('pong');
        b.conn.close();
        await server.close(1000);
      });
    });
  }

  it('a throw in a flush callback (onDrain) closes only that connection; the others keep their write results', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const boom = new Error('drain');
      const errors: Error[] = [];
      // highWaterMark 1: every reply crosses it, so onDrain runs when the flush writes it.
      const { server, accepted, closes } = boomServer(
        loop,
        boom,
        {
          onDrain(conn) {
            if (conn === accepted[0]) throw boom;
          },
          onError: (err) => void errors.push(err),
        },
        { highWaterMark: 1 },
      );
      const a = await textClient(loop, server.address, 'A');
      await until(loop, () => accepted.length === 1, 'A accepted');
      const b = await textClient(loop, server.address, 'B');
      await until(loop, () => accepted.length === 2, 'B accepted');
      const echoed = b.expect('0123456789');
      loop.queueInLoop(() => {
        a.conn.send('abc');
        b.conn.send('0123456789');
      });
      expect(await echoed).toBe('0123456789');
      await a.closed;
      expect(errors).toEqual([boom]);
      expect(closes.get(accepted[0]!)?.reason).toBe('error');
      // exactly once: a lost write result would send B's reply again with the next flush
      const next = b.expect('x');
      b.conn.send('x');
      expect(await next).toBe('x');
      expect(accepted[1]!.bytesWritten).toBe(11);
      b.conn.close();
      await server.close(1000);
    });
  });

  it("onConnection, a connection's own onError, timers, tasks and non-Error throws follow the policy", async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const loopErrors: Error[] = [];
      loop.onError = (err) => void loopErrors.push(err);
      // a task and a timer that throw: reported, and the loop goes on
      const taskErr = new Error('task');
      loop.queueInLoop(() => {
        throw taskErr;
      });
      const timerFired = deferred(loop, 'timer after a throwing timer');
      loop.setTimeout(() => {
        throw 'plain string';
      }, 1);
      loop.setTimeout(() => timerFired.resolve(), 5);
      await timerFired.promise;
      expect(loopErrors[0]).toBe(taskErr);
      expect(loopErrors[1]).toBeInstanceOf(NonErrorThrownError);
      expect(loopErrors[1]).toMatchObject({ code: 'ERR_REACTOR_NON_ERROR_THROWN', value: 'plain string' });

      // onConnection throws: that connection closes, the server's onError hears of it
      const connErr = new Error('onConnection');
      const serverErrors: Array<[Error, TcpConnection | undefined]> = [];
      const server = new TcpServer(loop, {
        onConnection() {
          throw connErr;
        },
        onError: (err, conn) => void serverErrors.push([err, conn]),
      });
      server.listen();
      const rejected = await textClient(loop, server.address, 'rejected');
      expect((await rejected.closed).reason).toBe('eof');
      expect(serverErrors).toHaveLength(1);
      expect(serverErrors[0]![0]).toBe(connErr);
      expect(serverErrors[0]![1]!.state).toBe('closed');

      // a client connection's own onError(conn, err); its onError throwing goes to the loop
      server.setCallbacks({ onConnection: () => {}, onMessage: (conn, input) => void conn.send(input.takeAll()) });
      const msgErr = new Error('client onMessage');
      const handlerErr = new Error('client onError');
      const seen: Array<[TcpConnection, Error, string]> = [];
      const clientClosed = deferred<CloseInfo>(loop, 'client closed by its own throw');
      const client = await new TcpClient(loop, server.address, {
        onMessage() {
          throw msgErr;
        },
        onClose: (_c, info) => clientClosed.resolve(info),
        onError(conn, err) {
          seen.push([conn, err, conn.state]);
          throw handlerErr;
        },
      }).connect();
      client.send('hi');
      expect(await clientClosed.promise).toEqual({ reason: 'error', error: msgErr });
      expect(seen).toEqual([[client, msgErr, 'closed']]);
      await until(loop, () => loopErrors.length === 3, 'the throwing onError reported to the loop');
      expect(loopErrors[2]).toBe(handlerErr);
      await server.close(1000);
    });
  });
});

describe.each(MATRIX)('no error handler anywhere ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('the turn completes, then the loop stops and run() rejects with the error', async () => {
    const loop = new EventLoop({ mode, driver, batchIo: io === 'batched' });
    const boom = new Error('unhandled');
    const { server, accepted } = boomServer(loop, boom);
    const settled = loop.run().then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const guard = loop.setTimeout(() => loop.stop(), 10_000);
    try {
      const a = await textClient(loop, server.address, 'A');
      await until(loop, () => accepted.length === 1, 'A accepted');
      const b = await textClient(loop, server.address, 'B');
      await until(loop, () => accepted.length === 2, 'B accepted');
      loop.queueInLoop(() => {
        a.conn.send('boom');
        b.conn.send('ping');
      });
      expect(await settled).toBe(boom);
      expect(loop.running).toBe(false);
      // that turn still delivered B's bytes and flushed B's reply, and closed A
      expect(accepted[1]!.bytesRead).toBe(4);
      expect(accepted[1]!.bytesWritten).toBe(4);
      expect(accepted[1]!.pendingOutput).toBe(0);
      expect(accepted[0]!.state).toBe('closed');
      a.conn.destroy();
      b.conn.destroy();
    } finally {
      loop.cancel(guard);
      loop.stop();
      for (const c of accepted) c.destroy();
      await server.close(0);
      loop.close();
    }
  });
});
