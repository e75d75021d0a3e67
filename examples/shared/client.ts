// Client-side helpers shared by the example clients: a loop and a connected TcpConnection whose
// input is handed to one consumer, and a promise for "this many bytes have arrived".
// Threading: the main thread, integrated driver (the client shares Node's loop with its promises).
import { EventLoop, TcpClient, type ByteBuffer, type LoopMode, type TcpConnection } from '../../src/index.js';
import { joinHostPort } from './cli.js';

/** A connected client connection; `onInput` sees every arrival; `closed` settles on close. */
export interface ClientConnection {
  conn: TcpConnection;
  closed: Promise<string>;
}

/** Connects to host:port on `loop`; `onInput` is called with the input buffer on each arrival. */
export async function connectTo(
  loop: EventLoop,
  host: string,
  port: number,
  onInput: (input: ByteBuffer, conn: TcpConnection) => void,
): Promise<ClientConnection> {
  let closedResolve!: (reason: string) => void;
  const closed = new Promise<string>((r) => (closedResolve = r));
  const client = new TcpClient(
    loop,
    joinHostPort(host, port),
    {
      onMessage: (conn, input) => onInput(input, conn),
      onClose: (_conn, info) => closedResolve(info.error ? `${info.reason}: ${info.error.message}` : info.reason),
    },
    { highWaterMark: 64 << 20, maxOutput: 1 << 30, maxInput: 1 << 30 },
  );
  const conn = await client.connect();
  return { conn, closed };
}

/** A new integrated loop in `mode`, running. */
export function clientLoop(mode: LoopMode): EventLoop {
  const loop = new EventLoop({ mode, driver: 'integrated' });
  loop.run();
  return loop;
}

/** connectTo(), but a failed connect prints `NAME: message` on stderr and exits 1. */
export function connectOrExit(
  name: string,
  loop: EventLoop,
  host: string,
  port: number,
  onInput: (input: ByteBuffer, conn: TcpConnection) => void,
): Promise<ClientConnection> {
  return connectTo(loop, host, port, onInput).catch((err: Error) => {
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exit(1);
  });
}
