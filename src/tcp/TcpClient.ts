// TcpClient: a Connector plus the TcpConnection it yields — the client side of
// the reactor (muduo's TcpClient). `await client.connect()` gives a connected
// TcpConnection; with retry on, refused or timed-out attempts back off and try
// again.
//
// Ownership: the client owns its Connector while connecting and its connection
// once connected (close() closes either). Threading: the loop's thread.
import { setNoDelay, toAddress, type AddressLike } from '../net/socket.js';
import { checkOptions, invalidArgType } from '../sys/args.js';
import type { SystemError } from '../sys/SystemError.js';
import { ClientClosedError } from '../errors.js';
import { Connector, type ConnectorOptions } from './Connector.js';
import { EventLoop } from '../loop/EventLoop.js';
import { TcpConnection, type ConnectionCallbacks, type ConnectionOptions } from './TcpConnection.js';
import { CONNECTION_CALLBACKS, CONNECTION_OPTIONS } from './ConnectionOptions.js';

const CLIENT_OPTIONS = {
  ...CONNECTION_OPTIONS,
  retry: 'boolean',
  initialDelayMs: 'number',
  maxDelayMs: 'number',
  maxAttempts: 'number',
  timeoutMs: 'number',
  noDelay: 'boolean',
} as const;

/** idle -> connecting -> connected -> closed (also after a failed connect). */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'closed';

/** Connection options plus the Connector's retry policy. */
export interface TcpClientOptions extends ConnectionOptions, ConnectorOptions {
  /** TCP_NODELAY. Default true. */
  noDelay?: boolean;
}

/**
 * The client side: connect (with optional retry), then one TcpConnection. Despite the name it
 * connects to Unix stream sockets too (`'unix:/path/to.sock'`). Without onMessage, read the
 * connection's input with `conn.read()` or `for await (const chunk of conn)`.
 */
export class TcpClient {
  /** idle -> connecting -> connected -> closed (also closed after a failed connect). */
  state: ClientState = 'idle';
  /** The connection once connected; null before. */
  connection: TcpConnection | null = null;
  #connector: Connector | null = null;
  #pending: Promise<TcpConnection> | null = null;

  constructor(
    /** The loop the client connects on. */
    readonly loop: EventLoop,
    /** Where to connect. */
    readonly address: AddressLike,
    /** Callbacks given to the connection. */
    readonly callbacks: ConnectionCallbacks = {},
    /** Connect (retry, timeout) and connection options. */
    readonly options: TcpClientOptions = {},
  ) {
    if (!(loop instanceof EventLoop)) throw invalidArgType('loop', 'an EventLoop: new TcpClient(loop, address, callbacks, options) takes the loop first', loop);
    toAddress(address); // a bad address fails here, not at connect()
    checkOptions(callbacks, 'callbacks', CONNECTION_CALLBACKS);
    checkOptions(options, 'options', CLIENT_OPTIONS);
  }

  /** Connect (once). Resolves with the connection, rejects with the last SystemError. */
  connect(): Promise<TcpConnection> {
    if (this.#pending !== null) return this.#pending;
    if (this.state === 'closed') return Promise.reject(new ClientClosedError());
    this.state = 'connecting';
    this.#pending = new Promise<TcpConnection>((resolve, reject) => {
      this.#connector = new Connector(
        this.loop,
        this.address,
        (fd) => {
          this.#connector = null;
          if (this.options.noDelay ?? true) setNoDelay(fd);
          const conn = new TcpConnection(this.loop, fd, this.callbacks, this.options);
          this.connection = conn;
          this.state = 'connected';
          resolve(conn);
        },
        (err: SystemError) => {
          this.#connector = null;
          this.state = 'closed';
          reject(err);
        },
        this.options,
      );
      this.#connector.start();
    });
    return this.#pending;
  }

  /** Stop connecting, or close the connection gracefully. */
  close(): void {
    this.#connector?.cancel();
    this.#connector = null;
    this.connection?.close();
    this.state = 'closed';
  }
}
