// The typed messages between the pool's threads, and what each thread gets in workerData.
//
// Channels (all MessagePorts are drained by the receiving loop with receiveMessageOnPort,
// after a Doorbells.post woke it; work threads use ordinary 'message' events):
//   main -> loop j        commands (ToLoop)            port: LoopWorkerData.control
//   loop i <-> loop j     posts and sends (PeerMessage) port: LoopWorkerData.peers[i]
//   loop j <-> work k     jobs out, results back       port: LoopWorkerData.work[k]
//   loop/work -> main     events (FromLoop/FromWork)   parentPort (main's own event loop)
// Plain data only (structured clone); fds travel as numbers (the fd table is per process).
import type { MessagePort } from 'node:worker_threads';
import type { LoopMode } from '../loop/options.js';
import type { TcpServerOptions } from '../tcp/TcpServer.js';

/** An error as it crosses threads. */
export interface WireError {
  name: string;
  message: string;
  stack: string | undefined;
}

/** An error (or anything thrown) as plain, clonable data. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err), stack: undefined };
}

/** A module and the export in it (default: 'default'). */
export interface ModuleRef {
  /** A file path or a URL string (file:). Relative paths resolve against the process's cwd. */
  module: string;
  /** The export's name. Default 'default'. */
  export?: string;
}

/** Commands, main -> loop. */
export type ToLoop =
  | { t: 'adopt'; fd: number }
  | { t: 'post'; message: unknown }
  | { t: 'stats'; id: number }
  | { t: 'stop'; deadlineMs: number };

/** Posts and sends, loop -> loop. */
export type PeerMessage = { t: 'post'; message: unknown } | { t: 'send'; id: number; data: Uint8Array | string };

/** A job, loop -> work thread. */
export interface WorkJob {
  seq: number;
  fn: string;
  input: unknown;
}

/** A job's outcome, work thread -> loop. */
export type WorkResult = { seq: number; ok: true; value: unknown } | { seq: number; ok: false; error: WireError };

/** One loop's figures (LoopPool.stats()). */
export interface LoopReport {
  /** The loop's index in its pool. */
  index: number;
  /** Connections this loop took (accepted on its own listener, or handed to it). */
  accepted: number;
  /** Connections open now. */
  connections: number;
  /** Handed-off fds closed on arrival because the loop was stopping. */
  handoffsRefused: number;
  /** Errors thrown by user code on this loop. */
  handlerErrors: number;
  /** The EventLoop's counters (turns, events, reads, writes, syscalls, bytes). */
  loop: Record<string, number>;
}

/** Events, loop -> main. */
export type FromLoop =
  | { t: 'ready' }
  | { t: 'start-failed'; error: WireError }
  | { t: 'handler-error'; where: string; connectionId: number; error: WireError }
  | { t: 'handoff-refused'; fd: number }
  | { t: 'stats'; id: number; report: LoopReport }
  | { t: 'exited'; report: LoopReport };

/** Events, work thread -> main. */
export type FromWork = { t: 'ready' } | { t: 'start-failed'; error: WireError };

/** Commands, main -> work thread (on parentPort). */
export type ToWork = { t: 'stop' };

/** What a loop thread starts with. */
export interface LoopWorkerData {
  index: number;
  loops: number;
  handler: ModuleRef;
  /** Given to the handler factory as ctx.data. */
  data: unknown;
  mode: LoopMode;
  batchIo: boolean;
  server: Omit<TcpServerOptions, 'address'>;
  /** reuseport: the address of this loop's own SO_REUSEPORT listener; null: fds are handed to it. */
  listen: string | null;
  bells: SharedArrayBuffer;
  control: MessagePort;
  /** peers[i]: this loop's end of the channel to loop i (null at its own index). */
  peers: Array<MessagePort | null>;
  /** work[k]: this loop's end of the channel to work thread k. */
  work: MessagePort[];
  /** WorkPool queue bound (pool-wide); 0 when there is no WorkPool. */
  maxQueue: number;
}

/** What a work thread starts with. */
export interface WorkWorkerData {
  index: number;
  work: ModuleRef;
  bells: SharedArrayBuffer;
  /** loops[j]: this thread's end of the channel to loop j. */
  loops: MessagePort[];
}
