// ChunkReader: the pull side of a connection for proactor-style code —
// `await conn.read()` and `for await (const chunk of conn)`.
//
// The connection pushes owned chunks (Buffers that share no memory with its
// input buffer); readers pull them. Back-pressure: when unread chunks exceed the
// high-water mark the connection stops reading, and resumes once the reader has
// caught up — a slow consumer never makes the process buffer without bound.
// Single-threaded (the connection's loop thread); allocates one promise per
// read that has to wait, which is the price of the await face.
import { ConcurrentReadError } from '../errors.js';

/** A queue of owned chunks between a connection (push) and an awaiting reader (read). */
export class ChunkReader {
  readonly #highWaterMark: number;
  readonly #pause: () => void;
  readonly #resume: () => void;
  readonly #chunks: Buffer[] = [];
  #head = 0;
  #buffered = 0;
  #ended = false;
  #error: Error | null = null;
  #waiter: { resolve: (b: Buffer | null) => void; reject: (e: Error) => void } | null = null;
  #paused = false;

  constructor(
    highWaterMark: number,
    pause: () => void,
    resume: () => void,
  ) {
    this.#highWaterMark = highWaterMark;
    this.#pause = pause;
    this.#resume = resume;
  }

  push(chunk: Buffer): void {
    if (this.#ended || chunk.length === 0) return;
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (!this.#paused && this.#buffered >= this.#highWaterMark) {
      this.#paused = true;
      this.#pause();
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#waiter !== null && this.#head === this.#chunks.length) {
      const w = this.#waiter;
      this.#waiter = null;
      w.resolve(null);
    }
  }

  fail(err: Error): void {
    if (this.#ended) return;
    this.#error = err;
    this.#ended = true;
    if (this.#waiter !== null) {
      const w = this.#waiter;
      this.#waiter = null;
      w.reject(err);
    }
  }

  read(): Promise<Buffer | null> {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = undefined as unknown as Buffer;
      if (this.#head === this.#chunks.length) {
        this.#chunks.length = 0;
        this.#head = 0;
      }
      this.#buffered -= chunk.length;
      if (this.#paused && this.#buffered < this.#highWaterMark / 2) {
        this.#paused = false;
        this.#resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    if (this.#waiter !== null) return Promise.reject(new ConcurrentReadError());
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }
}
