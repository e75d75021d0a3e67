// WorkClient: a loop's side of the WorkPool — submits jobs to the work threads and settles
// their promises, in submission order per connection, as results come back through the
// loop's inbox (the work thread posts on this loop's port and rings its doorbell).
//
// Admission: a pool-wide counter in the Doorbells buffer bounds the jobs queued or running;
// a submission beyond `maxQueue` throws WorkQueueFullError synchronously and queues nothing.
// Dispatch: the work thread with the fewest of this loop's jobs outstanding.
// Order: each connection has a FIFO of its jobs; a result that arrives early waits in its
// entry until every earlier job of that connection has settled.
//
// Threading: the loop's thread only.
import type { MessagePort } from 'node:worker_threads';
import { WorkFailedError, WorkQueueFullError, argValueError } from '../errors.js';
import type { TcpConnection } from '../tcp/TcpConnection.js';
import type { Doorbells } from './Doorbells.js';
import type { WorkJob, WorkResult } from './protocol.js';

interface Entry {
  seq: number;
  fn: string;
  thread: number;
  conn: TcpConnection;
  result: WorkResult | null;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** A loop's side of the WorkPool: submit, and settle results in order per connection. */
export class WorkClient {
  readonly #ports: MessagePort[];
  readonly #bells: Doorbells;
  readonly #maxQueue: number;
  readonly #loopIndex: number;
  readonly #onFailure: (conn: TcpConnection, err: WorkFailedError) => void;
  readonly #outstanding: number[];
  readonly #bySeq = new Map<number, Entry>();
  readonly #byConn = new Map<TcpConnection, Entry[]>();
  #seq = 0;

  constructor(
    ports: MessagePort[],
    bells: Doorbells,
    maxQueue: number,
    loopIndex: number,
    onFailure: (conn: TcpConnection, err: WorkFailedError) => void,
  ) {
    this.#ports = ports;
    this.#bells = bells;
    this.#maxQueue = maxQueue;
    this.#loopIndex = loopIndex;
    this.#onFailure = onFailure;
    this.#outstanding = ports.map(() => 0);
  }

  /** Jobs of this loop not settled yet. */
  get pending(): number {
    return this.#bySeq.size;
  }

  submit<R>(conn: TcpConnection, fn: string, input: unknown): Promise<R> {
    if (this.#ports.length === 0) throw argValueError('this pool has no WorkPool (LoopPoolOptions.work)');
    if (!this.#bells.tryQueue(this.#maxQueue)) throw new WorkQueueFullError(this.#maxQueue, { kind: 'loop', index: this.#loopIndex });
    let thread = 0;
    for (let k = 1; k < this.#outstanding.length; k++) if (this.#outstanding[k]! < this.#outstanding[thread]!) thread = k;
    const seq = ++this.#seq;
    const job: WorkJob = { seq, fn, input };
    try {
      this.#ports[thread]!.postMessage(job); // work threads take jobs as ordinary 'message' events
    } catch (err) {
      this.#bells.releaseQueued(); // not clonable: nothing was queued
      throw err;
    }
    this.#outstanding[thread]!++;
    return new Promise<R>((resolve, reject) => {
      const entry: Entry = { seq, fn, thread, conn, result: null, resolve: resolve as (v: unknown) => void, reject };
      this.#bySeq.set(seq, entry);
      const fifo = this.#byConn.get(conn);
      if (fifo) fifo.push(entry);
      else this.#byConn.set(conn, [entry]);
    });
  }

  /** A result from work thread `thread` (the loop's inbox handler calls this). */
  onResult(result: WorkResult): void {
    const entry = this.#bySeq.get(result.seq);
    if (entry === undefined) return;
    entry.result = result;
    this.#outstanding[entry.thread]!--;
    const fifo = this.#byConn.get(entry.conn)!;
    while (fifo.length && fifo[0]!.result !== null) this.#settle(fifo.shift()!);
    if (fifo.length === 0) this.#byConn.delete(entry.conn);
  }

  #settle(entry: Entry): void {
    this.#bySeq.delete(entry.seq);
    const r = entry.result!;
    if (r.ok) {
      entry.resolve(r.value);
      return;
    }
    const err = new WorkFailedError(entry.fn, { kind: 'work', index: entry.thread }, r.error.message, r.error.stack);
    this.#onFailure(entry.conn, err);
    entry.reject(err);
  }
}
