// Test helpers for the LoopPool suites: the pool and its handler modules come from dist/
// (worker threads load compiled JavaScript; the suites' global setup builds dist/ first); a
// pool per test, example processes, and a line client on node:net for the fixtures' protocol.
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type * as Lib from '../../src/index.js';
import type * as Errors from '../../src/errors.js';
import type * as Handler from '../../src/threads/handler.js';
import type * as Addon from '../../src/sys/addon.js';
import { startServer, stopServer, type ServerProcess } from '../examples/serverProcess.js';

/** The compiled library, as the worker threads load it. */
export const DIST_INDEX = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const ECHO_HANDLER = fileURLToPath(new URL('../../dist/examples/echo-server/handler.js', import.meta.url));
export const LINES = `${FIXTURES}lines.mjs`;
export const WORK = `${FIXTURES}work.mjs`;

/** The compiled library: the same module instance the pool's threads use. */
export const lib = (await import(DIST_INDEX)) as typeof Lib;

/** Compiled internals the suites look at (same module instances as `lib`'s). */
export const internals = {
  ...((await import(new URL('../../dist/src/errors.js', import.meta.url).href)) as typeof Errors),
  ...((await import(new URL('../../dist/src/threads/handler.js', import.meta.url).href)) as typeof Handler),
  ...((await import(new URL('../../dist/src/sys/addon.js', import.meta.url).href)) as typeof Addon),
};

/** A pool per test: start() it, open line clients on it; all are closed after each test. */
export function poolPerTest(): { start(o: Lib.LoopPoolOptions): Promise<Lib.LoopPool>; client(): Promise<LineClient> } {
  let pool: Lib.LoopPool | null = null;
  const clients: LineClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await pool?.close(1000).catch(() => undefined);
    pool = null;
  });
  return {
    async start(o) {
      pool = await lib.LoopPool.start(o);
      return pool;
    },
    async client() {
      const c = await LineClient.open(pool!.address.port);
      clients.push(c);
      return c;
    },
  };
}

/** A server process started from dist/ that printed "listening on 127.0.0.1:PORT". */
export type { ServerProcess };

/** Spawn `node script ...args --port 0` and wait (15 s at most) for its listening line. */
export function startProcess(script: string, args: string[]): Promise<ServerProcess> {
  return startServer(script, args, 15_000);
}

/** Send `signal`; resolve with the exit code and how long the exit took (SIGKILL after 15 s). */
export async function stopProcess(r: ServerProcess, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const code = await stopServer(r, signal, 15_000);
  return { code, ms: Date.now() - t0 };
}

/** One connection speaking the fixtures' line protocol. */
export class LineClient {
  readonly socket: Socket;
  #buffer = '';
  #lines: string[] = [];
  #closed = false;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      let eol: number;
      while ((eol = this.#buffer.indexOf('\n')) >= 0) {
        this.#lines.push(this.#buffer.slice(0, eol));
        this.#buffer = this.#buffer.slice(eol + 1);
      }
      this.#notify();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
    socket.on('error', () => undefined); // a reset shows as 'close'
  }

  static open(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  send(...lines: string[]): void {
    this.socket.write(`${lines.join('\n')}\n`);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Wait for `n` more lines (rejects if the connection closes first or after `ms`). */
  async lines(n: number, ms = 5000): Promise<string[]> {
    const deadline = Date.now() + ms;
    while (this.#lines.length < n) {
      if (this.#closed) throw new Error(`connection closed after ${this.#lines.length}/${n} lines: ${JSON.stringify(this.#lines)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} lines, got ${JSON.stringify(this.#lines)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.#lines.splice(0, n);
  }

  /** Ask one line, get one line. */
  async ask(line: string): Promise<string> {
    this.send(line);
    return (await this.lines(1))[0]!;
  }

  /** Wait until the server closes the connection. */
  async waitClosed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.#closed) {
      if (Date.now() > deadline) throw new Error('connection not closed by the server');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
