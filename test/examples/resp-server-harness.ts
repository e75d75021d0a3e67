// What the resp-server and http-server tests share: starting an example server as a user
// runs it (a separate process; its "listening on" line gives the port), stopping it with a
// signal, and a raw loopback client that writes bytes as told and collects what comes back.
// Every process and socket opened here is closed by the test that opened it (stop / close),
// with SIGKILL and destroy() as bounded fallbacks.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { dist, startServer as startProcessServer, stopServer, type ServerProcess } from './serverProcess.js';

/** A started example server. */
export type Running = ServerProcess;

/** Path of a built example entry point, e.g. example('resp-server/main.js'). */
export const example = dist;

/** Whether a command is on PATH (redis-cli, redis-benchmark, wrk). */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `p=$(command -v ${name}) && test -x "$p"`], { stdio: 'ignore' }).status === 0;
}

/** Spawns `node script ...args --port 0`; resolves once it prints its port (15 s at most). */
export function startServer(script: string, args: string[]): Promise<Running> {
  return startProcessServer(script, args, 15_000);
}

export { stopServer };

/** A loopback client that accumulates every byte received and knows when the peer closed. */
export class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  ended = false;
  #waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.#wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.#wake();
    });
    socket.on('error', () => {}); // a reset shows as 'close'; tests assert on what arrived
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once `done(received)` holds, or the peer closed; rejects after timeoutMs. */
  async until(done: (b: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      if (this.ended) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received ${JSON.stringify(this.received.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** Resolves once the peer has closed the connection. */
  async closed(timeoutMs = 5000): Promise<void> {
    await this.until(() => false, timeoutMs).catch((e: Error) => {
      if (!this.ended) throw e;
    });
    if (!this.ended) throw new Error('connection still open');
  }

  /** Writes `data` in pieces of `step` bytes, yielding to the event loop between pieces. */
  async writeSplit(data: Buffer, step: number, pauseMs = 0): Promise<void> {
    for (let i = 0; i < data.length; i += step) {
      this.socket.write(data.subarray(i, i + step));
      await new Promise((r) => (pauseMs > 0 ? setTimeout(r, pauseMs) : setImmediate(r)));
    }
  }

  take(): Buffer {
    const b = this.received;
    this.received = Buffer.alloc(0);
    return b;
  }

  close(): void {
    this.socket.destroy();
  }
}
