// The calculator server: answers each `[len][op][a][b]` request with `[result]` (protocol.ts).
// Ops + - * as the C server, plus / and %; arithmetic wraps like C int32 on x86
// (INT32_MIN / -1 = INT32_MIN, INT32_MIN % -1 = 0); an unknown op answers -1 as the C server
// does; division or remainder by zero answers -1 too (in C it kills the server with SIGFPE).
// A `len` <= 0 or > 4096, or a body too short for op/a/b, closes that connection with the
// reason on stderr; the server and its other connections carry on. Bytes of a body beyond
// the 9 used are ignored, as the C server ignores them. Any other throw while serving a
// connection is logged with its peer and closes that connection only (shared/errors.ts).
//
// Threading: everything runs on the loop's thread; the codec and the packet reader and writer
// are shared by all connections (none keeps per-connection state between calls).
import { ByteBuffer, CodecError, EventLoop, TcpServer, type TcpConnection } from '../../src/index.js';
import { PacketReader, PacketWriter } from '../../src/codec/index.js';
import type { RunningServer } from '../shared/run.js';
import { joinHostPort, peerName, type ServerArgs } from '../shared/cli.js';
import { keepServing } from '../shared/errors.js';
import { ERROR_RESULT, requestCodec } from './protocol.js';

/** One calculation, C int32 semantics. `op` is the request's op byte. */
export function calculate(op: number, a: number, b: number): number {
  switch (op) {
    case 0x2b: // '+'
      return (a + b) | 0;
    case 0x2d: // '-'
      return (a - b) | 0;
    case 0x2a: // '*'
      return Math.imul(a, b);
    case 0x2f: // '/'
      return b === 0 ? ERROR_RESULT : (a / b) | 0; // |0 truncates toward zero, as C does
    case 0x25: // '%'
      return b === 0 ? ERROR_RESULT : (a % b) | 0; // sign of the dividend, as C; -0 becomes 0
    default:
      return ERROR_RESULT;
  }
}

/** Builds the calculator server on `loop` and starts listening. */
export function start(loop: EventLoop, opts: ServerArgs): RunningServer {
  const codec = requestCodec();
  const reader = new PacketReader(new Uint8Array(0), 'le');
  const out = new ByteBuffer();
  const answers = new PacketWriter(out, 'le');
  const server = new TcpServer(
    loop,
    {
      onMessage(conn: TcpConnection, input: ByteBuffer) {
        try {
          for (let body = codec.decode(input); body !== null; body = codec.decode(input)) {
            reader.reset(body);
            const op = reader.getUInt8();
            const a = reader.getInt32();
            const b = reader.getInt32();
            answers.putInt32(calculate(op, a, b));
          }
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
          process.stderr.write(`calculator: closing ${peerName(conn)}: ${err.message} (${err.code})\n`);
          input.retrieveAll();
          flush(conn, out);
          conn.close();
          return;
        }
        flush(conn, out);
      },
      onError: keepServing('calculator', loop),
    },
    { address: joinHostPort(opts.host, opts.port) },
  );
  server.listen();
  return server;
}

/** Sends the answers computed so far in one send, and empties the scratch buffer. */
function flush(conn: TcpConnection, out: ByteBuffer): void {
  if (out.readableBytes > 0) conn.send(out.peek());
  out.retrieveAll();
}
