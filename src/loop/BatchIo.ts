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
import type { Epoll } from '../poll/Epoll.js';
import { native } from '../sys/addon.js';
import { kCorkedBytes, kFinishCorked, kFlushCorked, kStageCorked } from './symbols.js';

/**
 * Output a connection corked during a turn. The loop either stages it into the
 * write arena (stageCorked) and hands back the result of the batched write
 * (finishCorked), or asks it to write on its own (flushCorked). Symbol-keyed:
 * the loop's protocol, not the connection's public API.
 */
export interface Flushable {
  readonly fd: number;
  /** Bytes the batched flush should write now; 0 = nothing to batch (flushCorked is still called). */
  [kCorkedBytes](): number;
  /** Copy the first `length` corked bytes to arena[offset, offset + length). */
  [kStageCorked](arena: Uint8Array, offset: number, length: number): void;
  /** The batched write of `length` staged bytes returned `n` (bytes or -errno). */
  [kFinishCorked](n: number, length: number): void;
  /** Write pending output now, unbatched. */
  [kFlushCorked](): void;
}

/** Sizes of the batched turn's arenas (EventLoopOptions extends this). */
export interface BatchIoOptions {
  /** The most one pre-read takes from one fd. Default 64 KiB. */
  readCap?: number;
  /** Default 1 MiB each. */
  readArenaSize?: number;
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
    this.readArena = new Uint8Array(Math.max(options.readArenaSize ?? 1 << 20, this.readCap));
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
      if (len === 0 || len > arena.length - offset || k === staged.length) {
        c[kFlushCorked](); // nothing to batch, or too big for what is left: on its own
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
    for (let j = 0; j < k; j++) {
      const c = staged[j]!;
      staged[j] = undefined;
      // writeMany replaced each length with its result; entries are contiguous.
      const length = (j + 1 < k ? table[3 * (j + 1) + 1]! : offset) - table[3 * j + 1]!;
      c[kFinishCorked](table[3 * j + 2]!, length);
    }
  }
}
