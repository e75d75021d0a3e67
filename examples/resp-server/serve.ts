// The command-line half every example server shares: parse --host --port --mode --driver
// (plus the server's own options), start the server on the chosen driver, print
// "listening on HOST:PORT" once ready, and on SIGTERM/SIGINT close it (connections get 5 s
// to flush) and exit 0.
//
// A local, minimal stand-in for the examples' shared CLI module (examples/shared/), used by
// resp-server and http-server until the two are unified.
//
// Drivers: 'integrated' runs the loop inside Node's own loop on the main thread;
// 'exclusive' runs a blocking epoll loop in a worker thread (serve-worker.ts) that imports
// the server module by URL, and the main thread keeps the signals.
import { parseArgs } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import { EventLoop, Waker, type TcpServer } from '../../src/index.js';

/** The options every example server takes. */
export interface BaseOptions {
  host: string;
  port: number;
  mode: 'lt' | 'et';
  driver: 'integrated' | 'exclusive';
}

/** A server module: `start(loop, options)` listens and returns its TcpServer. */
export type StartServer<O> = (loop: EventLoop, options: O) => TcpServer;

type ExtraOptions = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** Parses the common options and `extra`; prints `usage` for --help; exits 2 on a bad value. */
export function parseServerArgs(
  name: string,
  usage: string,
  extra: ExtraOptions = {},
  argv: string[] = process.argv.slice(2),
): { base: BaseOptions; values: Record<string, string | boolean | undefined> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      mode: { type: 'string', default: 'lt' },
      driver: { type: 'string', default: 'integrated' },
      help: { type: 'boolean', short: 'h', default: false },
      ...extra,
    },
  }) as { values: Record<string, string | boolean | undefined> };
  if (values.help) {
    process.stdout.write(`usage: ${name} [--host 127.0.0.1] [--port 0] [--mode lt|et] [--driver integrated|exclusive] ${usage}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(name, `bad --port '${String(values.port)}'`);
  if (values.mode !== 'lt' && values.mode !== 'et') fail(name, `--mode must be lt or et, not '${String(values.mode)}'`);
  if (values.driver !== 'integrated' && values.driver !== 'exclusive') fail(name, '--driver must be integrated or exclusive');
  return { base: { host: values.host as string, port, mode: values.mode, driver: values.driver }, values };
}

/** Prints `name: message` on stderr and exits 2. */
export function fail(name: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(2);
}

/** "host:port" for TcpServerOptions.address (brackets around IPv6 literals). */
export function listenAddress(o: BaseOptions): string {
  return o.host.includes(':') ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
}

/**
 * Runs the server exported as `start` by the module at `moduleUrl` on the chosen driver.
 * `options` must survive structured cloning (the exclusive driver posts it to a worker).
 */
export async function serve<O extends BaseOptions>(name: string, moduleUrl: URL, options: O, deadlineMs = 5000): Promise<void> {
  if (options.driver === 'integrated') {
    const { start } = (await import(moduleUrl.href)) as { start: StartServer<O> };
    const loop = new EventLoop({ mode: options.mode, driver: 'integrated' });
    let server: TcpServer;
    try {
      server = start(loop, options);
    } catch (err) {
      fail(name, (err as Error).message);
    }
    loop.run();
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void server.close(deadlineMs).then(() => {
        loop.close();
        process.exit(0);
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // Only now: a parent that signals as soon as it reads this line must find the handlers in place.
    process.stdout.write(`listening on ${server.address.toString()}\n`);
    return;
  }
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./serve-worker.js', import.meta.url), {
    workerData: { moduleUrl: moduleUrl.href, options, deadlineMs, port: port2 },
    transferList: [port2],
  });
  let wakerFd = -1;
  worker.on('message', (msg: { listening?: string; wakerFd?: number }) => {
    if (msg.listening) {
      wakerFd = msg.wakerFd!;
      process.stdout.write(`listening on ${msg.listening}\n`);
    }
  });
  worker.on('error', (err) => fail(name, err.message));
  worker.on('exit', (code) => process.exit(code === 0 ? 0 : 1));
  const stop = (): void => {
    if (wakerFd < 0) process.exit(0);
    port1.postMessage({ cmd: 'stop' });
    Waker.signal(wakerFd);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
