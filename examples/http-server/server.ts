// The http-server's connection handling: parse every complete request in the input
// (pipelined requests are answered in order), append each response, and send a read's
// responses in one piece. A refused request gets its status (400, 413, 431, 501, 505) and the
// connection closes after it; so does a request that asks for `Connection: close` or an
// HTTP/1.0 request without keep-alive. Any other throw while serving a connection is logged
// with its peer and closes that connection only (shared/errors.ts).
//
// Timeouts, both on by default (node:http has the same two): a request's head — and its body,
// if it has one — must arrive within headerTimeoutMs of its first byte (of the connection's
// start, for the first request), else the client gets 408 and the connection closes: a
// slowloris client that trickles a head cannot hold an fd. A keep-alive connection with no
// request in progress is closed after keepAliveTimeoutMs of silence. One TimerNode per
// connection, re-armed, never re-allocated.
//
// Threading: one server per EventLoop; everything here runs on that loop's thread.
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { TcpServer, TimerNode, type EventLoop, type TcpConnection, type TcpServerCallbacks } from '../../src/index.js';
import { joinHostPort, type ServerArgs } from '../shared/cli.js';
import { keepServing } from '../shared/errors.js';
import { COMPLETE, HttpRequestParser, INCOMPLETE, METHOD_GET, METHOD_HEAD, type HttpParserLimits } from './parser.js';
import { CLOSE, KEEP, KEEP_ALIVE_10, ROUTE_JSON, ROUTE_NOT_ALLOWED, ROUTE_NOT_FOUND, ROUTE_PLAINTEXT, ResponseTable } from './responses.js';

/** The two timeouts of a connection (ms; 0 turns one off). */
export interface HttpTimeouts {
  /** A request's head (and body) must arrive within this of its first byte. Default 10 s; 408 then. */
  headerTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. Default 5 s (node:http's keepAliveTimeout). */
  keepAliveTimeoutMs?: number;
}

/** Defaults of HttpTimeouts. */
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** http-server's options. */
export interface HttpServerOptions extends ServerArgs, HttpParserLimits, HttpTimeouts {
  /** Unread output per client before it is disconnected. Default 16 MiB. */
  outputBufferLimit?: number;
}

/** What a connection carries: its parser and its one timer (in head mode or idle mode). */
class HttpSession {
  readonly parser: HttpRequestParser;
  readonly timer: TimerNode;
  /** Whether the timer counts a request's arrival (408 when it fires) rather than idleness. */
  awaitingRequest = true;
  constructor(parser: HttpRequestParser, conn: TcpConnection, onTimer: (node: TimerNode) => void) {
    this.parser = parser;
    this.timer = new TimerNode(onTimer);
    this.timer.data = conn;
  }
}

const REPLY_CHUNK = 64 * 1024;
const PLAINTEXT = Buffer.from('/plaintext');
const JSON_PATH = Buffer.from('/json');

function targetIs(p: HttpRequestParser, path: Buffer): boolean {
  const len = path.length;
  if (p.pathLength !== len) return false; // the query, if any, does not choose the route
  const s = p.bytes;
  const o = p.targetStart;
  for (let k = 0; k < len; k++) if (s[o + k] !== path[k]) return false;
  return true;
}

/** The connection callbacks of one loop: parser and timer per connection, shared reply buffer and response table. */
export function httpCallbacks(
  loop: EventLoop,
  o: HttpParserLimits & HttpTimeouts,
): Required<Pick<TcpServerCallbacks, 'onConnection' | 'onMessage' | 'onClose'>> {
  const limits: HttpParserLimits = { maxHeadBytes: o.maxHeadBytes ?? 16 * 1024, maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024 };
  const headerTimeoutMs = o.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
  const keepAliveTimeoutMs = o.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  const table = new ResponseTable();
  const reply = new ByteBuffer(REPLY_CHUNK);
  const flush = (conn: TcpConnection): void => {
    conn.send(reply.peek());
    reply.retrieveAll();
  };
  const onTimer = (node: TimerNode): void => {
    const conn = node.data as TcpConnection;
    if (!conn.connected) return;
    if ((conn.context as HttpSession).awaitingRequest) {
      // as node:http does past headersTimeout: 408, then close
      table.refresh(Date.now());
      conn.send(table.error(408));
    }
    conn.input.retrieveAll();
    conn.close();
  };
  /** Arms the head timer (from this request's first byte) or, between requests, the idle timer. */
  const arm = (session: HttpSession, awaitingRequest: boolean): void => {
    if (awaitingRequest && session.awaitingRequest && session.timer.active) return; // keeps the first byte's deadline
    session.awaitingRequest = awaitingRequest;
    const ms = awaitingRequest ? headerTimeoutMs : keepAliveTimeoutMs;
    if (ms > 0) loop.schedule(session.timer, ms);
    else loop.cancel(session.timer);
  };
  return {
    onConnection(conn) {
      const session = new HttpSession(new HttpRequestParser(limits), conn, onTimer);
      conn.context = session;
      arm(session, true);
    },
    onClose(conn) {
      loop.cancel((conn.context as HttpSession).timer);
    },
    onMessage(conn, input) {
      const session = conn.context as HttpSession;
      const parser = session.parser;
      table.refresh(Date.now());
      let close = false;
      for (;;) {
        const st = parser.parse(input);
        if (parser.continueDue) {
          parser.continueDue = false;
          reply.append(ResponseTable.CONTINUE);
        }
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
      } else if (conn.connected) arm(session, input.readableBytes > 0);
    },
  };
}

/** Connection options of every http-server connection. */
export function httpConnectionOptions(o: HttpServerOptions): { maxOutput: number; highWaterMark: number } {
  return { maxOutput: o.outputBufferLimit ?? 16 * 1024 * 1024, highWaterMark: 1 << 20 };
}

/** Starts http-server on `loop`; returns its listening TcpServer. */
export function start(loop: EventLoop, o: HttpServerOptions): TcpServer {
  const callbacks = { ...httpCallbacks(loop, o), onError: keepServing('http-server', loop) };
  const server = new TcpServer(loop, callbacks, { address: joinHostPort(o.host, o.port), ...httpConnectionOptions(o) });
  server.listen();
  return server;
}
