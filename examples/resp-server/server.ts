// The resp-server's connection handling: decode every complete command in the input, run
// it, and send the turn's replies in one piece; enforce Redis's per-client limits.
//
// Limits, as Redis applies them:
//   - bulk length, multibulk count, inline size (the codec's limits): past one, the client
//     gets `-ERR Protocol error: …` and is closed once that reply is out;
//   - query buffer (unconsumed input, client-query-buffer-limit): past it the connection is
//     closed without a reply (Redis logs "closing client that reached max query buffer length");
//   - output buffer (client-output-buffer-limit): a client whose unread replies exceed it is
//     disconnected, so a client that pipelines and never reads cannot grow our memory.
// Any other throw while serving a connection is logged with its peer and closes that
// connection only (shared/errors.ts); the other clients keep being served.
//
// Replies go into one ByteBuffer shared by the server's connections (one connection is
// served at a time on a loop) and leave with one send() per read; a read whose replies pass
// REPLY_CHUNK is flushed in pieces so the output limit is checked as they accumulate.
//
// Threading: one server per EventLoop; everything here runs on that loop's thread.
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { RespCommandDecoder, RespProtocolError, writeError } from '../../src/codec/resp.js';
import { TcpServer, type EventLoop, type TcpConnection } from '../../src/index.js';
import { execute, type CommandContext, type Session } from './commands.js';
import { Keyspace } from './keyspace.js';
import { joinHostPort, type ServerArgs } from '../shared/cli.js';
import { keepServing } from '../shared/errors.js';

/** resp-server's options (sizes in bytes). */
export interface RespServerOptions extends ServerArgs {
  /** Largest bulk string (proto-max-bulk-len). Default 512 MiB. */
  maxBulkLength?: number;
  /** Most arguments in one command. Default 1024 * 1024. */
  maxMultibulkLength?: number;
  /** Largest inline command. Default 64 KiB. */
  maxInlineLength?: number;
  /** Unconsumed input per client (client-query-buffer-limit). Default 1 GiB. */
  queryBufferLimit?: number;
  /** Unread output per client before it is disconnected. Default 32 MiB. */
  outputBufferLimit?: number;
}

const REPLY_CHUNK = 64 * 1024;

class Client implements CommandContext {
  readonly keys: Keyspace;
  readonly session: Session;
  readonly config: ReadonlyMap<string, string>;
  readonly decoder: RespCommandDecoder;
  constructor(keys: Keyspace, config: ReadonlyMap<string, string>, decoder: RespCommandDecoder, id: number) {
    this.keys = keys;
    this.config = config;
    this.decoder = decoder;
    this.session = { id, name: null, closeAfterReply: false };
  }
}

/** Starts resp-server on `loop`; returns its listening TcpServer. */
export function start(loop: EventLoop, o: RespServerOptions): TcpServer {
  const limits = {
    maxBulkLength: o.maxBulkLength ?? 512 * 1024 * 1024,
    maxMultibulkLength: o.maxMultibulkLength ?? 1024 * 1024,
    maxInlineLength: o.maxInlineLength ?? 64 * 1024,
  };
  const queryBufferLimit = o.queryBufferLimit ?? 1024 * 1024 * 1024;
  const outputBufferLimit = o.outputBufferLimit ?? 32 * 1024 * 1024;
  const config = new Map<string, string>([
    ['save', ''],
    ['appendonly', 'no'],
    ['databases', '1'],
    ['maxmemory', '0'],
    ['proto-max-bulk-len', String(limits.maxBulkLength)],
    ['client-query-buffer-limit', String(queryBufferLimit)],
    ['client-output-buffer-limit', `normal ${outputBufferLimit} ${outputBufferLimit} 0`],
  ]);
  const keys = new Keyspace(loop);
  const reply = new ByteBuffer(REPLY_CHUNK);
  let nextId = 1;

  const flush = (conn: TcpConnection): void => {
    conn.send(reply.peek());
    reply.retrieveAll();
  };

  const server = new TcpServer(
    loop,
    {
      onConnection(conn) {
        conn.context = new Client(keys, config, new RespCommandDecoder(limits), nextId++);
      },
      onMessage(conn, input) {
        const client = conn.context as Client;
        const session = client.session;
        if (session.closeAfterReply) {
          input.retrieveAll(); // Redis ignores what follows QUIT or a protocol error
          return;
        }
        const dec = client.decoder;
        try {
          while (dec.decode(input) > 0) {
            execute(client, dec, reply);
            if (session.closeAfterReply) break;
            if (reply.readableBytes >= REPLY_CHUNK) {
              flush(conn);
              if (!conn.connected) return; // over the output limit: disconnected
            }
          }
        } catch (err) {
          if (!(err instanceof RespProtocolError)) throw err;
          writeError(reply, `ERR ${err.message}`);
          session.closeAfterReply = true;
        }
        if (reply.readableBytes > 0) flush(conn);
        if (reply.capacity > 4 * REPLY_CHUNK) reply.shrink(REPLY_CHUNK); // after a burst of large replies
        if (session.closeAfterReply) {
          input.retrieveAll();
          conn.close();
        }
      },
      onError: keepServing('resp-server', loop),
    },
    {
      address: joinHostPort(o.host, o.port),
      maxInput: queryBufferLimit,
      maxOutput: outputBufferLimit,
      highWaterMark: outputBufferLimit,
    },
  );
  server.listen();
  return server;
}
