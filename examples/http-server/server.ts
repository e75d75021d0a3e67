// The http-server's connection handling: parse every complete request in the input
// (pipelined requests are answered in order), append each response, and send a read's
// responses in one piece. A refused request gets its status (400, 413, 431, 501, 505) and the
// connection closes after it; so does a request that asks for `Connection: close` or an
// HTTP/1.0 request without keep-alive. Any other throw while serving a connection is logged
// with its peer and closes that connection only (shared/errors.ts).
//
// Threading: one server per EventLoop; everything here runs on that loop's thread.
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { TcpServer, type EventLoop, type TcpConnection, type TcpServerCallbacks } from '../../src/index.js';
import { joinHostPort, type ServerArgs } from '../shared/cli.js';
import { keepServing } from '../shared/errors.js';
import { COMPLETE, HttpRequestParser, INCOMPLETE, METHOD_GET, METHOD_HEAD, type HttpParserLimits } from './parser.js';
import { CLOSE, KEEP, KEEP_ALIVE_10, ROUTE_JSON, ROUTE_NOT_ALLOWED, ROUTE_NOT_FOUND, ROUTE_PLAINTEXT, ResponseTable } from './responses.js';

/** http-server's options. */
export interface HttpServerOptions extends ServerArgs, HttpParserLimits {
  /** Unread output per client before it is disconnected. Default 16 MiB. */
  outputBufferLimit?: number;
}

const REPLY_CHUNK = 64 * 1024;
const PLAINTEXT = Buffer.from('/plaintext');
const JSON_PATH = Buffer.from('/json');

function targetIs(p: HttpRequestParser, path: Buffer): boolean {
  const len = path.length;
  if (p.targetLength !== len) return false;
  const s = p.bytes;
  const o = p.targetStart;
  for (let k = 0; k < len; k++) if (s[o + k] !== path[k]) return false;
  return true;
}

/** The connection callbacks of one loop: parser per connection, shared reply buffer and response table. */
export function httpCallbacks(o: HttpParserLimits): Required<Pick<TcpServerCallbacks, 'onConnection' | 'onMessage'>> {
  const limits: HttpParserLimits = { maxHeadBytes: o.maxHeadBytes ?? 16 * 1024, maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024 };
  const table = new ResponseTable();
  const reply = new ByteBuffer(REPLY_CHUNK);
  const flush = (conn: TcpConnection): void => {
    conn.send(reply.peek());
    reply.retrieveAll();
  };
  return {
    onConnection(conn) {
      conn.context = new HttpRequestParser(limits);
    },
    onMessage(conn, input) {
      const parser = conn.context as HttpRequestParser;
      table.refresh(Date.now());
      let close = false;
      for (;;) {
        const st = parser.parse(input);
        if (st === INCOMPLETE) break;
        if (st !== COMPLETE) {
          reply.append(table.error(st));
          close = true;
          break;
        }
        const m = parser.method;
        const route = targetIs(parser, PLAINTEXT) ? ROUTE_PLAINTEXT : targetIs(parser, JSON_PATH) ? ROUTE_JSON : ROUTE_NOT_FOUND;
        const variant = !parser.keepAlive ? CLOSE : parser.version === 10 ? KEEP_ALIVE_10 : KEEP;
        if (m === METHOD_GET || m === METHOD_HEAD || route === ROUTE_NOT_FOUND) reply.append(table.get(route, variant, m === METHOD_HEAD));
        else reply.append(table.get(ROUTE_NOT_ALLOWED, variant, false));
        if (variant === CLOSE) {
          close = true;
          break;
        }
        if (reply.readableBytes >= REPLY_CHUNK) {
          flush(conn);
          if (!conn.connected) return; // over the output limit: disconnected
        }
      }
      if (reply.readableBytes > 0) flush(conn);
      if (close) {
        input.retrieveAll(); // nothing after a closing request is answered
        conn.close();
      }
    },
  };
}

/** Connection options of every http-server connection. */
export function httpConnectionOptions(o: HttpServerOptions): { maxOutput: number; highWaterMark: number } {
  return { maxOutput: o.outputBufferLimit ?? 16 * 1024 * 1024, highWaterMark: 1 << 20 };
}

/** Starts http-server on `loop`; returns its listening TcpServer. */
export function start(loop: EventLoop, o: HttpServerOptions): TcpServer {
  const callbacks = { ...httpCallbacks(o), onError: keepServing('http-server', loop) };
  const server = new TcpServer(loop, callbacks, { address: joinHostPort(o.host, o.port), ...httpConnectionOptions(o) });
  server.listen();
  return server;
}
