// The contract between a LoopPool and the user's code that runs inside its threads.
//
// Worker threads share no closures with the main thread, so user code is a module: the pool
// gets { module, export } and each thread imports it. A loop module exports
// `defineHandler(factory)`; the factory runs once per loop, on that loop's thread, and returns
// the callbacks for that loop's connections — whatever the factory's closure holds is the
// loop's own state (no locks: one thread). A work module exports `defineWork({ name: fn })`.
//
// Threading: everything here runs on the loop's (or work) thread. Callbacks run inside a turn.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import type { EventLoop } from '../loop/EventLoop.js';
import type { CloseInfo, TcpConnection } from '../tcp/TcpConnection.js';
import type { TcpServer } from '../tcp/TcpServer.js';
import type { ModuleRef } from './protocol.js';
import { invalidArgType, invalidArgValue } from '../sys/args.js';

/** Global connection ids: `localSequence * MAX_LOOPS + loopIndex` (unique in the pool, safe integers). */
export const MAX_LOOPS = 256;

/** The loop that owns connection `id`. */
export function loopOfConnection(id: number): number {
  return id % MAX_LOOPS;
}

/** What a loop's handler can reach: its loop, its server, and the rest of the pool. */
export interface LoopContext {
  /** This loop's index, 0..loops-1. */
  readonly index: number;
  /** How many loops the pool has. */
  readonly loops: number;
  /** This thread's EventLoop (exclusive driver): timers via loop.setTimeout, counters via loop.stats. */
  readonly loop: EventLoop;
  /** This loop's server: its connection table and graceful close. */
  readonly server: TcpServer;
  /** LoopPoolOptions.data, structured-cloned into this thread. */
  readonly data: unknown;
  /** The pool-wide id of a connection of this loop (stable for its lifetime). */
  idOf(conn: TcpConnection): number;
  /** The live connection of this loop with that id, if any. */
  connection(id: number): TcpConnection | undefined;
  /**
   * Run `onPost(message, this.index)` on loop `loop` (this one included: then at the end of
   * this turn). False if that loop no longer takes messages (it is stopping).
   */
  post(loop: number, message: unknown): boolean;
  /** post() to every other loop; returns how many took it. */
  broadcast(message: unknown): number;
  /**
   * Send bytes to a connection by its pool-wide id, on whichever loop owns it (copied). True
   * if sent here or handed to the owning loop; the owner drops it if the connection is gone.
   * False for an id no connection can have (not a non-negative safe integer), as for an unknown one.
   */
  sendTo(id: number, data: Uint8Array | string): boolean;
  /**
   * Run work function `fn` of the pool's work module on a work thread. Results come back to
   * this loop (its task queue + waker) and settle in submission order per connection. Throws
   * WorkQueueFullError (ERR_REACTOR_WORK_QUEUE_FULL) at once when the pool-wide queue is
   * full. If `fn` throws, the promise rejects with WorkFailedError, `conn` is closed
   * ('error') and the error is reported to the pool.
   */
  work<R = unknown>(conn: TcpConnection, fn: string, input: unknown): Promise<R>;
}

/**
 * The callbacks of one loop. A throw closes that connection. The rule for input is
 * TcpServer's: onMessage, or onConnection that reads with conn.read() / `for await`; a handler
 * with neither fails the pool's start (ERR_REACTOR_POOL_START_FAILED).
 */
export interface LoopHandler {
  /** A connection joined this loop (accepted here, or handed to it). */
  onConnection?(conn: TcpConnection, id: number): void;
  /** Input arrived; consume what you can. May return a promise (a rejection closes conn). */
  onMessage?(conn: TcpConnection, input: ByteBuffer): void | Promise<void>;
  /** Output crossed the high-water mark (pause reading here for back-pressure). */
  onHighWater?(conn: TcpConnection, pending: number): void;
  /** Output drained after a high-water crossing. */
  onDrain?(conn: TcpConnection): void;
  /** The connection closed (once). */
  onClose?(conn: TcpConnection, info: CloseInfo): void;
  /** A message from ctx.post/broadcast on a loop (`from` = its index) or LoopPool.post (`from` = -1). */
  onPost?(message: unknown, from: number): void;
  /** The loop is stopping: it accepts nothing more; connections are being closed. */
  onStop?(): void;
}

/** Runs once per loop, on that loop's thread. Its closure is the loop's state. */
export type HandlerFactory = (ctx: LoopContext) => LoopHandler | Promise<LoopHandler>;

const HANDLER = Symbol.for('epoll-reactor.handler');
const WORK = Symbol.for('epoll-reactor.work');

/** A handler module's export: the factory, branded so a wrong export is caught at start. */
export type DefinedHandler = HandlerFactory & {
  /** The brand defineHandler() sets. */
  readonly [HANDLER]: true;
};

/** Declare a loop handler: `export default defineHandler((ctx) => ({ onMessage(conn, input) {...} }))`. */
export function defineHandler(factory: HandlerFactory): DefinedHandler {
  if (typeof factory !== 'function') throw invalidArgType('factory', 'a function (ctx) => ({ onMessage(conn, input) {…} })', factory);
  return Object.assign(factory, { [HANDLER]: true as const });
}

/** Work functions by name: plain data in (structured clone), plain data (or a promise of it) out. */
export type WorkFunctions = Record<string, (input: never) => unknown>;

/** Declare a work module: `export default defineWork({ hash(input) {...} })`. */
export function defineWork<T extends WorkFunctions>(fns: T): T {
  for (const [name, fn] of Object.entries(fns)) {
    if (typeof fn !== 'function') throw invalidArgType(`fns.${name}`, 'a function (a work function)', fn);
  }
  return Object.defineProperty(fns, WORK, { value: true });
}

/** Import `ref` and return its export, checked to be what define*() made. */
export async function loadExport(ref: ModuleRef, kind: 'handler' | 'work'): Promise<unknown> {
  const { pathToFileURL } = await import('node:url');
  const { resolve } = await import('node:path');
  const url = /^[a-z]+:/i.test(ref.module) ? ref.module : pathToFileURL(resolve(ref.module)).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const name = ref.export ?? 'default';
  const value = mod[name];
  const brand = kind === 'handler' ? HANDLER : WORK;
  if (value === undefined || value === null || !(value as Record<symbol, unknown>)[brand]) {
    const made = kind === 'handler' ? 'defineHandler(...)' : 'defineWork({...})';
    throw invalidArgValue(`${ref.module}: export '${name}'`, `is not a ${kind} (make it with ${made})`, value);
  }
  return value;
}
