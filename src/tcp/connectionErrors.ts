// Where an error thrown by one of a TcpConnection's callbacks goes: the connection
// closes with reason 'error', then the error goes to its onError, else (through the
// loop's error policy) the server's or the loop's. A plain function over the
// connection's public face; loop thread only, called from the loop's catch blocks.
import { toError } from '../errors.js';
import { kReportError } from '../loop/symbols.js';
import type { TcpConnection } from './TcpConnection.js';

/**
 * Contains `thrown` for `conn`: destroy(err, 'error'), then onError, else the loop.
 * Never throws: a throw from onClose or onError goes on to the loop.
 */
export function containConnectionThrow(conn: TcpConnection, thrown: unknown): void {
  const err = toError(thrown);
  const loop = conn.loop;
  if (conn.state !== 'closed') {
    try {
      // Ask for the peer while the fd is open (it is kept after close, not fetched): the error
      // handler's log line can then name it. Only this error path pays the getpeername.
      void conn.remoteAddress;
    } catch {
      // no peer to name (the socket already failed): the handler sees undefined
    }
    try {
      conn.destroy(err, 'error');
    } catch (again) {
      loop[kReportError](again); // onClose threw while we closed for the first error
    }
  }
  const onError = conn.callbacks.onError;
  if (onError === undefined) {
    loop[kReportError](err);
    return;
  }
  try {
    onError(conn, err);
  } catch (again) {
    loop[kReportError](again);
  }
}
