// Reactor test harness: run a scenario on an EventLoop in any mode x driver,
// bounded in time by the loop's own timer wheel (an exclusive loop blocks the
// thread, so vitest's timers could never fire), plus a checksumming echo client
// built on TcpClient so the client side runs on the same loop.
import { EventLoop, type DriverKind, type EventLoopOptions } from '../../src/loop/EventLoop.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import type { TcpConnection } from '../../src/tcp/TcpConnection.js';
import type { SocketAddress } from '../../src/net/SocketAddress.js';
import type { LoopMode } from '../../src/loop/options.js';

/** What each running scenario is still waiting for (named in timeout reports). */
const waiting = new WeakMap<EventLoop, string[]>();

/** 'batched': the loop's one-native-call turn (the default); 'per-fd': one native call per read and write. */
export type Io = 'batched' | 'per-fd';

export const MATRIX: Array<{ mode: LoopMode; driver: DriverKind; io: Io }> = [
  { mode: 'lt', driver: 'integrated', io: 'batched' },
  { mode: 'et', driver: 'integrated', io: 'batched' },
  { mode: 'lt', driver: 'exclusive', io: 'batched' },
  { mode: 'et', driver: 'exclusive', io: 'batched' },
  { mode: 'lt', driver: 'integrated', io: 'per-fd' },
  { mode: 'et', driver: 'exclusive', io: 'per-fd' },
  { mode: 'uring', driver: 'integrated', io: 'batched' },
  { mode: 'uring', driver: 'exclusive', io: 'per-fd' },
];

/**
 * Run `body` with a fresh loop; the loop is closed afterwards. The scenario fails
 * (naming what it was waiting for, if it said) after `limitMs`.
 */
export async function withLoop(
  mode: LoopMode,
  kind: DriverKind | { driver: DriverKind; io: Io; options?: EventLoopOptions },
  body: (loop: EventLoop) => Promise<void>,
  limitMs = 15_000,
): Promise<void> {
  const { driver, io, options } = typeof kind === 'string' ? { driver: kind, io: 'batched' as Io, options: {} } : kind;
  const loop = new EventLoop({ ...options, mode, driver, batchIo: io === 'batched' });
  const waitingFor: string[] = [];
  waiting.set(loop, waitingFor);
  let timedOut = false;
  const guard = loop.setTimeout(() => {
    timedOut = true;
    loop.stop();
  }, limitMs);
  const running = loop.run();
  const stopped = running.then(() => {
    if (timedOut) throw new Error(`scenario timed out after ${limitMs} ms (${mode}/${driver}/${io}) waiting for: ${waitingFor.join(', ') || '?'}`);
    throw new Error('loop stopped before the scenario finished');
  });
  try {
    await Promise.race([body(loop), stopped]);
  } finally {
    loop.cancel(guard);
    loop.stop();
    await running;
    stopped.catch(() => {});
    loop.close();
  }
}

/** A promise resolved/rejected from reactor callbacks, labelled for timeout reports. */
export function deferred<T = void>(loop: EventLoop, label: string): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  const list = waiting.get(loop);
  list?.push(label);
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = (v) => {
      list?.splice(list.indexOf(label), 1);
      res(v);
    };
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolve once `cond()` holds, polling on the loop's own timers (works in an exclusive loop). */
export function until(loop: EventLoop, cond: () => boolean, label: string): Promise<void> {
  const done = deferred(loop, label);
  const check = (): void => {
    if (cond()) done.resolve();
    else loop.setTimeout(check, 2);
  };
  check();
  return done.promise;
}

/** A deterministic byte stream per seed (xorshift32), the same on both sides. */
export class ByteStream {
  #state: number;
  constructor(seed: number) {
    this.#state = (seed * 2654435761) >>> 0 || 1;
  }
  next(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let x = this.#state;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    this.#state = x;
    return out;
  }
}

export interface EchoRun {
  messages: number;
  size: number;
  depth: number;
  seed: number;
}

/**
 * Closed-loop echo client on `loop`: keeps `depth` messages of `size` bytes in
 * flight, verifies every echoed byte against the stream it sent, and resolves
 * with the connection once all messages came back. Rejects on the first wrong byte.
 */
export async function echoClient(loop: EventLoop, address: SocketAddress, run: EchoRun): Promise<TcpConnection> {
  const total = run.messages * run.size;
  const sendStream = new ByteStream(run.seed);
  const checkStream = new ByteStream(run.seed);
  let sent = 0;
  let received = 0;
  const done = deferred<void>(loop, `echo seed ${run.seed}: all ${total} bytes back`);
  const pump = (conn: TcpConnection): void => {
    while (sent < run.messages && sent - Math.floor(received / run.size) < run.depth) {
      conn.send(sendStream.next(run.size));
      sent++;
    }
  };
  const client = new TcpClient(loop, address, {
    onMessage(conn, input) {
      const chunk = input.peek();
      const expected = checkStream.next(chunk.length);
      if (Buffer.compare(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length), expected) !== 0) {
        let at = 0;
        while (chunk[at] === expected[at]) at++;
        done.reject(new Error(`seed ${run.seed}: wrong byte at offset ${received + at}`));
        conn.destroy();
        return;
      }
      received += chunk.length;
      input.retrieveAll();
      if (received > total) done.reject(new Error(`seed ${run.seed}: ${received - total} extra bytes`));
      else if (received === total) done.resolve();
      else pump(conn);
    },
    onClose(_conn, info) {
      if (received < total) done.reject(new Error(`seed ${run.seed}: closed (${info.reason}) after ${received}/${total} bytes`));
    },
  });
  const conn = await client.connect();
  pump(conn);
  await done.promise;
  return conn;
}
