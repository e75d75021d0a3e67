// EventLoop: one epoll set and the turn that serves it — the reactor's heart
// (muduo's EventLoop, Redis's aeEventLoop). It delegates the channel table to a
// Poller, timers to LoopTimers, the batched native I/O to BatchIo and who waits
// for the kernel to a driver (drivers.ts); what is left here is the turn and
// the queues it drains.
//
// One turn:   wait -> run due timers -> dispatch events -> flush corked output ->
//             serve the ET ready list -> drain ports -> run queued tasks -> flush
//             -> close deferred fds
//
// Batched turn (default, BatchIo): the wait also reads every ready connection
// (one native call), and each flush writes every corked connection (one more).
//
// Mode 'uring' (RingIo): the wait is one io_uring_enter whose completions carry
// the connections' input (read in the kernel); the epoll set, which the ring
// polls, is waited on with a zero timeout only when it has events.
//
// Threading: a loop belongs to the thread that created it; only that thread
// touches its channels, connections and timers. Other threads reach it through
// a MessagePort (attachPort) plus the loop's Waker, never by calling methods.
//
// fd lifetime: closeFd() during a dispatch batch defers the close to the end of
// the turn, so an fd number cannot be reused while stale events for it may still
// sit in the batch; registration tokens (Poller) catch the rest.
//
// Errors thrown by user callbacks are contained per callback and routed to the
// owner, then onError, else stop the loop after the turn (errorRouting.ts).
import type { MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks'; // the global is a lazy getter: one more call per read
import { Epoll, NOT_READ } from '../poll/Epoll.js';
import { Waker } from '../poll/EventFd.js';
import { Interest } from '../poll/interest.js';
import type { Ring } from '../poll/Ring.js';
import { LoopClosedError, LoopRunningError } from '../errors.js';
import { checkDelayMs, checkOptions } from '../sys/args.js';
import { BatchIo, type Flushable } from './BatchIo.js';
import { BufferPool } from '../buffer/BufferPool.js';
import { Channel, type PreReadHandler } from './Channel.js';
import { containThrow, offerToOnError } from './errorRouting.js';
import { ExclusiveDriver, IntegratedDriver, type LoopDriver } from './drivers.js';
import { LoopStats } from './LoopStats.js';
import { LoopTimers } from './LoopTimers.js';
import { EVENT_LOOP_OPTIONS, type DriverKind, type EventLoopOptions, type LoopMode } from './options.js';
import { Poller } from './Poller.js';
import { RingIo } from './RingIo.js';
import { CorkList, ReadyList, TaskQueue, type ReadyListEntry } from './queues.js';
import { TimerNode, type TimerWheel } from './TimerWheel.js';
import {
  kAddReady,
  kBufferPool,
  kCloseAbandoned,
  kCork,
  kEpoll,
  kHasWork,
  kInTurn,
  kOnEvent,
  kOnPreRead,
  kPoller,
  kReadCap,
  kReportError,
  kScratch,
  kSink,
  kTurn,
  kWaitSource,
  kWheel,
} from './symbols.js';

// Re-exported so `import … from './EventLoop.js'` keeps working for these types.
export type { DriverKind, EventLoopOptions, LoopMode } from './options.js';
export type { Flushable } from './BatchIo.js';
export type { ReadyListEntry } from './queues.js';

type Task = () => void;

/** One epoll set, its channels, timers and task queue; runs turns under a driver. */
export class EventLoop {
  /** @internal The loop's epoll set (owned by the loop, closed by close()). */
  readonly [kEpoll]: Epoll;
  /** Level- ('lt') or edge-triggered ('et') epoll, or io_uring ('uring') for this loop's connections. */
  readonly mode: LoopMode;
  /** Who waits for the kernel: Node's loop ('integrated') or run() itself ('exclusive'). */
  readonly driver: DriverKind;
  /** This loop's counters (turns, events, syscalls, bytes...). */
  readonly stats = new LoopStats();
  /** ET: bytes read from one fd per turn before it yields to others (EventLoopOptions.readBudget). */
  readonly readBudget: number;
  /** ET: ms into a turn after which a connection reads once and yields (EventLoopOptions.turnBudgetMs). */
  readonly turnBudgetMs: number;
  /** Milliseconds (performance.now()) at the start of the current turn. */
  now: number;
  /**
   * Errors thrown by callbacks that nothing closer handled: timers, tasks, port
   * messages, raw Channel handlers, and connection callbacks when neither the
   * connection's nor its server's onError is set. Null (the default): the loop
   * stops after the turn and run() rejects with the error, as Node surfaces an
   * unhandled error. Set it to log and go on.
   */
  onError: ((err: Error) => void) | null;

  /** @internal Storage blocks for connection buffers: taken on first use, given back when drained (idle connections hold none). */
  readonly [kBufferPool] = new BufferPool();

  /** @internal Shared read scratch: a big read needs no pre-grown connection buffer. */
  readonly [kScratch]: Uint8Array;
  /** @internal Batched turn: the most one pre-read takes from one fd (a full pre-read may mean more is queued). */
  readonly [kReadCap]: number;
  /** @internal */
  readonly [kPoller]: Poller;

  /** The batched turn's arenas; null on the per-fd path (batchIo: false). */
  readonly #batch: BatchIo | null;
  /** Mode 'uring': the ring that reads the connections; null in the epoll modes. */
  readonly #ringIo: RingIo | null;
  readonly #timers: LoopTimers;
  readonly #waker: Waker;
  readonly #driver: LoopDriver;

  readonly #tasks = new TaskQueue();
  readonly #ready = new ReadyList();
  readonly #corked = new CorkList();
  /** Per-fd path: flush after each handler and each ready entry. */
  readonly #flushEach: (() => void) | null;
  #dispatching = false;
  #closed = false;
  /** close() was called inside a turn: the loop's own fds close when that turn ends. */
  #closeAfterTurn = false;
  /** The first error of this turn that no handler took: stops the loop after the turn. */
  #fatal: Error | null = null;
  readonly #report = (err: unknown): void => this[kReportError](err);

  /**
   * @param options mode ('lt' default, 'et' or 'uring'), driver ('integrated' default, or
   *   'exclusive'), sizes and budgets. An options object, not a mode string: `new EventLoop({ mode: 'et' })`.
   * @throws ERR_INVALID_ARG_TYPE for a non-object or a value of the wrong type,
   *   ERR_INVALID_ARG_VALUE for an unknown key or mode/driver name,
   *   ERR_REACTOR_URING_UNAVAILABLE for mode 'uring' where io_uring is missing or refused (the message names the cause)
   */
  constructor(options: EventLoopOptions = {}) {
    checkOptions(options, 'options', EVENT_LOOP_OPTIONS);
    this.mode = options.mode ?? 'lt';
    this.driver = options.driver ?? 'integrated';
    this.readBudget = options.readBudget ?? 256 * 1024;
    this.turnBudgetMs = options.turnBudgetMs ?? 1;
    this.onError = options.onError ?? null;
    this[kScratch] = new Uint8Array(options.scratchSize ?? 64 * 1024);
    const integrated = this.driver === 'integrated';
    this[kEpoll] = new Epoll({ maxEvents: options.maxEvents ?? 1024 });
    try {
      this.#ringIo = this.mode === 'uring' ? new RingIo(this[kEpoll], integrated, this.stats, options) : null;
    } catch (err) {
      this[kEpoll].close(); // io_uring refused: the loop never existed
      throw err;
    }
    this.#batch = (options.batchIo ?? true) ? new BatchIo(this[kEpoll].maxEvents, options) : null;
    this[kReadCap] = this.#batch?.readCap ?? 0;
    // Mode 'uring' keeps its epoll set level-triggered (its connections read through the ring).
    this[kPoller] = new Poller(this[kEpoll], this.mode === 'et' ? 'et' : 'lt', this.#batch !== null && this.#ringIo === null, this.stats, this.#ringIo);
    this.#timers = new LoopTimers(options.tickMs ?? 10, integrated);
    this.now = this.#timers.epochMs;
    this.#waker = new Waker();
    new Channel(this, this.#waker.fd, { [kOnEvent]: () => this.#onWake() }).want(Interest.READ);
    if (integrated) new Channel(this, this.#timers.fd, { [kOnEvent]: () => this.#timers.drainTimerFd() }).want(Interest.READ);
    this.#flushEach = this.#batch === null ? () => this.#flushCorked() : null;
    this.#driver = integrated ? new IntegratedDriver(this, this.#timers) : new ExclusiveDriver(this, this.#timers, this.#waker);
  }

  /** @internal What the integrated driver watches from Node's loop: the ring in mode 'uring', else the epoll set. */
  get [kWaitSource](): Epoll | Ring {
    return this.#ringIo?.ring ?? this[kEpoll];
  }

  /** @internal The loop's timing wheel (its clock is the loop's: see schedule()). */
  get [kWheel](): TimerWheel {
    return this.#timers.wheel;
  }

  /** Whether turns use the batched native calls (EventLoopOptions.batchIo). */
  get batchIo(): boolean {
    return this.#batch !== null;
  }

  /** Close an fd owned by something in this loop, after the current dispatch batch. */
  closeFd(fd: number): void {
    this[kPoller].closeFd(fd, this.#dispatching);
  }

  // --- work scheduling ---------------------------------------------------------

  /** Run `fn` now if we are inside a turn of this loop, else at the next turn. */
  runInLoop(fn: Task): void {
    if (this.#dispatching) fn();
    else this.queueInLoop(fn);
  }

  /** Run `fn` at the end of the current (or next) turn. */
  queueInLoop(fn: Task): void {
    this.#tasks.push(fn);
    if (!this.#dispatching) this.wakeup();
  }

  /** Make the loop run a turn soon (from this thread). */
  wakeup(): void {
    this.#driver.wakeup();
  }

  /** The fd other threads signal (Waker.signal) after posting to an attached port. */
  get wakerFd(): number {
    return this.#waker.fd;
  }

  /**
   * Cross-thread messages: another thread posts on the other end of `port` and
   * then calls Waker.signal(loop.wakerFd); the loop drains the port with
   * receiveMessageOnPort (works even while an exclusive loop never yields).
   */
  attachPort(port: MessagePort, onMessage: (msg: unknown) => void): void {
    this.#tasks.attachPort(port, onMessage);
  }

  /** @internal An ET reader that stopped at its read budget: serve it next turn. */
  [kAddReady](entry: ReadyListEntry): void {
    this.#ready.push(entry);
    if (!this.#dispatching) this.wakeup();
  }

  /** @internal Output corked in this handler: flushed when the handler (per-fd) or the batch (batched) is done. */
  [kCork](f: Flushable): void {
    this.#corked.push(f);
  }

  /** @internal Whether sends should be corked (we are inside a turn) or written at once. */
  get [kInTurn](): boolean {
    return this.#dispatching;
  }

  /** @internal Tasks or ready entries wait: the next turn must not block. */
  [kHasWork](): boolean {
    return this.#ready.length !== 0 || this.#tasks.length !== 0 || (this.#ringIo !== null && this.#ringIo.epollHot);
  }

  /** @internal The loop's error policy: onError, else stop after this turn and reject run(). */
  [kReportError](thrown: unknown): void {
    const err = offerToOnError(thrown, this.onError);
    if (err === null) return;
    this.#fatal ??= err;
    if (!this.#dispatching) this.#raiseFatal();
  }

  /** Schedule `fn` after `delayMs` on the loop's timing wheel. */
  setTimeout(fn: (node: TimerNode) => void, delayMs: number): TimerNode {
    const node = new TimerNode(fn);
    this.schedule(node, delayMs);
    return node;
  }

  /** (Re)arm a caller-owned timer node (no allocation: idle timeouts use this). */
  schedule(node: TimerNode, delayMs: number): void {
    checkDelayMs(delayMs);
    this.#timers.schedule(node, delayMs, this.#dispatching ? this.now : performance.now());
    this.#driver.timersChanged();
  }

  /** Disarm a timer; false if it was not armed. */
  cancel(node: TimerNode): boolean {
    return this.#timers.wheel.cancel(node);
  }

  // --- running -------------------------------------------------------------------

  /**
   * Start the loop; the promise resolves after stop().
   * Integrated: returns at once; turns run from Node's loop.
   * Exclusive: turns run back to back, blocking in epoll_wait. Between turns the
   * loop yields to the microtask queue only (one `await`), so promises and
   * `for await` work, but Node's own timers and I/O do not run on this thread
   * until stop() — that is what "exclusive" means.
   */
  run(): Promise<void> {
    if (this.#closed) throw new LoopClosedError();
    if (this.#driver.running) throw new LoopRunningError();
    return this.#driver.start();
  }

  /** Run one turn, waiting at most `timeoutMs` for events (tests, custom drivers). */
  runOnce(timeoutMs = 0): void {
    this[kTurn](timeoutMs);
  }

  /** Stop running after the current turn. Safe from handlers, timers and tasks. */
  stop(): void {
    this.#driver.stop();
  }

  /** Whether run() is in progress. */
  get running(): boolean {
    return this.#driver.running;
  }

  /**
   * Let the Node process exit while this loop waits (integrated driver; the exclusive driver
   * blocks its thread, so there is nothing to unref). Remembered: unref() before run() holds
   * for the run, so `loop.unref(); loop.run()` lets the process exit by itself once nothing
   * else keeps it alive. ref() undoes it, also before run().
   */
  unref(): this {
    this[kEpoll].unref();
    this.#ringIo?.ring.unref();
    return this;
  }

  /** Keep the Node process alive while this loop runs (the default); undoes unref(), before or during run(). */
  ref(): this {
    this[kEpoll].ref();
    this.#ringIo?.ring.ref();
    return this;
  }

  /**
   * Stop, close the loop's own fds. Channels still registered are the owners' to close first.
   * Safe from inside a callback (a timer, a handler): the fds then close when that turn ends.
   */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    // Inside a turn (a timer or a handler closed the loop) the rest of the batch may still
    // read the timerfd or touch the epoll set: the fds close when the turn ends, never
    // inside the dispatch batch.
    if (this.#dispatching) this.#closeAfterTurn = true;
    else this.#closeOwnFds();
  }

  /**
   * @internal The thread is ending inside a turn (process.exit() from a handler): that turn
   * will never reach its end, so the loop's fds close now instead of after it.
   */
  [kCloseAbandoned](): void {
    this.close();
    if (this.#closeAfterTurn) {
      this.#closeAfterTurn = false;
      this.#closeOwnFds();
    }
  }

  #closeOwnFds(): void {
    this[kPoller].closeDeferred();
    this.#waker.close();
    this.#timers.close();
    this.#ringIo?.close();
    this[kEpoll].close();
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Loop time in ms since the loop was created (the wheel's clock), at the turn's start. */
  get elapsedMs(): number {
    return this.now - this.#timers.epochMs;
  }

  /** The same clock read now: later than elapsedMs by however long this turn has run. */
  clockMs(): number {
    return performance.now() - this.#timers.epochMs;
  }

  // --- the turn ------------------------------------------------------------------

  /** @internal One turn; returns how much work it did (events + tasks + timers + ready entries). */
  [kTurn](timeoutMs: number): number {
    const ep = this[kEpoll];
    const timeout = this.#ready.length || this.#tasks.length ? 0 : timeoutMs;
    const ringIo = this.#ringIo;
    // The batched turn's pre-reads (null on the per-fd path, and in mode 'uring', whose reads
    // arrive as ring completions).
    const preRead = ringIo === null ? this.#batch : null;
    const stats = this.stats;
    let n = 0; // epoll events
    let completions = 0; // ring completions (mode 'uring')
    if (ringIo === null) {
      n = preRead !== null ? preRead.wait(ep, timeout) : ep.wait(timeout);
      stats.syscalls++;
    } else completions = ringIo.wait(timeout);
    stats.turns++;
    stats.events += n + completions;
    this.now = performance.now();
    const work = n + completions + this.#tasks.length + this.#ready.length;
    const timersBefore = stats.timersFired;
    this.#dispatching = true;
    try {
      // Timers first (as libuv does): the wheel's clock is then current for
      // anything the handlers below schedule.
      if (this.#timers.wheel.size) stats.timersFired += this.#timers.runDue(this.now, this.#report);
      if (ringIo !== null && ringIo.dispatch(completions, this[kPoller], this.#report)) {
        // The epoll set has (or may still have) events: take them without waiting.
        n = ep.wait(0);
        stats.syscalls++;
        stats.events += n;
        ringIo.epollHot = n > 0;
      }
      const ev = ep.events;
      const poller = this[kPoller];
      let offset = 0; // where event i's pre-read bytes start in the read arena
      for (let i = 0; i < n; i++) {
        const ch = poller.lookup(ev[3 * i]!, ev[3 * i + 2]!);
        const read = preRead !== null ? preRead.readResults[i]! : NOT_READ;
        if (ch !== undefined) {
          // (undefined: a stale event, counted by the poller)
          const sink = ch[kSink];
          try {
            if (read === NOT_READ) sink[kOnEvent](ev[3 * i + 1]!);
            else (sink as PreReadHandler)[kOnPreRead](ev[3 * i + 1]!, read, preRead!.readArena, offset);
          } catch (err) {
            containThrow(sink, err, this.#report);
          }
        }
        if (read > 0) offset += read;
        if (this.#flushEach !== null && this.#corked.length) this.#flushCorked(); // per-fd: after each handler
      }
      // Corked output of the whole batch leaves together (one writeMany).
      if (this.#corked.length) this.#flushCorked();
      if (this.#ready.length) this.#ready.serve(this.#report, this.#flushEach);
      this.#tasks.drainPorts(this.#report);
      if (this.#tasks.length) this.#tasks.run(this.#report);
      if (this.#corked.length) this.#flushCorked();
    } finally {
      this.#dispatching = false;
      this[kPoller].closeDeferred();
      if (ringIo !== null) {
        ringIo.endTurn(completions, this[kPoller]);
        stats.syscalls += ringIo.takeEnters(); // the wait's io_uring_enter included
      }
      if (this.#closeAfterTurn) {
        this.#closeAfterTurn = false;
        this.#closeOwnFds();
      }
    }
    if (this.#fatal !== null) this.#raiseFatal();
    this.#driver.afterTurn();
    return work + stats.timersFired - timersBefore;
  }

  /** An unhandled error: stop the loop (run() rejects with it), or throw it from runOnce(). */
  #raiseFatal(): void {
    const err = this.#fatal!;
    this.#fatal = null;
    if (this.#driver.running) this.#driver.stop(err);
    else throw err;
  }

  #flushCorked(): void {
    this.#corked.flush(this.#batch);
  }

  #onWake(): void {
    this.#waker.drain();
    this.stats.syscalls++;
    this.#tasks.drainPorts(this.#report);
  }
}
