// A small Redis client on the reactor's own client side: TcpClient for the connection, the
// RESP2 codec (src/codec/resp.ts) for the bytes. Commands are pipelined on one connection and
// answered in order. When the connection is lost (or cannot be made) it reconnects with
// exponential backoff; meanwhile command() rejects at once with code 'REDIS_UNAVAILABLE', so a
// caller can answer "try later" instead of waiting. A command unanswered within `timeoutMs`
// rejects too and drops the connection (a hung server is treated as a lost one).
//
// A subscriber connection (pub/sub, cluster.ts) is the same client with two hooks: onConnect
// re-sends SUBSCRIBE on every (re)connection, and onPush receives the replies no command waits
// for — the ["message", channel, payload] arrays Redis pushes to a subscribed connection.
//
// Threading: the loop's thread. Lifetime: close() stops reconnecting, closes the connection and
// rejects whatever is pending.
import { ByteBuffer, TcpClient, type EventLoop, type TcpConnection, type TimerNode } from '../../src/index.js';
import { RespErrorReply, RespReplyDecoder, writeCommand, type RespValue } from '../../src/codec/index.js';

/** Error of a command that could not be answered; `code` says why. */
export class RedisError extends Error {
  constructor(
    readonly code: 'REDIS_UNAVAILABLE' | 'REDIS_TIMEOUT' | 'REDIS_CLOSED' | 'REDIS_REPLY',
    message: string,
  ) {
    super(message);
  }
}

/** Options of RedisClient. */
export interface RedisOptions {
  /** First reconnect delay. Default 50 ms. */
  initialDelayMs?: number;
  /** Reconnect backoff cap. Default 1000 ms. */
  maxDelayMs?: number;
  /** Per-command reply timeout. Default 2000 ms. */
  timeoutMs?: number;
  /** Called on connect and on loss (for a log line). */
  onState?: (up: boolean, detail: string) => void;
  /** Called after every successful (re)connection, after onState (e.g. to SUBSCRIBE again). */
  onConnect?: () => void;
  /** Called with each reply that no command waits for (pub/sub messages). */
  onPush?: (value: RespValue) => void;
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
  timer: TimerNode;
}

/** Pipelined Redis connection with reconnect and backoff. */
export class RedisClient {
  readonly #loop: EventLoop;
  readonly #address: string;
  readonly #opts: Required<Omit<RedisOptions, 'onState' | 'onConnect' | 'onPush'>> & Pick<RedisOptions, 'onState' | 'onConnect' | 'onPush'>;
  #client: TcpClient | null = null;
  #conn: TcpConnection | null = null;
  #decoder = new RespReplyDecoder();
  readonly #pending: Pending[] = [];
  readonly #out = new ByteBuffer();
  #delayMs: number;
  #retryTimer: TimerNode | null = null;
  #closed = false;

  constructor(loop: EventLoop, address: string, options: RedisOptions = {}) {
    this.#loop = loop;
    this.#address = address;
    this.#opts = {
      initialDelayMs: options.initialDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 1000,
      timeoutMs: options.timeoutMs ?? 2000,
      onState: options.onState,
      onConnect: options.onConnect,
      onPush: options.onPush,
    };
    this.#delayMs = this.#opts.initialDelayMs;
    this.#connect();
  }

  /** True while a connection to Redis is up. */
  get connected(): boolean {
    return this.#conn !== null;
  }

  /** Sends one command; resolves with its reply (an error reply rejects with 'REDIS_REPLY'). */
  command(args: ReadonlyArray<string | Uint8Array | number>): Promise<RespValue> {
    const conn = this.#conn;
    if (conn === null) return Promise.reject(new RedisError('REDIS_UNAVAILABLE', `redis at ${this.#address} is unreachable`));
    return new Promise<RespValue>((resolve, reject) => {
      const timer = this.#loop.setTimeout(() => {
        reject(new RedisError('REDIS_TIMEOUT', `no reply from redis within ${this.#opts.timeoutMs} ms`));
        conn.destroy(); // its onClose rejects the others and reconnects
      }, this.#opts.timeoutMs);
      this.#pending.push({ resolve, reject, timer });
      writeCommand(this.#out, args);
      conn.send(this.#out.peek());
      this.#out.retrieveAll();
    });
  }

  /** Resolves once connected (or rejects after `ms`). Polls on the loop's timers (either driver). */
  waitConnected(ms: number): Promise<void> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const poll = (): void => {
        if (this.#conn !== null) resolve();
        else if (performance.now() - t0 >= ms || this.#closed) reject(new RedisError('REDIS_UNAVAILABLE', `redis at ${this.#address} is unreachable`));
        else this.#loop.setTimeout(poll, 20);
      };
      poll();
    });
  }

  /** Stops reconnecting, closes the connection, rejects pending commands. */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer !== null) this.#loop.cancel(this.#retryTimer);
    this.#client?.close();
    this.#failPending('REDIS_CLOSED', 'redis client closed');
  }

  #connect(): void {
    this.#retryTimer = null;
    if (this.#closed) return;
    this.#decoder = new RespReplyDecoder();
    const client = new TcpClient(this.#loop, this.#address, {
      onMessage: (_conn, input) => this.#onReplies(input),
      onClose: (_conn, info) => {
        if (this.#client !== client) return;
        this.#conn = null;
        if (this.#closed) return;
        this.#failPending('REDIS_UNAVAILABLE', `connection to redis lost (${info.reason})`);
        this.#opts.onState?.(false, `lost (${info.reason})`);
        this.#scheduleReconnect();
      },
    });
    this.#client = client;
    client.connect().then(
      (conn) => {
        if (this.#closed) return conn.destroy();
        this.#conn = conn;
        this.#delayMs = this.#opts.initialDelayMs;
        this.#opts.onState?.(true, `connected to ${this.#address}`);
        this.#opts.onConnect?.();
      },
      () => {
        if (this.#client === client) this.#scheduleReconnect();
      },
    );
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer !== null) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#opts.maxDelayMs);
    this.#retryTimer = this.#loop.setTimeout(() => this.#connect(), delay);
  }

  #onReplies(input: ByteBuffer): void {
    for (let v = this.#decoder.decode(input); v !== undefined; v = this.#decoder.decode(input)) {
      const p = this.#pending.shift();
      if (p === undefined) {
        this.#opts.onPush?.(v); // a pushed message (a timed-out command's reply never comes: its timeout dropped the connection)
        continue;
      }
      this.#loop.cancel(p.timer);
      if (v instanceof RespErrorReply) p.reject(new RedisError('REDIS_REPLY', v.message));
      else p.resolve(v);
    }
  }

  #failPending(code: RedisError['code'], message: string): void {
    for (const p of this.#pending.splice(0)) {
      this.#loop.cancel(p.timer);
      p.reject(new RedisError(code, message));
    }
  }
}
