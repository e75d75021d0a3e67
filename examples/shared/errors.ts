// The error policy every example server shares: an unexpected throw in a connection's callback
// (a bug, or input nobody foresaw) is logged with that connection's peer, that connection is
// closed, and the server keeps serving; a throw that belongs to no connection (a timer, a
// task) is logged and the loop keeps running. Nothing a peer sends can end the process.
//
// The library has already closed the connection (reason 'error') when the server's onError
// runs (src/tcp/connectionErrors.ts); the handler here only says so. Loop thread only.
import type { EventLoop, TcpConnection } from '../../src/index.js';
import { peerName } from './cli.js';

/** One line on stderr: `NAME: closing PEER after an error: MESSAGE (CODE)`, plus the stack's first frame. */
export function logConnectionError(name: string, err: Error, conn?: TcpConnection): void {
  const code = (err as { code?: unknown }).code;
  const where = /\n\s+at .*/.exec(err.stack ?? '')?.[0].trim() ?? '';
  const who = conn === undefined ? 'no connection' : `closing ${peerName(conn)}`;
  process.stderr.write(`${name}: ${who} after an error: ${err.message}${typeof code === 'string' ? ` (${code})` : ''}${where ? ` ${where}` : ''}\n`);
}

/**
 * The server's onError for example NAME (logs; the connection is already closed), and the
 * loop's onError unless the caller set one: so the loop never stops on a callback's throw.
 */
export function keepServing(name: string, loop: EventLoop): (err: Error, conn?: TcpConnection) => void {
  loop.onError ??= (err) => logConnectionError(name, err);
  return (err, conn) => logConnectionError(name, err, conn);
}

type ConnectionCallback = (conn: TcpConnection, ...rest: never[]) => unknown;

/**
 * For LoopPool handler modules: the same callbacks, but a throw from one that serves a
 * connection is first logged with that connection's peer (which the pool's report, made on
 * the main thread, cannot name), then rethrown for the pool, which closes that connection and
 * keeps the loop serving (src/threads/LoopRuntime.ts).
 */
export function logThrowsWithPeer<H extends object>(name: string, callbacks: H): H {
  const out = { ...callbacks } as Record<string, unknown>;
  for (const key of ['onConnection', 'onMessage', 'onDrain', 'onHighWater', 'onClose'] as const) {
    const f = out[key] as ConnectionCallback | undefined;
    if (typeof f !== 'function') continue;
    out[key] = function (this: unknown, conn: TcpConnection, ...rest: never[]): unknown {
      try {
        return f.call(this, conn, ...rest);
      } catch (err) {
        logConnectionError(name, err instanceof Error ? err : new Error(String(err)), conn);
        throw err;
      }
    };
  }
  return out as H;
}

/** The policy in one sentence, for every example's --help. */
export const ERROR_POLICY = 'An unexpected error while serving one connection is logged with its peer and closes that connection only; the server keeps serving.';
