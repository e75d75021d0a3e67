// The echo service of examples/echo-server (both drivers): every byte
// read goes back to its sender. Back-pressure: a peer that stops reading makes
// its output cross the high-water mark, and we stop reading from it until the
// output drains — so a peer that never reads costs bounded memory. A throw while serving a
// connection is logged with its peer and closes that connection only (shared/errors.ts).
import { EventLoop, TcpServer, type ByteBuffer, type LoopMode, type TcpConnection, type TcpServerOptions } from '../../src/index.js';
import { keepServing } from '../shared/errors.js';

/** The echo callbacks, stateless: shared by this server and the LoopPool handler (handler.ts). */
export const echoCallbacks = {
  onMessage(conn: TcpConnection, input: ByteBuffer): void {
    conn.send(input.peek());
    input.retrieveAll();
  },
  onHighWater(conn: TcpConnection): void {
    conn.pauseReading();
  },
  onDrain(conn: TcpConnection): void {
    conn.resumeReading();
  },
};

/** Options of the echo service. */
export interface EchoOptions {
  host: string;
  port: number;
  mode: LoopMode;
  /** The loop's batched turn (EventLoopOptions.batchIo). */
  batchIo?: boolean;
  idleTimeoutMs: number;
}

/** Builds the echo server on `loop` and starts listening. */
export function startEcho(loop: EventLoop, opts: EchoOptions): TcpServer {
  const serverOptions: TcpServerOptions = {
    address: opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`,
    idleTimeoutMs: opts.idleTimeoutMs,
    highWaterMark: 4 << 20,
  };
  const server = new TcpServer(loop, { ...echoCallbacks, onError: keepServing('echo-server', loop) }, serverOptions);
  server.listen();
  return server;
}

/** The server-module contract of examples/shared/run.ts. */
export const start = startEcho;
