// The framed echo server: each `[len:uint32 LE][payload]` frame (payload up to 32 MiB) comes
// back as the same frame — the poll() server tutorial's length-prefixed protocol, on the
// reactor. A length over 32 MiB closes that connection with the reason on stderr, before any
// room is made for it. Any other throw while serving a connection is logged with its peer and
// closes that connection only (shared/errors.ts).
//
// Back-pressure: when a reply leaves pending output at the high-water mark (4 MiB), we stop
// decoding and stop reading; the frames still buffered are answered when the output drains. So
// a client that sends but never reads costs at most one frame beyond the mark.
// Threading: the loop's thread; the codec keeps no per-connection state and is shared.
import { CodecError, EventLoop, TcpServer, type TcpConnection } from '../../src/index.js';
import { LengthFieldCodec, MAX_FRAME_SIZE_CEILING } from '../../src/codec/index.js';
import { joinHostPort, peerName, type ServerArgs } from '../shared/cli.js';
import { keepServing } from '../shared/errors.js';
import type { RunningServer } from '../shared/run.js';

/** The frame format of this example (little-endian, as the tutorial's x86 C code writes it). */
export function frameCodec(): LengthFieldCodec {
  return new LengthFieldCodec({ endian: 'le', maxFrameSize: MAX_FRAME_SIZE_CEILING });
}

/** Builds the framed echo server on `loop` and starts listening. */
export function start(loop: EventLoop, opts: ServerArgs): RunningServer {
  const codec = frameCodec();
  const header = new Uint8Array(4);
  const echoFrames = (conn: TcpConnection): void => {
    const input = conn.input;
    try {
      for (let payload = codec.decode(input); payload !== null; payload = codec.decode(input)) {
        const n = payload.length;
        (header[0] = n & 0xff), (header[1] = (n >>> 8) & 0xff), (header[2] = (n >>> 16) & 0xff), (header[3] = n >>> 24);
        conn.send(header);
        if (!conn.send(payload)) {
          conn.pauseReading(); // resumed, and the rest answered, by onDrain
          return;
        }
      }
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      process.stderr.write(`framed-echo: closing ${peerName(conn)}: ${err.message} (${err.code})\n`);
      input.retrieveAll();
      conn.close();
    }
  };
  const server = new TcpServer(
    loop,
    {
      onMessage: (conn) => echoFrames(conn),
      onDrain(conn) {
        conn.resumeReading();
        echoFrames(conn);
      },
      onError: keepServing('framed-echo', loop),
    },
    { address: joinHostPort(opts.host, opts.port), highWaterMark: 4 << 20 },
  );
  server.listen();
  return server;
}
