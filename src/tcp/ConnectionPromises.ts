// ConnectionPromises: the promise side of one connection, for proactor-style code —
// `await conn.write(data)` (settles once the bytes reached the kernel) and
// `await conn.read()` / `for await (const chunk of conn)` (owned chunks, with
// back-pressure through ChunkReader). The reactor side (TcpConnection) knows
// nothing of promises: it reports bytes written, chunks read, end and close.
//
// Allocated on first use, so a callback-style connection pays nothing for it.
// Ownership: belongs to one connection. Threading: that connection's loop thread.
import { ConnectionClosedError } from '../errors.js';
import { ChunkReader } from './ChunkReader.js';

interface WriteWaiter {
  /** Settles when the connection's bytesWritten reaches this total. */
  target: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Write promises and the chunk reader of one connection. */
export class ConnectionPromises {
  readonly #fd: number;
  readonly #waiters: WriteWaiter[] = [];
  #reader: ChunkReader | null = null;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** A promise settled once `bytesWritten` reaches `target`. */
  waitWritten(target: number): Promise<void> {
    return new Promise((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }

  /** Resolve every write whose bytes have all reached the kernel. */
  settleWritten(bytesWritten: number): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    let i = 0;
    while (i < waiters.length && waiters[i]!.target <= bytesWritten) waiters[i++]!.resolve();
    if (i > 0) waiters.splice(0, i);
  }

  /** The reader, created on first use with what the connection holds already. */
  reader(highWaterMark: number, pause: () => void, resume: () => void, pending: () => Buffer | null, ended: boolean): ChunkReader {
    if (this.#reader === null) {
      this.#reader = new ChunkReader(highWaterMark, pause, resume);
      const first = pending();
      if (first !== null) this.#reader.push(first);
      if (ended) this.#reader.end();
    }
    return this.#reader;
  }

  /** The reader, if anyone asked for one. */
  get activeReader(): ChunkReader | null {
    return this.#reader;
  }

  /** The connection closed: pending writes reject, the reader ends (or fails with `error`). */
  closed(reason: string, error: Error | undefined): void {
    if (this.#waiters.length) {
      const err = new ConnectionClosedError(this.#fd, reason);
      for (const w of this.#waiters.splice(0)) w.reject(err);
    }
    if (error !== undefined) this.#reader?.fail(error);
    else this.#reader?.end();
  }
}

/** `for await` over a reader; breaking out of the loop calls `onReturn` (closes the connection). */
export function chunkIterator(reader: ChunkReader, onReturn: () => void): AsyncIterator<Buffer> {
  return {
    next: async () => {
      const chunk = await reader.read();
      return chunk === null ? { done: true, value: undefined } : { done: false, value: chunk };
    },
    return: async () => {
      onReturn();
      return { done: true, value: undefined };
    },
  };
}
