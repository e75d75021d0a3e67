// The http-server's responses, built once and reused: each route's full response bytes for
// each connection variant (keep-alive by default, `Connection: close`, HTTP/1.0 keep-alive),
// rebuilt when the Date header's second changes. Serving a request is then one copy.
//
// Threading: one table per server, on its loop's thread.

/** Connection variants of a response. */
export const KEEP = 0;
export const CLOSE = 1;
export const KEEP_ALIVE_10 = 2;

interface Route {
  status: string;
  type: string;
  body: Buffer;
  extra: string;
}

const PLAINTEXT: Route = { status: '200 OK', type: 'text/plain', body: Buffer.from('Hello, World!'), extra: '' };
const JSON_BODY: Route = {
  status: '200 OK',
  type: 'application/json',
  body: Buffer.from(JSON.stringify({ message: 'Hello, World!' })),
  extra: '',
};
const NOT_FOUND: Route = { status: '404 Not Found', type: 'text/plain', body: Buffer.from('Not Found'), extra: '' };
const NOT_ALLOWED: Route = {
  status: '405 Method Not Allowed',
  type: 'text/plain',
  body: Buffer.from('Method Not Allowed'),
  extra: 'Allow: GET, HEAD\r\n',
};

/** Routes by index. */
export const ROUTE_PLAINTEXT = 0;
export const ROUTE_JSON = 1;
export const ROUTE_NOT_FOUND = 2;
export const ROUTE_NOT_ALLOWED = 3;
const ROUTES = [PLAINTEXT, JSON_BODY, NOT_FOUND, NOT_ALLOWED];

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

const CONNECTION = ['', 'Connection: close\r\n', 'Connection: keep-alive\r\n'];

/** Every route's response bytes, with and without a body (HEAD), for the current second. */
export class ResponseTable {
  #second = -1;
  #date = '';
  // [route][variant] full responses, and the same heads alone for HEAD.
  #full: Buffer[][] = [];
  #head: Buffer[][] = [];

  /** Rebuilds the table if `nowMs` is in a new second (the Date header's resolution). */
  refresh(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second === this.#second) return;
    this.#second = second;
    this.#date = new Date(second * 1000).toUTCString();
    this.#full = ROUTES.map((r) => CONNECTION.map((c) => Buffer.concat([this.#headBytes(r, c), r.body])));
    this.#head = ROUTES.map((r) => CONNECTION.map((c) => this.#headBytes(r, c)));
  }

  /** The response of `route` for a connection `variant`; `head` leaves the body out. */
  get(route: number, variant: number, head: boolean): Buffer {
    return (head ? this.#head : this.#full)[route]![variant]!;
  }

  /** `HTTP/1.1 100 Continue`, sent before a body the client holds back until it sees it. */
  static readonly CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

  /** A response for a request the parser refused, or a 408 (always closes the connection). */
  error(status: number): Buffer {
    const reason = REASONS[status] ?? 'Bad Request';
    return this.#headBytes({ status: `${status} ${reason}`, type: 'text/plain', body: Buffer.from(reason), extra: '' }, CONNECTION[CLOSE]!, reason);
  }

  #headBytes(r: Route, connection: string, body?: string): Buffer {
    return Buffer.from(
      `HTTP/1.1 ${r.status}\r\nServer: epoll-reactor\r\nDate: ${this.#date}\r\nContent-Type: ${r.type}\r\n` +
        `Content-Length: ${r.body.length}\r\n${r.extra}${connection}\r\n${body ?? ''}`,
      'latin1',
    );
  }
}
