// The queues one EventLoop turn drains: queued tasks and cross-thread port
// messages (TaskQueue), the ET ready list (ReadyList), and output corked during
// the turn (CorkList). Each runs every entry in its own try/catch, so a throwing
// callback never skips the entries after it; the error goes to the loop's policy.
//
// Allocation: each queue keeps two arrays and swaps them when it drains, so
// entries added while draining wait for the next round and nothing is allocated
// per turn. Threading: the owning loop's thread only.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { BatchIo, Flushable } from './BatchIo.js';
import { kFlushCorked, kOnThrow, kServeReady } from './symbols.js';

/** Something with more input to read than one turn's budget allowed (ET). */
export interface ReadyListEntry {
  /** Serve the pending input (read on, within the turn's budget); the loop calls it when it drains its ready list. */
  [kServeReady](): void;
  /** Contain an error thrown while serving (optional: else the loop reports it). */
  [kOnThrow]?(err: unknown): void;
}

/** Receives an error nothing closer took (the loop's error policy). */
export type Report = (err: unknown) => void;

/** Tasks queued with queueInLoop, and the ports other threads post to. */
export class TaskQueue {
  #tasks: Array<() => void> = [];
  #spare: Array<() => void> = [];
  readonly #ports: Array<{ port: MessagePort; onMessage: (msg: unknown) => void }> = [];

  get length(): number {
    return this.#tasks.length;
  }

  push(fn: () => void): void {
    this.#tasks.push(fn);
  }

  /** Run the tasks queued so far (tasks they queue run in the next round). */
  run(report: Report): void {
    const tasks = this.#tasks;
    this.#tasks = this.#spare;
    for (let i = 0; i < tasks.length; i++) {
      try {
        tasks[i]!();
      } catch (err) {
        report(err);
      }
    }
    while (tasks.length !== 0) tasks.pop(); // not `length = 0`: a V8 runtime call (2% of an A0 server)
    this.#spare = tasks;
  }

  attachPort(port: MessagePort, onMessage: (msg: unknown) => void): void {
    this.#ports.push({ port, onMessage });
  }

  /** Deliver every message waiting on the attached ports. */
  drainPorts(report: Report): void {
    for (const { port, onMessage } of this.#ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        try {
          onMessage(m.message);
        } catch (err) {
          report(err);
        }
      }
    }
  }
}

/** ET readers (and acceptors) that stopped at their budget: served again next turn. */
export class ReadyList {
  #entries: ReadyListEntry[] = [];
  #spare: ReadyListEntry[] = [];

  get length(): number {
    return this.#entries.length;
  }

  push(entry: ReadyListEntry): void {
    this.#entries.push(entry);
  }

  /** Serve every entry once; `after` runs after each (the per-fd path flushes there). */
  serve(report: Report, after: (() => void) | null): void {
    // Swap first: entries that run out of budget again go to the next turn.
    const ready = this.#entries;
    this.#entries = this.#spare;
    for (let i = 0; i < ready.length; i++) {
      const entry = ready[i]!;
      try {
        entry[kServeReady]();
      } catch (err) {
        if (entry[kOnThrow] !== undefined) entry[kOnThrow](err);
        else report(err);
      }
      if (after !== null) after();
    }
    while (ready.length !== 0) ready.pop();
    this.#spare = ready;
  }
}

/** Output corked during the turn, written when the handler (per-fd) or the batch is done. */
export class CorkList {
  #corked: Flushable[] = [];
  #spare: Flushable[] = [];

  get length(): number {
    return this.#corked.length;
  }

  push(f: Flushable): void {
    this.#corked.push(f);
  }

  /** Write everything corked: one writeMany per round (batched), or each on its own. */
  flush(batch: BatchIo | null): void {
    if (batch === null) {
      const corked = this.#corked;
      // A flush may cork others (a write error closing a connection): loop by index.
      for (let i = 0; i < corked.length; i++) {
        const f = corked[i]!;
        try {
          f[kFlushCorked]();
        } catch (err) {
          f[kOnThrow](err);
        }
      }
      while (corked.length !== 0) corked.pop();
      return;
    }
    // Finishing a write runs callbacks (onDrain, onClose) that may cork more
    // output: swap the list and go round until nothing is corked.
    while (this.#corked.length) {
      const corked = this.#corked;
      this.#corked = this.#spare;
      batch.write(corked);
      while (corked.length !== 0) corked.pop();
      this.#spare = corked;
    }
  }
}
