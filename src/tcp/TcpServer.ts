// TcpServer: a listening socket, its Acceptor, and the table of live
// connections (indexed by fd: O(1) lookup, a few dozen bytes per idle
// connection beyond the kernel's buffers).
//
// Ownership: the server owns the listening fd (through its Acceptor) and, via
// their TcpConnection objects, every accepted connection. Threading: the loop's
// thread only.
//
// Shutdown: close() stops accepting at once, asks every connection to flush and
// close, and force-closes whatever has not finished by the deadline; its promise
// resolves when the last connection is gone. Idle cleanup: `idleTimeoutMs`
// closes connections that neither read nor wrote for that long.
import { LISTEN_OPTIONS, listen, localAddress, setNoDelay, toAddress, type AddressLike, type ListenOptions } from '../net/socket.js';
import { checkOptions, invalidArgType, invalidArgValue } from '../sys/args.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import { removeSocketFile, socketFileOf, type SocketFile } from '../net/socketFile.js';
import { ServerListeningError, ServerNotListeningError } from '../errors.js';
import { Acceptor } from './Acceptor.js';
import { kOnThrow, kReportError } from '../loop/symbols.js';
import { EventLoop } from '../loop/EventLoop.js';
import { TcpConnection, type CloseInfo, type ConnectionCallbacks, type ConnectionOptions } from './TcpConnection.js';
import { CONNECTION_CALLBACKS, CONNECTION_OPTIONS } from './ConnectionOptions.js';

/** The keys of TcpServerOptions and their kinds (checkOptions). */
export const SERVER_OPTIONS = { ...CONNECTION_OPTIONS, ...LISTEN_OPTIONS, address: 'any', noDelay: 'boolean', acceptBudget: 'number' } as const;
const SERVER_CALLBACKS = { ...CONNECTION_CALLBACKS, onConnection: 'function' } as const;

/**
 * The rule for input, the same in TcpServer and in a LoopPool handler: the callbacks need
 * onMessage, or onConnection (which then reads with conn.read() or `for await`). With
 * neither, every byte received would wait unread until the connection overflowed.
 */
export function checkHasInputCallback(callbacks: { onMessage?: unknown; onConnection?: unknown }, name: string): void {
  if (callbacks.onMessage === undefined && callbacks.onConnection === undefined) {
    throw invalidArgValue(name, 'needs onMessage(conn, input), or onConnection(conn) that reads with conn.read() / for await: without either, input is never read', callbacks);
  }
}

/** Where and how to listen, plus options for every accepted connection. */
export interface TcpServerOptions extends ConnectionOptions, ListenOptions {
  /** Where to listen. Default 127.0.0.1:0 (an ephemeral port on loopback). */
  address?: AddressLike;
  /** TCP_NODELAY on accepted connections. Default true (a reactor batches its own writes). */
  noDelay?: boolean;
  /** Connections accepted per turn at most. Default 128. */
  acceptBudget?: number;
}

/** Connection callbacks shared by every accepted connection, plus server events. */
export interface TcpServerCallbacks extends Omit<ConnectionCallbacks, 'onError'> {
  /** A connection was accepted (before any of its data is delivered). */
  onConnection?: (conn: TcpConnection) => void;
  /**
   * An error: a callback of connection `conn` threw (that connection is already closed with
   * reason 'error'; the others go on), or, without `conn`, a server-level SystemError that
   * closed nothing (accept failures, EMFILE drops). Without it, callback errors go to the
   * loop's onError (EventLoop.onError) and accept errors are dropped.
   */
  onError?: (err: Error, conn?: TcpConnection) => void;
}

/**
 * A listening socket and its live connections. Despite the name it serves Unix stream
 * sockets too: listen on `'unix:/path/to.sock'` or `SocketAddress.unix(path)`.
 */
export class TcpServer {
  /** The loop that accepts and serves the connections. */
  readonly loop: EventLoop;
  /** Live connections by fd. */
  readonly connections: Array<TcpConnection | undefined> = [];
  #count = 0;
  #acceptor: Acceptor | null = null;
  #address: SocketAddress | null = null;
  /** The Unix socket file listen() created (removed by close()), or null. */
  #socketFile: SocketFile | null = null;
  readonly #options: TcpServerOptions;
  readonly #callbacks: TcpServerCallbacks;
  /** One callbacks object shared by every connection: nothing allocated per accept. */
  readonly #connCallbacks: ConnectionCallbacks;
  #closing: { resolve: () => void } | null = null;
  #closePromise: Promise<void> | null = null;

  /**
   * @param loop the EventLoop that accepts and serves (first: `new TcpServer(loop, callbacks, options)`)
   * @param callbacks onMessage (or onConnection that reads with conn.read()), onClose, onError…
   * @param options where to listen (`address: '127.0.0.1:8080'`), limits, socket options
   * @throws ERR_INVALID_ARG_TYPE without a loop, or for a wrong type; ERR_INVALID_ARG_VALUE for an
   *   unknown key (node:net's `port` included) or callbacks with neither onMessage nor onConnection
   */
  constructor(loop: EventLoop, callbacks: TcpServerCallbacks, options: TcpServerOptions = {}) {
    if (!(loop instanceof EventLoop)) {
      throw invalidArgType('loop', 'an EventLoop: new TcpServer(loop, callbacks, options) takes the loop first', loop);
    }
    checkOptions(callbacks, 'callbacks', SERVER_CALLBACKS);
    if (callbacks === undefined) throw invalidArgType('callbacks', 'an object with onMessage(conn, input)', callbacks);
    checkHasInputCallback(callbacks, 'callbacks');
    checkOptions(options, 'options', SERVER_OPTIONS);
    if (options.address !== undefined) toAddress(options.address, 'options.address'); // a bad address fails here, not at listen()
    this.loop = loop;
    this.#callbacks = callbacks;
    this.#options = options;
    this.#connCallbacks = {
      onClose: (conn, info) => this.#onConnectionClosed(conn, info),
      onError: (conn, err) => this.#onConnectionError(conn, err),
    };
    this.#syncCallbacks();
  }

  /** Change callbacks (they apply to existing and future connections). */
  setCallbacks(callbacks: TcpServerCallbacks): void {
    checkOptions(callbacks, 'callbacks', SERVER_CALLBACKS);
    Object.assign(this.#callbacks, callbacks);
    this.#syncCallbacks();
  }

  #syncCallbacks(): void {
    const cb = this.#callbacks;
    const shared = this.#connCallbacks;
    if (cb.onMessage) shared.onMessage = cb.onMessage;
    if (cb.onEnd) shared.onEnd = cb.onEnd;
    if (cb.onHighWater) shared.onHighWater = cb.onHighWater;
    if (cb.onDrain) shared.onDrain = cb.onDrain;
  }

  /** Bind, listen and start accepting. Returns the bound address (the real port when 0 was asked). */
  listen(): SocketAddress {
    if (this.#acceptor !== null) throw new ServerListeningError();
    const address = toAddress(this.#options.address ?? '127.0.0.1:0');
    const fd = listen(address, this.#options);
    this.#address = localAddress(fd);
    this.#socketFile = socketFileOf(fd);
    const acceptorOptions = {
      budget: this.#options.acceptBudget ?? 128,
      ...(this.#callbacks.onError ? { onError: this.#callbacks.onError } : {}),
    };
    this.#acceptor = new Acceptor(this.loop, fd, (cfd) => this.#onAccept(cfd), acceptorOptions);
    this.#acceptor.start();
    return this.#address;
  }

  /** The bound address (the real port when listen() asked for 0). Throws ServerNotListeningError before listen(). */
  get address(): SocketAddress {
    if (this.#address === null) throw new ServerNotListeningError();
    return this.#address;
  }

  /** Number of live connections. */
  get size(): number {
    return this.#count;
  }

  /** Connections dropped because the process ran out of fds. */
  get droppedConnections(): number {
    return this.#acceptor?.dropped ?? 0;
  }

  /**
   * Take ownership of an fd accepted elsewhere (another thread's acceptor handing it to this
   * loop) and serve it like one this server accepted. After close() it is closed at once.
   */
  adopt(fd: number): void {
    this.#onAccept(fd);
  }

  #onAccept(fd: number): void {
    if (this.#closing !== null) {
      this.loop.closeFd(fd);
      return;
    }
    if (this.#options.noDelay ?? true) {
      try {
        setNoDelay(fd);
      } catch {
        // a socket that died between accept and here: its first read will say so
      }
    }
    const conn = new TcpConnection(this.loop, fd, this.#connCallbacks, this.#options);
    this.connections[fd] = conn;
    this.#count++;
    const onConnection = this.#callbacks.onConnection;
    if (onConnection === undefined) return;
    try {
      onConnection(conn);
    } catch (err) {
      conn[kOnThrow](err); // this connection closes; accepting goes on
    }
  }

  #onConnectionError(conn: TcpConnection, err: Error): void {
    const onError = this.#callbacks.onError;
    if (onError === undefined) this.loop[kReportError](err);
    else onError(err, conn); // a throw here reaches the loop (TcpConnection contains it)
  }

  #onConnectionClosed(conn: TcpConnection, info: CloseInfo): void {
    if (this.connections[conn.fd] === conn) {
      this.connections[conn.fd] = undefined;
      this.#count--;
    }
    // Settle first: a throwing onClose must not leave close() waiting forever.
    if (this.#closing !== null && this.#count === 0) this.#closing.resolve();
    this.#callbacks.onClose?.(conn, info);
  }

  /**
   * Graceful shutdown: stop accepting now, let every connection flush and close,
   * force-close those still open after `deadlineMs`. Resolves when all are closed.
   */
  close(deadlineMs = 5000): Promise<void> {
    if (this.#closePromise !== null) return this.#closePromise;
    this.#closePromise = new Promise<void>((resolve) => {
      this.#closing = { resolve };
    });
    this.#acceptor?.stop();
    removeSocketFile(this.#socketFile);
    this.#socketFile = null;
    for (const conn of this.connections) conn?.close(deadlineMs);
    if (this.#count === 0) this.#closing!.resolve();
    return this.#closePromise;
  }
}
