// LoopPool: N exclusive EventLoops, one per worker thread, serving one TCP address (muduo's
// EventLoopThreadPool, Kiwi's EventLoopPool), plus an optional WorkPool.
//
// Spreading connections over the loops:
//   'reuseport' — every loop has its own SO_REUSEPORT listener on the same port and the kernel
//                 spreads incoming connections (by a hash of the 4-tuple). The main thread only
//                 reserves the port (a bound, never listening socket) until every loop listens.
//   'handoff'   — the main thread accepts (an integrated EventLoop + Acceptor) and hands each
//                 fd to a loop, round-robin or least-connections, through that loop's doorbell
//                 (task queue + eventfd wake-up). Until a loop takes it from its inbox the fd
//                 is the acceptor's; a loop that refuses (stopping) leaves it with the acceptor,
//                 which tries the next loop and closes it if none takes it; a loop that takes it
//                 while stopping closes it. Exactly one owner at any time.
//
// Lifecycle: close() stops accepting (every listener), lets every loop close its connections
// (flush, then force at the deadline), joins the loop threads, then the work threads. A thread
// that dies is reported (ThreadDiedError), the pool closes the others, and `done` rejects: the
// process should exit non-zero (no restart: a loop's connections died with it).
//
// Threading: the main thread only.
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { PoolCloseTimeoutError, PoolClosedError, PoolStartError, type ThreadsError, type ThreadDiedError, rangeError } from '../errors.js';
import { EventLoop } from '../loop/EventLoop.js';
import { listen, localAddress, setIntOption, streamSocket, toAddress, type AddressLike } from '../net/socket.js';
import type { SocketAddress } from '../net/SocketAddress.js';
import type { LoopMode } from '../loop/options.js';
import { native } from '../sys/addon.js';
import { SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT } from '../sys/constants.js';
import { check } from '../sys/SystemError.js';
import { Acceptor } from '../tcp/Acceptor.js';
import { SERVER_OPTIONS, type TcpServerOptions } from '../tcp/TcpServer.js';
import { Doorbells } from './Doorbells.js';
import { MAX_LOOPS } from './handler.js';
import { checkOptions, invalidArgType, invalidArgValue, outOfRange } from '../sys/args.js';
import { LoopThread } from './LoopThread.js';
import type { LoopReport, LoopWorkerData, ModuleRef } from './protocol.js';
import { WorkPool, type WorkPoolOptions } from './WorkPool.js';

/** How connections reach the loops: each loop's own SO_REUSEPORT listener, or a main-thread acceptor handing fds out. */
export type Spread = 'reuseport' | 'handoff';
/** How the hand-off acceptor picks a loop. */
export type Balance = 'round-robin' | 'least-connections';

/** What LoopPool.start() needs: the handler module, and how many loops, spread how. */
export interface LoopPoolOptions {
  /** The handler module (defineHandler), as a path or file: URL, or { module, export }. */
  handler: string | ModuleRef;
  /** Number of loop threads. Default: os.availableParallelism(). */
  loops?: number;
  /** How connections reach the loops. Default 'reuseport'. */
  spread?: Spread;
  /** 'handoff' only: which loop gets the next connection. Default 'round-robin'. */
  balance?: Balance;
  /** Where to listen. Default 127.0.0.1:0. */
  address?: AddressLike;
  /** Every loop's mode: 'lt', 'et' or 'uring' (EventLoopOptions.mode). Default 'lt'. */
  mode?: LoopMode;
  /** The loops' batched turn. Default true. */
  batchIo?: boolean;
  /** Connection and listen options for every loop's server (high-water mark, idle timeout, backlog). */
  server?: Omit<TcpServerOptions, 'address' | 'reusePort'>;
  /** Structured-cloned into each loop thread as ctx.data. */
  data?: unknown;
  /** A WorkPool for ctx.work(): the work module (defineWork), threads, maxQueue. */
  work?: WorkPoolOptions;
  /** User code threw on a thread, or a thread died. Default: the stack on stderr. */
  onError?: (err: ThreadsError) => void;
}

const POOL_OPTIONS = {
  handler: 'any',
  loops: 'number',
  spread: ['reuseport', 'handoff'],
  balance: ['round-robin', 'least-connections'],
  address: 'any',
  mode: ['lt', 'et', 'uring'],
  batchIo: 'boolean',
  server: 'object',
  data: 'any',
  work: 'object',
  onError: 'function',
} as const;
const { address: _address, reusePort: _reusePort, ...POOL_SERVER_OPTIONS } = SERVER_OPTIONS; // the pool sets these two
const WORK_OPTIONS = { module: 'string', export: 'string', threads: 'number', maxQueue: 'number' } as const;

/**
 * A module reference: a path or file: URL string, or { module, export }. A function (a
 * handler written inline) cannot cross to a worker thread: worker threads share no closures.
 */
export function checkModuleRef(value: unknown, name: string, made: string): void {
  if (typeof value === 'function') {
    throw invalidArgType(
      name,
      `a module path or { module, export } — not a function: worker threads share no closures, so put it in a module that exports ${made} and pass that module's path`,
      value,
    );
  }
  if (typeof value === 'string') return;
  if (value === null || typeof value !== 'object') throw invalidArgType(name, `a module path (string) or { module, export } of a module exporting ${made}`, value);
  checkOptions(value, name, { module: 'string', export: 'string' }, false);
  if (typeof (value as ModuleRef).module !== 'string') throw invalidArgType(`${name}.module`, 'of type string (a path or file: URL)', (value as ModuleRef).module);
}

function defaultOnError(err: ThreadsError): void {
  process.stderr.write(`epoll-reactor: ${err.message}\n${err.remoteStack ?? err.stack ?? ''}\n`);
}

/** N loop threads serving one address, and an optional WorkPool. Main thread only. */
export class LoopPool {
  /** How connections reach the loops (LoopPoolOptions.spread). */
  readonly spread: Spread;
  /** Which loop the hand-off acceptor picks ('handoff' spread only). */
  readonly balance: Balance;
  readonly #threads: LoopThread[];
  readonly #bells: Doorbells;
  readonly #work: WorkPool | null;
  readonly #onError: (err: ThreadsError) => void;
  #address: SocketAddress;
  #acceptLoop: EventLoop | null = null;
  #acceptor: Acceptor | null = null;
  #next = 0;
  #handoffsClosed = 0;
  #closePromise: Promise<void> | null = null;
  #died: ThreadDiedError | null = null;
  #resolveDone!: () => void;
  #rejectDone!: (err: Error) => void;
  /** Settles after close(): resolves, or rejects with the ThreadDiedError that caused it. */
  readonly done: Promise<void>;

  private constructor(options: LoopPoolOptions, address: SocketAddress) {
    const loops = options.loops ?? availableParallelism();
    if (!Number.isInteger(loops) || loops < 1 || loops > MAX_LOOPS) throw outOfRange('options.loops', `an integer in 1..${MAX_LOOPS}`, loops);
    this.spread = options.spread ?? 'reuseport';
    this.balance = options.balance ?? 'round-robin';
    this.#onError = options.onError ?? defaultOnError;
    this.#address = address;
    this.done = new Promise((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => undefined);
    this.#bells = new Doorbells(loops);
    const onDied = (err: ThreadDiedError): void => this.#threadDied(err);
    this.#work = options.work ? new WorkPool(options.work, this.#bells, loops, onDied) : null;
    // The loop-to-loop mesh: one channel per pair; loop i keeps peers[i][j], loop j keeps peers[j][i].
    const peers: Array<Array<MessagePort | null>> = Array.from({ length: loops }, () => new Array<MessagePort | null>(loops).fill(null));
    for (let i = 0; i < loops; i++) {
      for (let j = i + 1; j < loops; j++) {
        const { port1, port2 } = new MessageChannel();
        peers[i]![j] = port1;
        peers[j]![i] = port2;
      }
    }
    const handler = typeof options.handler === 'string' ? { module: options.handler } : options.handler;
    this.#threads = [];
    for (let i = 0; i < loops; i++) {
      const { port1, port2 } = new MessageChannel();
      const data: LoopWorkerData = {
        index: i,
        loops,
        handler: { module: handler.module, export: handler.export ?? 'default' },
        data: options.data,
        mode: options.mode ?? 'lt',
        batchIo: options.batchIo ?? true,
        server: options.server ?? {},
        listen: this.spread === 'reuseport' ? address.toString() : null,
        bells: this.#bells.buffer,
        control: port2,
        peers: peers[i]!,
        work: this.#work?.loopPorts[i] ?? [],
        maxQueue: this.#work?.maxQueue ?? 0,
      };
      this.#threads.push(new LoopThread(data, port1, this.#bells, { onError: this.#onError, onDied }));
    }
  }

  /** Start every thread; resolves once all loops run and the pool is accepting. */
  static async start(options: LoopPoolOptions): Promise<LoopPool> {
    if (options === undefined) throw invalidArgType('options', 'an object with handler (a module path)', options);
    checkOptions(options, 'options', POOL_OPTIONS);
    checkModuleRef(options.handler, 'options.handler', 'defineHandler((ctx) => ({ onMessage(conn, input) {…} }))');
    if (options.work !== undefined) {
      checkModuleRef(options.work, 'options.work', 'defineWork({…})');
      checkOptions(options.work, 'options.work', WORK_OPTIONS);
    }
    if (options.server !== undefined) checkOptions(options.server, 'options.server', POOL_SERVER_OPTIONS);
    const spread = options.spread ?? 'reuseport';
    const address = toAddress(options.address ?? '127.0.0.1:0', 'options.address');
    let listenFd = -1;
    if (spread === 'reuseport') {
      if (address.family === 'unix') throw invalidArgValue('options.spread', "'reuseport' needs an IP address (use 'handoff' for a unix socket)", spread);
      listenFd = reservePort(address);
    } else {
      listenFd = listen(address, options.server ?? {});
    }
    let pool: LoopPool;
    try {
      pool = new LoopPool(options, localAddress(listenFd));
    } catch (err) {
      native.close(listenFd);
      throw err;
    }
    try {
      await Promise.all([...pool.#threads.map((t) => t.ready), pool.#work?.ready]);
    } catch (err) {
      native.close(listenFd);
      await pool.close(0).catch(() => undefined);
      throw err instanceof PoolStartError ? err : new PoolStartError({ kind: 'pool', index: -1 }, String(err));
    }
    if (spread === 'reuseport') native.close(listenFd); // every loop listens now: the reservation can go
    else pool.#startAcceptor(listenFd);
    return pool;
  }

  /** The address every loop serves (the real port when 0 was asked). */
  get address(): SocketAddress {
    return this.#address;
  }

  /** The loop threads, by index. */
  get threads(): readonly LoopThread[] {
    return this.#threads;
  }

  /** Handed-off fds the acceptor closed because no loop would take them. */
  get handoffsClosed(): number {
    return this.#handoffsClosed;
  }

  /** Run onPost(message, -1) on loop `loop`. False if that loop takes no more messages; throws PoolClosedError after close(). */
  post(loop: number, message: unknown): boolean {
    if (this.#closePromise !== null) throw new PoolClosedError('the pool is closing');
    const t = this.#threads[loop];
    if (t === undefined) throw rangeError(`no loop ${loop} (pool of ${this.#threads.length})`);
    return t.post(message);
  }

  /** Every loop's figures. */
  stats(): Promise<LoopReport[]> {
    return Promise.all(this.#threads.map((t) => t.stats()));
  }

  // --- hand-off ----------------------------------------------------------------------------

  #startAcceptor(listenFd: number): void {
    const loop = new EventLoop({ driver: 'integrated' });
    this.#acceptLoop = loop;
    this.#acceptor = new Acceptor(loop, listenFd, (fd) => this.#handOff(fd));
    this.#acceptor.start();
    void loop.run();
  }

  #handOff(fd: number): void {
    const n = this.#threads.length;
    for (let tries = 0; tries < n; tries++) {
      const i = this.#pick();
      this.#bells.addLive(i, 1); // before the post: the loop may close it (and count down) at once
      if (this.#threads[i]!.handOff(fd)) return;
      this.#bells.addLive(i, -1);
      this.#next = i + 1; // refused (stopping): the next loop
    }
    this.#handoffsClosed++;
    this.#acceptLoop!.closeFd(fd); // no loop takes it: still ours, closed here
  }

  #pick(): number {
    const n = this.#threads.length;
    if (this.balance === 'round-robin') {
      const i = this.#next % n;
      this.#next = i + 1;
      return i;
    }
    let best = -1;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n; // rotate the start: ties spread round-robin
      if (!this.#bells.isOpen(i)) continue;
      if (best < 0 || this.#bells.live(i) < this.#bells.live(best)) best = i;
    }
    if (best < 0) best = this.#next % n;
    this.#next = best + 1;
    return best;
  }

  // --- closing --------------------------------------------------------------------------------

  /**
   * Stop accepting everywhere, close every connection (flush; force-close after `deadlineMs`),
   * join the loop threads, then the work threads. Threads still running `deadlineMs + 2000` ms
   * later are terminated and the promise rejects with PoolCloseTimeoutError. Idempotent.
   */
  close(deadlineMs = 5000): Promise<void> {
    if (this.#closePromise !== null) return this.#closePromise;
    this.#closePromise = this.#close(deadlineMs).then(
      () => {
        if (this.#died) this.#rejectDone(this.#died);
        else this.#resolveDone();
      },
      (err: Error) => {
        this.#rejectDone(this.#died ?? err);
        throw err;
      },
    );
    return this.#closePromise;
  }

  async #close(deadlineMs: number): Promise<void> {
    this.#acceptor?.stop();
    this.#acceptLoop?.close();
    for (const t of this.#threads) t.stop(deadlineMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs + 2000);
    });
    try {
      const loops = Promise.all(this.#threads.map((t) => t.exited));
      if ((await Promise.race([loops, late])) === 'late') {
        await Promise.all(this.#threads.map((t) => t.terminate()));
        await this.#work?.terminate();
        throw new PoolCloseTimeoutError(`loop threads still running ${deadlineMs + 2000} ms after close(): terminated`);
      }
      this.#work?.stop();
      if (this.#work && (await Promise.race([this.#work.exited, late])) === 'late') {
        await this.#work.terminate();
        throw new PoolCloseTimeoutError(`work threads still running ${deadlineMs + 2000} ms after close(): terminated`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #threadDied(err: ThreadDiedError): void {
    if (this.#died === null) this.#died = err;
    this.#onError(err);
    void this.close().catch(() => undefined);
  }
}

/** A bound, never listening SO_REUSEPORT socket: holds the port until the loops' listeners exist. */
function reservePort(address: SocketAddress): number {
  const fd = streamSocket(address);
  try {
    setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'SO_REUSEADDR');
    setIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, 'SO_REUSEPORT');
    check(native.bind(fd, address.sockaddr), 'bind', address.toString());
    return fd;
  } catch (err) {
    native.close(fd);
    throw err;
  }
}
