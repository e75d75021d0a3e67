// LoopRuntime: everything one loop thread runs besides the EventLoop itself — the TcpServer
// (its own SO_REUSEPORT listener, or fds handed to it), the user's handler with its
// LoopContext, pool-wide connection ids, the inbox (commands from the main thread, posts and
// sends from other loops, work results) and the stop sequence.
//
// User code never takes the loop down: a callback that throws (or an onMessage promise that
// rejects) closes that connection with reason 'error' and is reported to the main thread
// with its stack; a throwing onPost/onStop is reported and the loop goes on.
//
// Fd ownership on hand-off: an 'adopt' command makes this loop the fd's owner the moment it
// is taken from the inbox. A loop that is stopping closes it at once (and says so); the
// Doorbells gate guarantees nothing arrives after the final drain.
//
// Threading: the loop's thread only (constructed in the worker by loopWorker.ts).
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { WorkFailedError, rangeError } from '../errors.js';
import type { EventLoop } from '../loop/EventLoop.js';
import { TcpServer, checkHasInputCallback } from '../tcp/TcpServer.js';
import { checkOptions, invalidArgType } from '../sys/args.js';

const HANDLER_CALLBACKS = {
  onConnection: 'function',
  onMessage: 'function',
  onHighWater: 'function',
  onDrain: 'function',
  onClose: 'function',
  onPost: 'function',
  onStop: 'function',
} as const;
import type { CloseInfo, TcpConnection } from '../tcp/TcpConnection.js';
import { Doorbells } from './Doorbells.js';
import { MAX_LOOPS, loadExport, loopOfConnection, type HandlerFactory, type LoopContext, type LoopHandler } from './handler.js';
import { toWireError, type FromLoop, type LoopReport, type LoopWorkerData, type PeerMessage, type ToLoop, type WorkResult } from './protocol.js';
import { WorkClient } from './WorkClient.js';

function report(msg: FromLoop): void {
  parentPort!.postMessage(msg);
}

/** One loop thread's server, handler, context and inbox (the LoopContext handlers receive). */
export class LoopRuntime implements LoopContext {
  readonly index: number;
  readonly loops: number;
  readonly loop: EventLoop;
  readonly server: TcpServer;
  readonly data: unknown;
  readonly #init: LoopWorkerData;
  readonly #bells: Doorbells;
  readonly #work: WorkClient;
  #handler: LoopHandler = {};
  readonly #ids = new Map<TcpConnection, number>();
  readonly #conns = new Map<number, TcpConnection>();
  #nextLocal = 1;
  #stopping = false;
  #accepted = 0;
  #handoffsRefused = 0;
  #handlerErrors = 0;
  /** With its own listener the loop counts its accepts into the LIVE word (else the acceptor does). */
  readonly #ownListener: boolean;

  constructor(init: LoopWorkerData, loop: EventLoop) {
    this.#init = init;
    this.index = init.index;
    this.loops = init.loops;
    this.data = init.data;
    this.loop = loop;
    this.#bells = new Doorbells(init.bells);
    this.#work = new WorkClient(init.work, this.#bells, init.maxQueue, init.index, (conn, err) => {
      this.#reportThrow(err.fn, this.#ids.get(conn) ?? -1, err, err.remoteStack);
      conn.destroy(undefined, 'error');
    });
    this.server = new TcpServer(
      loop,
      {
        onConnection: (conn) => this.#onConnection(conn),
        // onMessage is added by start() if the handler has one (else conn.read() reads).
        onHighWater: (conn, pending) => this.#guard('onHighWater', conn, () => this.#handler.onHighWater?.(conn, pending)),
        onDrain: (conn) => this.#guard('onDrain', conn, () => this.#handler.onDrain?.(conn)),
        onClose: (conn, info) => this.#onClose(conn, info),
      },
      init.listen === null ? init.server : { ...init.server, address: init.listen, reusePort: true },
    );
    this.#ownListener = init.listen !== null;
  }

  /** Import the handler module and run its factory (on this thread). */
  async start(): Promise<void> {
    const factory = (await loadExport(this.#init.handler, 'handler')) as HandlerFactory;
    const handler = await factory(this);
    if (handler === null || typeof handler !== 'object') {
      throw invalidArgType(`${this.#init.handler.module}: the handler factory's result`, 'an object with onMessage(conn, input)', handler);
    }
    checkOptions(handler, `${this.#init.handler.module}: the handler`, HANDLER_CALLBACKS, false); // its own extra keys are its business
    checkHasInputCallback(handler, `${this.#init.handler.module}: the handler`); // the rule TcpServer applies
    this.#handler = handler;
    if (handler.onMessage !== undefined) this.server.setCallbacks({ onMessage: (conn, input) => this.#onMessage(conn, input) });
    this.loop.attachPort(this.#init.control, (msg) => this.#onCommand(msg as ToLoop));
    this.#init.peers.forEach((port, from) => {
      if (port !== null) this.loop.attachPort(port, (msg) => this.#onPeer(msg as PeerMessage, from));
    });
    for (const port of this.#init.work) this.loop.attachPort(port, (msg) => this.#work.onResult(msg as WorkResult));
    this.#bells.open(this.index, this.loop.wakerFd);
    if (this.#ownListener) this.server.listen();
  }

  // --- LoopContext -------------------------------------------------------------------

  idOf(conn: TcpConnection): number {
    const id = this.#ids.get(conn);
    if (id === undefined) throw rangeError(`connection fd ${conn.fd} does not belong to loop ${this.index}`);
    return id;
  }

  connection(id: number): TcpConnection | undefined {
    return this.#conns.get(id);
  }

  post(loop: number, message: unknown): boolean {
    if (loop === this.index) {
      if (this.#stopping) return false;
      this.loop.queueInLoop(() => this.#guard('onPost', null, () => this.#handler.onPost?.(message, this.index)));
      return true;
    }
    return this.#toPeer(loop, { t: 'post', message });
  }

  broadcast(message: unknown): number {
    let n = 0;
    for (let i = 0; i < this.loops; i++) if (i !== this.index && this.#toPeer(i, { t: 'post', message })) n++;
    return n;
  }

  sendTo(id: number, data: Uint8Array | string): boolean {
    // Ids are non-negative safe integers; anything else (NaN from a user's "abc", -1, 1.5)
    // names no connection, so it answers as an unknown id does.
    if (!(Number.isSafeInteger(id) && id >= 0)) return false;
    const owner = loopOfConnection(id);
    if (owner === this.index) {
      const conn = this.#conns.get(id);
      if (conn === undefined || !conn.connected) return false;
      conn.send(data);
      return true;
    }
    if (owner >= this.loops) return false;
    return this.#toPeer(owner, { t: 'send', id, data });
  }

  work<R = unknown>(conn: TcpConnection, fn: string, input: unknown): Promise<R> {
    return this.#work.submit<R>(conn, fn, input);
  }

  #toPeer(loop: number, msg: PeerMessage): boolean {
    const port = this.#init.peers[loop];
    if (port === null || port === undefined) throw rangeError(`no loop ${loop} (pool of ${this.loops})`);
    return this.#bells.post(loop, port, msg);
  }

  // --- connections ---------------------------------------------------------------------

  #onConnection(conn: TcpConnection): void {
    const id = this.#nextLocal++ * MAX_LOOPS + this.index;
    this.#ids.set(conn, id);
    this.#conns.set(id, conn);
    this.#accepted++;
    if (this.#ownListener) this.#bells.addLive(this.index, 1);
    this.#guard('onConnection', conn, () => this.#handler.onConnection?.(conn, id));
  }

  #onMessage(conn: TcpConnection, input: ByteBuffer): void {
    try {
      const r = this.#handler.onMessage!(conn, input);
      if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
        (r as Promise<void>).then(undefined, (err: unknown) => this.#failConnection('onMessage', conn, err));
      }
    } catch (err) {
      this.#failConnection('onMessage', conn, err);
    }
  }

  #onClose(conn: TcpConnection, info: CloseInfo): void {
    const id = this.#ids.get(conn);
    if (id !== undefined) {
      this.#ids.delete(conn);
      this.#conns.delete(id);
      this.#bells.addLive(this.index, -1);
    }
    this.#guard('onClose', null, () => this.#handler.onClose?.(conn, info));
  }

  /** Run user code; a throw is reported and closes `conn` (if given). */
  #guard(where: string, conn: TcpConnection | null, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (conn !== null) this.#failConnection(where, conn, err);
      else this.#reportThrow(where, -1, err);
    }
  }

  #failConnection(where: string, conn: TcpConnection, err: unknown): void {
    if (err instanceof WorkFailedError) {
      conn.destroy(undefined, 'error'); // a failed job: reported (and conn closed) when it settled
      return;
    }
    this.#reportThrow(where, this.#ids.get(conn) ?? -1, err);
    conn.destroy(undefined, 'error');
  }

  #reportThrow(where: string, connectionId: number, err: unknown, remoteStack?: string): void {
    this.#handlerErrors++;
    const wire = toWireError(err);
    if (remoteStack !== undefined) wire.stack = remoteStack;
    report({ t: 'handler-error', where, connectionId, error: wire });
  }

  // --- the inbox -------------------------------------------------------------------------

  #onCommand(msg: ToLoop): void {
    switch (msg.t) {
      case 'adopt':
        this.#adopt(msg.fd);
        break;
      case 'post':
        this.#guard('onPost', null, () => this.#handler.onPost?.(msg.message, -1));
        break;
      case 'stats':
        report({ t: 'stats', id: msg.id, report: this.report() });
        break;
      case 'stop':
        this.stop(msg.deadlineMs);
        break;
    }
  }

  #onPeer(msg: PeerMessage, from: number): void {
    if (msg.t === 'post') {
      this.#guard('onPost', null, () => this.#handler.onPost?.(msg.message, from));
    } else {
      const conn = this.#conns.get(msg.id);
      if (conn !== undefined && conn.connected) conn.send(msg.data);
    }
  }

  #adopt(fd: number): void {
    if (this.#stopping) {
      this.loop.closeFd(fd); // this loop owns it now and will not serve it: the peer sees the close
      this.#handoffsRefused++;
      this.#bells.addLive(this.index, -1); // the acceptor counted it for us
      report({ t: 'handoff-refused', fd });
      return;
    }
    this.server.adopt(fd);
  }

  // --- stopping ----------------------------------------------------------------------------

  /** Stop accepting, close every connection (flush, then force at the deadline), then stop the loop. */
  stop(deadlineMs: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#guard('onStop', null, () => this.#handler.onStop?.());
    void this.server.close(deadlineMs).then(() => this.#finish());
  }

  #finish(): void {
    // No thread posts to or wakes this loop after close(); one last drain empties the inbox
    // (adopt commands in it close their fds: #stopping is set).
    this.#bells.close(this.index);
    this.loop.runOnce(0);
    this.loop.stop();
  }

  /** A failed start: take no more messages, free the listener (if it was opened). */
  abort(): void {
    this.#stopping = true;
    this.#bells.close(this.index);
    void this.server.close(0);
    this.loop.runOnce(0); // closes adopted fds that were already in the inbox
  }

  /**
   * The thread is ending now (process.exit() from user code): no turn will run again, so close
   * what this loop serves at once — the listener and every connection (their fds close with
   * the loop's deferred closes, in loop.close()). Synchronous; no handler runs.
   */
  closeNow(): void {
    this.#stopping = true;
    void this.server.close(0); // stops accepting: the listener's fd
    for (const conn of this.server.connections) conn?.destroy();
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  report(): LoopReport {
    return {
      index: this.index,
      accepted: this.#accepted,
      connections: this.server.size,
      handoffsRefused: this.#handoffsRefused,
      handlerErrors: this.#handlerErrors,
      loop: this.loop.stats.snapshot(),
    };
  }

  /** Every port this runtime listens on (closed by the worker once the loop has stopped). */
  ports(): MessagePort[] {
    return [this.#init.control, ...this.#init.peers.filter((p): p is MessagePort => p !== null), ...this.#init.work];
  }
}
