// EventLoop's options and the name of its drivers. Types only.
import type { TriggerMode } from '../poll/interest.js';
import type { BatchIoOptions } from './BatchIo.js';
import type { RingIoOptions } from './RingIo.js';
import type { OptionSchema } from '../sys/args.js';

/**
 * How a loop learns about I/O: epoll level-triggered ('lt'), edge-triggered ('et'), or
 * io_uring completions for connection input ('uring': multishot recv into provided buffers,
 * the rest readiness on an epoll set the ring polls).
 */
export type LoopMode = TriggerMode | 'uring';

/** Who waits for the kernel: Node's loop ('integrated') or run() itself ('exclusive'). */
export type DriverKind = 'integrated' | 'exclusive';

/** The keys of EventLoopOptions and their kinds (checked by the constructor with checkOptions). */
export const EVENT_LOOP_OPTIONS = {
  mode: ['lt', 'et', 'uring'],
  driver: ['integrated', 'exclusive'],
  maxEvents: 'number',
  tickMs: 'number',
  readBudget: 'number',
  turnBudgetMs: 'number',
  scratchSize: 'number',
  batchIo: 'boolean',
  onError: 'function',
  readCap: 'number',
  readArenaSize: 'number',
  writeArenaSize: 'number',
  ringBuffers: 'number',
  ringBufferSize: 'number',
} as const satisfies OptionSchema;

/**
 * readCap and the arena sizes (BatchIoOptions) apply to the batched epoll turn only;
 * ringBuffers and ringBufferSize (RingIoOptions) to mode 'uring' only.
 */
export interface EventLoopOptions extends BatchIoOptions, RingIoOptions {
  /**
   * Level- or edge-triggered epoll, or io_uring ('uring', Linux 6.0+; throws
   * ERR_REACTOR_URING_UNAVAILABLE where io_uring is missing or refused). Default 'lt'.
   */
  mode?: LoopMode;
  /** Default 'integrated'. */
  driver?: DriverKind;
  /** Events per epoll_wait. Default 1024. */
  maxEvents?: number;
  /** Timing wheel tick. Default 10 ms. */
  tickMs?: number;
  /** ET: bytes read from one fd per turn before it yields to others. Default 256 KiB. */
  readBudget?: number;
  /**
   * ET: past this many ms into a turn, a connection reads once and yields (ready list)
   * instead of reading on to readBudget. Default 1.
   */
  turnBudgetMs?: number;
  /** Size of the per-loop read scratch buffer (muduo's extrabuf). Default 64 KiB. */
  scratchSize?: number;
  /**
   * The batched turn (native/batch.cc): epoll_wait and the reads of every ready
   * connection in one native call, and the turn's corked writes in one more.
   * Default true; false makes one native call per read and per write.
   */
  batchIo?: boolean;
  /** Errors thrown by callbacks that no connection or server handler took (see EventLoop.onError). */
  onError?: (err: Error) => void;
}
