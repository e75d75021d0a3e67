// BatchIo: the memory of one EventLoop's batched turn (native/batch.cc) — the
// read arena the turn's pre-reads land in, and the write arena and table that
// carry every corked connection's output to one writeMany call.
//
// Why: on the per-fd path a turn crosses into C++ once for epoll_wait and twice
// per ready connection; each crossing costs more than the JS around it. Here a
// turn crosses twice in all, whatever the number of ready connections.
//
// Ownership: one per loop, allocated once and reused every turn (nothing is
// allocated per event or per write). Threading: the
// loop's thread only. Arena bytes are valid only during the call that hands
// them out (handlePreRead, stageCorked); nobody may keep a view of them.
import { performance } from 'node:perf_hooks'; // the global is a lazy getter
import type { Epoll } from '../poll/Epoll.js';
import { native } from '../sys/addon.js';
import { kCorkedBytes, kFinishCorked, kFlushCorked, kOnThrow, kStageCorked } from './symbols.js';

/**
 * Output a connection corked during a turn. The loop either stages it into the
 * write arena (stageCorked) and hands back the result of the batched write
 * (finishCorked), or asks it to write on its own (flushCorked). Symbol-keyed:
 * the loop's protocol, not the connection's public API.
 */
export interface Flushable {
  /** The fd the output is written to. */
  readonly fd: number;
  /** Bytes the batched flush should write now; 0 = nothing to batch (flushCorked is still called). */
  [kCorkedBytes](): number;
  /** Copy the first `length` corked bytes to arena[offset, offset + length). */
  [kStageCorked](arena: Uint8Array, offset: number, length: number): void;
  /**
   * The batched write of `length` staged bytes returned `n` (bytes or -errno); `atMs` is
   * performance.now() read once after the batch returned — never before any of its writes —
   * so a connection can stamp its activity without a clock read of its own.
   */
  [kFinishCorked](n: number, length: number, atMs?: number): void;
  /** Write pending output now, unbatched. */
  [kFlushCorked](): void;
  /** A callback run by the two calls above threw: contain it (never throws). */
  [kOnThrow](err: unknown): void;
}

/**
 * Corked output of at least this many bytes is not staged: the connection writes
 * it from its own buffer (flushCorked). Staging copies every byte once more to
 * save one JS->C++ crossing, a bad trade for big outputs (TcpConnection's
 * DIRECT_SEND is the same bargain on the send side).
 */
export const STAGE_MAX = 8 * 1024;

const PAGE = 4096;

/** `size` zeroed bytes starting on a page boundary (the kernel copies into such memory fastest: see BatchIo). */
export function pageAlignedBytes(size: number): Uint8Array {
  const raw = new Uint8Array(size + PAGE);
  const skip = (PAGE - native.pageOffset(raw)) % PAGE;
  return raw.subarray(skip, skip + size);
}

/** Sizes of the batched turn's arenas (EventLoopOptions extends this). */
export interface BatchIoOptions {
  /** The most one pre-read takes from one fd. Default 64 KiB. */
  readCap?: number;
  /** Size of the read arena the batched turn pre-reads into. Default 1 MiB. */
  readArenaSize?: number;
  /** Size of the write arena corked output is staged into. Default 1 MiB. */
  writeArenaSize?: number;
}

/** The read arena, write arena and write table of one loop's batched turn. */
export class BatchIo {
  /** A pre-read of exactly readCap bytes may have left more in the socket. */
  readonly readCap: number;
  readonly readArena: Uint8Array;
  /** results[i]: what the pre-read of event i returned (bytes, 0, -errno or NOT_READ). */
  readonly readResults: Int32Array;
  readonly #writeArena: Uint8Array;
  readonly #writeTable: Int32Array;
  readonly #staged: Array<Flushable | undefined>;

  constructor(maxEvents: number, options: BatchIoOptions = {}) {
    this.readCap = options.readCap ?? 64 * 1024;
    // Page-aligned: the kernel's copy into the arena (recv) ran 4-5x slower when the arena
    // started 16 bytes into a page, as a calloc'd backing store of 128 KiB or more does (perf
    // on the C reference server: _copy_to_iter 23-28 samples per 1000 16 KiB messages into
    // such a buffer, 4-6 page-aligned). Slices then start at the sum of the reads before them:
    // aligned too whenever reads are whole pages, as full reads (readCap) are.
    this.readArena = pageAlignedBytes(Math.max(options.readArenaSize ?? 1 << 20, this.readCap));
    this.readResults = new Int32Array(maxEvents);
    this.#writeArena = new Uint8Array(options.writeArenaSize ?? 1 << 20);
    this.#writeTable = new Int32Array(3 * maxEvents);
    this.#staged = new Array<Flushable | undefined>(maxEvents).fill(undefined);
  }

  /** epoll_wait plus the pre-reads of every AUTO_READ fd, in one native call. */
  wait(ep: Epoll, timeoutMs: number): number {
    return ep.waitRead(timeoutMs, this.readResults, this.readArena, this.readCap);
  }

  /** Stage what fits in the write arena, write it all with one native call, report back. */
  write(corked: Flushable[]): void {
    const arena = this.#writeArena;
    const table = this.#writeTable;
    const staged = this.#staged;
    let k = 0;
    let offset = 0;
    for (let i = 0; i < corked.length; i++) {
      const c = corked[i]!;
      const len = c[kCorkedBytes]();
      // On its own: nothing to batch, big enough to write from its own buffer,
      // alone in the batch (one crossing either way, and no staging copy), or no room left.
      if (len === 0 || len >= STAGE_MAX || corked.length === 1 || len > arena.length - offset || k === staged.length) {
        try {
          c[kFlushCorked]();
        } catch (err) {
          c[kOnThrow](err);
        }
        continue;
      }
      c[kStageCorked](arena, offset, len);
      table[3 * k] = c.fd;
      table[3 * k + 1] = offset;
      table[3 * k + 2] = len;
      staged[k++] = c;
      offset += len;
    }
    if (k === 0) return;
    native.writeMany(table, k, arena);
    const atMs = performance.now(); // one clock read for the whole batch (see Flushable)
    for (let j = 0; j < k; j++) {
      const c = staged[j]!;
      staged[j] = undefined;
      // writeMany replaced each length with its result; entries are contiguous.
      const length = (j + 1 < k ? table[3 * (j + 1) + 1]! : offset) - table[3 * j + 1]!;
      // Every entry hears its result, whatever an earlier one's callbacks threw:
      // the kernel took those bytes, and they must leave the connection's buffer.
      try {
        c[kFinishCorked](table[3 * j + 2]!, length, atMs);
      } catch (err) {
        c[kOnThrow](err);
      }
    }
  }
}
