// Running an example server under either driver, with the signal handling they all share:
// "listening on HOST:PORT" once ready; on SIGTERM or SIGINT stop accepting, let connections
// flush (up to the deadline) and exit 0.
//
// Each example's server module exports `start(loop, options)`. The integrated driver calls it on
// the main thread (the reactor inside Node's own loop). The exclusive driver runs it in a worker
// thread (worker.ts), because a main thread blocked in epoll_wait would never see a signal; the
// main thread keeps the signals and stops the worker through a message plus the loop's Waker.
// `options` crosses to the worker by structured clone: plain data only.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { EventLoop, type SocketAddress } from '../../src/index.js';
import { raiseFdLimit, Waker } from '../../src/entries/sys.js';
import { errorLine, fail, type ServerArgs } from './cli.js';

/** What a server module's start() returns. */
export interface RunningServer {
  /** The bound address (the real port when 0 was asked). */
  readonly address: SocketAddress;
  /** Graceful stop: stop accepting, flush, close everything it owns, within `deadlineMs`. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * The contract of examples/<name>/server.ts: build the server on `loop` and start listening,
 * synchronously (under the exclusive driver the loop runs only after start() returns).
 */
export type StartServer<O> = (loop: EventLoop, options: O) => RunningServer;

/** How to run one example server. */
export interface RunSpec<O extends ServerArgs> {
  /** Program name for messages. */
  name: string;
  /** URL of the module exporting `start` (import.meta.url-relative, e.g. `new URL('./server.js', import.meta.url)`). */
  module: URL;
  /** The parsed options handed to start(); plain data. */
  options: O;
  /** The loop's batched turn (EventLoopOptions.batchIo). Default true. */
  batchIo?: boolean;
  /** Flush deadline on SIGTERM/SIGINT. Default 5000 ms. */
  deadlineMs?: number;
  /** Called with the loop's counters after the server stopped, just before exit. */
  onStopped?: (stats: Record<string, number>) => void;
}

/** Message from the worker of the exclusive driver. */
export interface WorkerReport {
  listening?: string;
  wakerFd?: number;
  stopped?: boolean;
  stats?: Record<string, number>;
  error?: string;
}

/** Starts the server under the driver in `spec.options.driver`; exits 0 after a signal-driven stop. */
export async function runServer<O extends ServerArgs>(spec: RunSpec<O>): Promise<void> {
  raiseFdLimit();
  if (spec.options.driver === 'integrated') await runIntegrated(spec);
  else runExclusive(spec);
}

/**
 * Prints "listening on ADDRESS" — always a server's first line, so a script can wait for it — and
 * then the open-file limit (every connection is an fd: the soft limit is lifted to the hard one
 * first), so a parent reading stdout sees how many connections fit.
 */
export function announceListening(address: string): void {
  const fds = raiseFdLimit();
  process.stdout.write(`listening on ${address}\nopen-file limit ${fds.soft} (hard ${fds.hard})\n`);
}

async function runIntegrated<O extends ServerArgs>(spec: RunSpec<O>): Promise<void> {
  const { start } = (await import(spec.module.href)) as { start: StartServer<O> };
  let loop: EventLoop;
  let server: RunningServer;
  try {
    // Inside the try: mode 'uring' throws ERR_REACTOR_URING_UNAVAILABLE where io_uring is refused.
    loop = new EventLoop({ mode: spec.options.mode, driver: 'integrated', batchIo: spec.batchIo ?? true });
    server = start(loop, spec.options);
  } catch (err) {
    fail(spec.name, errorLine(err));
  }
  loop.run();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close(spec.deadlineMs ?? 5000).then(() => {
      loop.close();
      spec.onStopped?.(loop.stats.snapshot());
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Only now: a parent that signals as soon as it reads this line must find the handlers in place.
  announceListening(server.address.toString());
}

function runExclusive<O extends ServerArgs>(spec: RunSpec<O>): void {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: {
      module: spec.module.href,
      options: spec.options,
      batchIo: spec.batchIo ?? true,
      deadlineMs: spec.deadlineMs ?? 5000,
      port: port2,
    },
    transferList: [port2],
  });
  let wakerFd = -1;
  worker.on('message', (msg: WorkerReport) => {
    if (msg.error !== undefined) fail(spec.name, msg.error);
    if (msg.listening !== undefined) {
      wakerFd = msg.wakerFd!;
      announceListening(msg.listening);
    }
    if (msg.stopped) spec.onStopped?.(msg.stats!);
  });
  worker.on('error', (err) => fail(spec.name, err.message));
  worker.on('exit', (code) => process.exit(code === 0 ? 0 : 1));
  stopWorkerOnSignal(port1, () => wakerFd);
}

/**
 * SIGTERM/SIGINT stop an exclusive loop running in a worker: a `{ cmd: 'stop' }` message on
 * `port`, then its Waker, since the loop is blocked in epoll_wait and sees the message only
 * when woken. Before the worker has reported its waker fd (`wakerFd()` < 0) nothing runs yet:
 * exit 0 at once.
 */
export function stopWorkerOnSignal(port: MessagePort, wakerFd: () => number): void {
  const stop = (): void => {
    const fd = wakerFd();
    if (fd < 0) process.exit(0);
    port.postMessage({ cmd: 'stop' });
    Waker.signal(fd);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
