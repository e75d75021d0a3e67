// Plain-socket clients for the adversarial suites (test/examples/*-hostile.test.ts): raw bytes
// in, raw bytes out, no client library between the test and the server, every wait bounded.
// Also the process checks those suites end with: the server still runs, a second client is
// still served, and its virtual size as /proc reports it.
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { ServerProcess } from './serverProcess.js';

/** A raw TCP client that collects everything it receives and notes when the server closes. */
export class RawClient {
  readonly sock: Socket;
  received = Buffer.alloc(0);
  closed = false;
  readonly #ready: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(port: number, host = '127.0.0.1') {
    this.sock = connect(port, host);
    this.#ready = new Promise((resolve, reject) => {
      this.sock.once('connect', resolve);
      this.sock.once('error', reject);
    });
    this.sock.on('error', () => {}); // a reset by the server shows as closed
    this.sock.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.#wake();
    });
    this.sock.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  /** Resolves once connected. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Writes raw bytes (a string is sent as latin1, byte per char). */
  send(data: string | Uint8Array): void {
    this.sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Resolves true once `done(received)` holds, false once the server closed or `ms` passed first. */
  until(done: (received: Buffer) => boolean, ms = 5000): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (done(this.received)) return finish(true);
        if (this.closed) return finish(false);
        return false;
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (ok: boolean): boolean => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(ok);
        return true;
      };
      const waiter = (): void => void check();
      if (!check()) this.#waiters.push(waiter);
    });
  }

  /** Resolves true once the server has closed the connection, false after `ms`. */
  async closedWithin(ms = 5000): Promise<boolean> {
    await this.until(() => false, ms);
    return this.closed;
  }

  /** Sends `data` and waits for `reply` (exact bytes received since the call). */
  async ask(data: string | Uint8Array, reply: string | Buffer, ms = 5000): Promise<string> {
    const from = this.received.length;
    const want = typeof reply === 'string' ? Buffer.from(reply, 'latin1') : reply;
    this.send(data);
    await this.until((r) => r.length - from >= want.length, ms);
    return this.received.subarray(from).toString('latin1');
  }

  destroy(): void {
    this.sock.destroy();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

/** Connects a RawClient and waits for the connection. */
export async function rawClient(port: number, host = '127.0.0.1'): Promise<RawClient> {
  const c = new RawClient(port, host);
  await c.ready();
  return c;
}

/** The process's virtual size in bytes (VmSize from /proc/PID/status). */
export function vmSize(pid: number): number {
  const m = /^VmSize:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!m) throw new Error(`no VmSize for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** True while the server process has not exited. */
export function alive(server: ServerProcess): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
