// The soak's client side: node:net connections (an implementation independent
// of the server's) in a churning mix against one server, every echoed byte
// compared with what was sent and CRC-32-checked at the end of each session.
//
// Session kinds (picked at random, each one connection; a finished session is
// replaced at once while the client runs):
//   echo       1-3 batches of 1-8 pipelined messages of 1 B..32 KiB; then end()
//   halfclose  1-64 KiB in 1-4 writes, then end() at once: all of it must come
//              back before the server's FIN
//   slow       384 KiB written while this side does not read for 300 ms (the
//              server crosses its high-water mark and stops reading), then read
//   reset      up to 256 KiB, then an RST (resetAndDestroy) 0-10 ms later
//   idle       100 bytes echoed, then silence: the server must close it after
//              its idle timeout — never earlier, and not much later (idleSlackMs).
//              "Earlier" is judged from the echo's earliest possible arrival
//              (ArrivalBound: this client's own lag does not count against the
//              server), less idleAllowanceMs; idleCutMs reports the spread as
//              the 'data' callback saw it
// Every session has a deadline; one that misses it is an error ("stuck").
// Threading: runs on the calling thread's Node event loop; bounded by stop().
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ArrivalBound } from './arrival.js';
import { crc32 } from 'node:zlib';

export const SESSION_KINDS = ['echo', 'halfclose', 'slow', 'reset', 'idle'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
const WEIGHTS: Record<SessionKind, number> = { echo: 50, halfclose: 15, slow: 8, reset: 15, idle: 12 };

export interface SoakClientOptions {
  host: string;
  port: number;
  /** Sessions open at once. */
  concurrency: number;
  /** The server's idle timeout (idle sessions check it). */
  idleTimeoutMs: number;
  /** Extra time an idle session allows the server beyond its idle timeout (loaded machine). */
  idleSlackMs?: number;
  /**
   * How much earlier than its idle timeout the server may seem to close an idle
   * session: clock granularity only, since the server measures idle time on a
   * fresh clock. Default 10 ms (one wheel tick at the loop's default tickMs).
   */
  idleAllowanceMs?: number;
  /** A session that takes longer than this is an error. Default 30 s. */
  sessionDeadlineMs?: number;
}

export interface SoakCounts {
  sessions: Record<SessionKind, number>;
  bytesSent: number;
  /** Bytes that came back and matched. */
  bytesVerified: number;
  /** Bytes sent on sessions that had to get all of them back but did not. */
  lostBytes: number;
  errors: number;
  errorSamples: string[];
  /** Shortest and longest time an idle session waited for the server's idle close (ms, as this client saw it). */
  idleCutMs: { min: number; max: number };
}

/** A shared random pool; messages are slices of it at random offsets. */
const POOL = randomBytes(1 << 20);

function randomSlice(len: number): Buffer {
  const off = Math.floor(Math.random() * (POOL.length - len));
  return POOL.subarray(off, off + len);
}

/** 1 .. max, log-uniform: as many tiny messages as large ones. */
function logUniform(max: number): number {
  return Math.max(1, Math.floor(Math.exp(Math.random() * Math.log(max + 1))));
}

function pickKind(): SessionKind {
  let r = Math.random() * 100;
  for (const k of SESSION_KINDS) {
    r -= WEIGHTS[k];
    if (r < 0) return k;
  }
  return 'echo';
}

/** What one session sent and what came back, compared byte for byte. */
class Echoed {
  readonly #pending: Buffer[] = [];
  #headOffset = 0;
  sent = 0;
  received = 0;
  crcSent = 0;
  crcReceived = 0;

  push(b: Buffer): void {
    this.#pending.push(b);
    this.sent += b.length;
    this.crcSent = crc32(b, this.crcSent);
  }

  /** Compare `chunk` with the oldest unmatched sent bytes; a description of the first mismatch, or null. */
  check(chunk: Buffer): string | null {
    this.crcReceived = crc32(chunk, this.crcReceived);
    let pos = 0;
    while (pos < chunk.length) {
      const head = this.#pending[0];
      if (head === undefined) return `${chunk.length - pos} bytes more than were sent (at offset ${this.received})`;
      const n = Math.min(head.length - this.#headOffset, chunk.length - pos);
      if (chunk.compare(head, this.#headOffset, this.#headOffset + n, pos, pos + n) !== 0) {
        return `corrupt bytes in [${this.received}, ${this.received + n})`;
      }
      pos += n;
      this.received += n;
      this.#headOffset += n;
      if (this.#headOffset === head.length) {
        this.#pending.shift();
        this.#headOffset = 0;
      }
    }
    return null;
  }

  get complete(): boolean {
    return this.received === this.sent && this.crcReceived === this.crcSent;
  }
}

export class SoakClient {
  readonly counts: SoakCounts = {
    sessions: { echo: 0, halfclose: 0, slow: 0, reset: 0, idle: 0 },
    bytesSent: 0,
    bytesVerified: 0,
    lostBytes: 0,
    errors: 0,
    errorSamples: [],
    idleCutMs: { min: Infinity, max: 0 },
  };
  readonly #o: Required<SoakClientOptions>;
  #running = false;
  #active = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #arrival = new ArrivalBound();

  constructor(options: SoakClientOptions) {
    this.#o = { idleSlackMs: 2500, idleAllowanceMs: 10, sessionDeadlineMs: 30_000, ...options };
  }

  start(): void {
    this.#running = true;
    this.#arrival.start();
    for (let i = 0; i < this.#o.concurrency; i++) this.#launch();
  }

  /** Stop starting sessions; resolves when every open one has finished (each is bounded by its deadline). */
  stop(): Promise<void> {
    this.#running = false;
    if (this.#active === 0) {
      this.#arrival.stop();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  error(what: string): void {
    this.counts.errors++;
    if (this.counts.errorSamples.length < 20) this.counts.errorSamples.push(what);
  }

  #launch(): void {
    if (!this.#running) return;
    this.#active++;
    const kind = pickKind();
    this.counts.sessions[kind]++;
    this.#session(kind, () => {
      this.#active--;
      if (this.#running) this.#launch();
      else if (this.#active === 0) {
        this.#arrival.stop();
        for (const w of this.#idleWaiters.splice(0)) w();
      }
    });
  }

  #session(kind: SessionKind, done: () => void): void {
    const o = this.#o;
    const sock = net.connect({ host: o.host, port: o.port, noDelay: true });
    const echoed = new Echoed();
    let finished = false;
    let fault: string | null = null;
    let idleSince = 0;
    let idleArrivedBy = 0; // the echo's last byte arrived no earlier than this
    let weEnded = false;
    const needsAll = kind !== 'reset';
    const guard = setTimeout(() => {
      fault ??= `stuck after ${o.sessionDeadlineMs} ms (sent ${echoed.sent}, back ${echoed.received})`;
      sock.destroy();
    }, o.sessionDeadlineMs);

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      this.counts.bytesSent += echoed.sent;
      this.counts.bytesVerified += echoed.received;
      if (kind === 'idle' && fault === null) {
        const idleFor = performance.now() - idleSince;
        if (idleSince !== 0) {
          const cut = this.counts.idleCutMs;
          cut.min = Math.min(cut.min, idleFor);
          cut.max = Math.max(cut.max, idleFor);
        }
        if (idleSince === 0) fault = 'closed before the echo came back';
        else if (performance.now() - idleArrivedBy < o.idleTimeoutMs - o.idleAllowanceMs) {
          const most = performance.now() - idleArrivedBy;
          fault = `closed at most ${most.toFixed(0)} ms after the echo arrived, before the ${o.idleTimeoutMs} ms timeout`;
        }
      }
      if (fault === null && needsAll && !echoed.complete) fault = `closed with ${echoed.sent - echoed.received} bytes not echoed`;
      if (fault !== null) {
        this.error(`${kind}: ${fault}`);
        if (needsAll) this.counts.lostBytes += echoed.sent - echoed.received;
      }
      done();
    };

    const write = (b: Buffer): void => {
      echoed.push(b);
      sock.write(b);
    };

    // The steps of the pipelined echo session: a batch, wait for all of it, repeat.
    let batches = 1 + Math.floor(Math.random() * 3);
    const sendBatch = (): void => {
      const k = 1 + Math.floor(Math.random() * 8);
      for (let i = 0; i < k; i++) write(randomSlice(logUniform(32 * 1024)));
    };
    let idleCut: NodeJS.Timeout | undefined;

    sock.on('connect', () => {
      switch (kind) {
        case 'echo':
          sendBatch();
          break;
        case 'halfclose': {
          const parts = 1 + Math.floor(Math.random() * 4);
          for (let i = 0; i < parts; i++) write(randomSlice(logUniform(16 * 1024)));
          weEnded = true;
          sock.end();
          break;
        }
        case 'slow':
          sock.pause();
          for (let i = 0; i < 6; i++) write(randomSlice(64 * 1024));
          setTimeout(() => sock.resume(), 300);
          break;
        case 'reset':
          write(randomSlice(logUniform(256 * 1024)));
          setTimeout(() => sock.resetAndDestroy(), Math.random() * 10);
          break;
        case 'idle':
          write(randomSlice(100));
          break;
      }
    });

    sock.on('data', (chunk: Buffer) => {
      const bad = echoed.check(chunk);
      if (bad !== null) {
        fault ??= bad;
        sock.destroy();
        return;
      }
      if (echoed.received !== echoed.sent) return;
      if (kind === 'echo') {
        if (--batches > 0) sendBatch();
        else if (!weEnded) {
          weEnded = true;
          sock.end();
        }
      } else if (kind === 'slow' && !weEnded) {
        weEnded = true;
        sock.end();
      } else if (kind === 'idle' && idleSince === 0) {
        idleSince = performance.now();
        idleArrivedBy = this.#arrival.earliestArrival();
        idleCut = setTimeout(() => {
          fault ??= `still open ${o.idleTimeoutMs + o.idleSlackMs} ms into an idle timeout of ${o.idleTimeoutMs} ms`;
          sock.destroy();
        }, o.idleTimeoutMs + o.idleSlackMs);
      }
    });

    sock.on('end', () => {
      // The server's FIN. Expected after our end() (it closes once it has echoed
      // everything) and for an idle session (its idle timeout); anything else early is a fault.
      if (!weEnded && kind !== 'idle' && kind !== 'reset') fault ??= 'server closed the connection first';
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (kind !== 'reset') fault ??= `${err.code ?? err.message}`;
    });
    sock.on('close', () => {
      clearTimeout(idleCut);
      finish();
    });
  }
}
