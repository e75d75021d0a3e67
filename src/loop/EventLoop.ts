// EventLoop: one epoll set, its channels, a timing wheel and a task queue —
// the reactor's heart (muduo's EventLoop, Redis's aeEventLoop).
//
// One turn:   wait -> run due timers -> dispatch events -> flush corked output ->
//             serve the ET ready list -> run queued tasks -> flush -> close deferred fds
//
// Batched turn (default, BatchIo): the wait also reads every ready connection
// (one native call), and each flush writes every corked connection (one more).
//
// Threading: a loop belongs to the thread that created it; only that thread
// touches its channels, connections and timers. Other threads reach it through
// a MessagePort (attachPort) plus the loop's Waker, never by calling methods.
//
// Drivers (the same turn code either way):
//   - 'integrated' (default): the epoll fd is watched from Node's own libuv loop,
//     so this reactor shares the thread with timers, promises and node:net.
//     Due timers wake it through a timerfd in the epoll set.
//   - 'exclusive': run() blocks in epoll_wait until stop(), with the timing
//     wheel's next deadline as the timeout. For worker threads and dedicated
//     processes (signals are not seen by a blocked main thread: put an
//     exclusive loop in a worker and keep signals on the main thread).
//
// fd lifetime (DESIGN invariant 2): closeFd() during a dispatch batch defers the
// close to the end of the turn; an fd number therefore cannot be reused while
// stale events for it may still sit in the batch, and tokens catch the rest.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { AUTO_READ, Epoll, NOT_READ } from '../poll/Epoll.js';
import { Waker } from '../poll/EventFd.js';
import { TimerFd } from '../poll/TimerFd.js';
import type { TriggerMode } from '../poll/interest.js';
import { native } from '../sys/addon.js';
import { EPOLLIN, EPOLL_CTL_DEL } from '../sys/constants.js';
import { checkDelayMs } from '../sys/args.js';
import { check } from '../sys/errors.js';
import { BatchIo, type BatchIoOptions, type Flushable } from './BatchIo.js';
import { Channel, type PreReadHandler } from './Channel.js';
import { LoopStats } from './LoopStats.js';
import { TimerNode, TimerWheel } from './TimerWheel.js';

const TOKEN_MASK = 0x7fffffff; // AUTO_READ is not part of a channel's token

export type Driver = 'integrated' | 'exclusive';

/** readCap and the arena sizes (BatchIoOptions) apply to the batched turn only. */
export interface EventLoopOptions extends BatchIoOptions {
  /** Level- or edge-triggered I/O for the connections of this loop. Default 'lt'. */
  mode?: TriggerMode;
  /** Default 'integrated'. */
  driver?: Driver;
  /** Events per epoll_wait. Default 1024. */
  maxEvents?: number;
  /** Timing wheel tick. Default 10 ms. */
  tickMs?: number;
  /** ET: bytes read from one fd per turn before it yields to others. Default 256 KiB. */
  readBudget?: number;
  /** Size of the per-loop read scratch buffer (muduo's extrabuf). Default 64 KiB. */
  scratchSize?: number;
  /**
   * The batched turn (native/batch.cc): epoll_wait and the reads of every ready
   * connection in one native call, and the turn's corked writes in one more.
   * Default true; false makes one native call per read and per write.
   */
  batchIo?: boolean;
}

export type { Flushable } from './BatchIo.js';

/** Something with more input to read than one turn's budget allowed (ET). */
export interface ReadyListEntry {
  serveReady(): void;
}

type Task = () => void;

export class EventLoop {
  readonly epoll: Epoll;
  readonly mode: TriggerMode;
  readonly driver: Driver;
  readonly wheel: TimerWheel;
  readonly stats = new LoopStats();
  /** Shared read scratch: a big read needs no pre-grown connection buffer. */
  readonly scratch: Uint8Array;
  readonly readBudget: number;
  /** Milliseconds (performance.now()) at the start of the current turn. */
  now: number;
  /** The batched turn's arenas; null on the per-fd path (batchIo: false). */
  readonly #batch: BatchIo | null;
  /** Batched turn: the most one pre-read takes from one fd (a full pre-read may mean more is queued). */
  readonly readCap: number;

  readonly #channels: Array<Channel | undefined> = [];
  #nextToken = 1;
  readonly #waker: Waker;
  readonly #wakerChannel: Channel;
  readonly #timerFd: TimerFd | null;
  #timerArmedAt = -1;
  readonly #epochMs: number;

  #tasks: Task[] = [];
  #spareTasks: Task[] = [];
  #ready: ReadyListEntry[] = [];
  #spareReady: ReadyListEntry[] = [];
  #corked: Flushable[] = [];
  #spareCorked: Flushable[] = [];
  #deferredCloses: number[] = [];
  #dispatching = false;
  #running = false;
  #stopRequested = false;
  #closed = false;
  #immediatePending = false;
  #onStopped: (() => void) | null = null;
  readonly #ports: Array<{ port: MessagePort; onMessage: (msg: unknown) => void }> = [];

  constructor(options: EventLoopOptions = {}) {
    this.mode = options.mode ?? 'lt';
    if (this.mode !== 'lt' && this.mode !== 'et') throw new TypeError(`mode must be 'lt' or 'et', got '${String(this.mode)}'`);
    this.driver = options.driver ?? 'integrated';
    if (this.driver !== 'integrated' && this.driver !== 'exclusive') {
      throw new TypeError(`driver must be 'integrated' or 'exclusive', got '${String(this.driver)}'`);
    }
    this.readBudget = options.readBudget ?? 256 * 1024;
    this.scratch = new Uint8Array(options.scratchSize ?? 64 * 1024);
    this.epoll = new Epoll({ maxEvents: options.maxEvents ?? 1024 });
    this.#batch = (options.batchIo ?? true) ? new BatchIo(this.epoll.maxEvents, options) : null;
    this.readCap = this.#batch?.readCap ?? 0;
    this.#epochMs = performance.now();
    this.now = this.#epochMs;
    this.wheel = new TimerWheel({ tickMs: options.tickMs ?? 10, now: 0 });
    this.#waker = new Waker();
    this.#wakerChannel = new Channel(this, this.#waker.fd, { handleEvent: () => this.#onWake() });
    this.#wakerChannel.setInterest(EPOLLIN);
    if (this.driver === 'integrated') {
      this.#timerFd = new TimerFd();
      new Channel(this, this.#timerFd.fd, { handleEvent: () => this.#timerFd!.read() }).setInterest(EPOLLIN);
    } else {
      this.#timerFd = null;
    }
  }

  // --- channels ---------------------------------------------------------------

  /** Called by Channel.setInterest: register (new token) or modify. */
  updateChannel(ch: Channel, mask: number): void {
    if (ch.token === 0) {
      const existing = this.#channels[ch.fd];
      if (existing !== undefined && existing.token !== 0) throw new Error(`fd ${ch.fd} already has a channel in this loop`);
      const token = this.#nextToken;
      this.#nextToken = token >= 0x7fffffff ? 1 : token + 1; // tokens stay small ints (no heap numbers)
      this.epoll.add(ch.fd, mask, this.#kernelToken(ch, token, mask));
      ch.token = token;
      this.#channels[ch.fd] = ch;
    } else {
      this.epoll.modify(ch.fd, mask, this.#kernelToken(ch, ch.token, mask));
    }
    ch.interest = mask;
    this.stats.syscalls++;
  }

  /** Whether turns use the batched native calls (EventLoopOptions.batchIo). */
  get batchIo(): boolean {
    return this.#batch !== null;
  }

  /** The token the kernel holds: the channel's, plus AUTO_READ when the batched turn reads for it. */
  #kernelToken(ch: Channel, token: number, mask: number): number {
    return this.batchIo && ch.autoRead && mask & EPOLLIN ? token + AUTO_READ : token;
  }

  /** Called by Channel.remove: deregister now; its queued events become stale. */
  removeChannel(ch: Channel): void {
    if (this.#channels[ch.fd] === ch) this.#channels[ch.fd] = undefined;
    ch.token = 0;
    ch.interest = 0;
    // Raw call, result ignored: ENOENT/EBADF mean the fd already left the set
    // (closed elsewhere), and there is nothing to undo either way.
    native.epollCtl(this.epoll.fd, EPOLL_CTL_DEL, ch.fd, 0, 0);
    this.stats.syscalls++;
  }

  /** The channel registered for `fd`, if any. */
  channelOf(fd: number): Channel | undefined {
    return this.#channels[fd];
  }

  /** Close an fd owned by something in this loop, after the current dispatch batch. */
  closeFd(fd: number): void {
    if (this.#dispatching) this.#deferredCloses.push(fd);
    else this.#closeNow(fd);
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
    if (this.driver === 'integrated') this.#scheduleImmediateTurn();
    else if (!this.#dispatching) this.#waker.wake();
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
    this.#ports.push({ port, onMessage });
  }

  /** An ET connection that stopped at its read budget: serve it next turn. */
  addReady(entry: ReadyListEntry): void {
    this.#ready.push(entry);
    if (!this.#dispatching) this.wakeup();
  }

  /** A connection with output corked in this handler: flushed when the handler returns. */
  cork(f: Flushable): void {
    this.#corked.push(f);
  }

  /** Whether sends should be corked (we are inside a turn) or written at once. */
  get inTurn(): boolean {
    return this.#dispatching;
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
    // The wheel's clock only moves when a turn advances it; measure the delay
    // from the real present, not from the wheel's (possibly stale) last tick.
    const nowRel = (this.#dispatching ? this.now : performance.now()) - this.#epochMs;
    this.wheel.schedule(node, delayMs + Math.max(0, nowRel - this.wheel.currentTime));
    this.#timersChanged();
  }

  cancel(node: TimerNode): boolean {
    return this.wheel.cancel(node);
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
    if (this.#closed) throw new Error('event loop is closed');
    if (this.#running) throw new Error('event loop is already running');
    this.#running = true;
    this.#stopRequested = false;
    const done = new Promise<void>((resolve) => {
      this.#onStopped = resolve;
    });
    if (this.driver === 'integrated') {
      this.epoll.watch(() => this.#turn(0));
      this.#armTimerFd();
      if (this.#tasks.length || this.#ready.length) this.#scheduleImmediateTurn();
    } else {
      void this.#runExclusive();
    }
    return done;
  }

  async #runExclusive(): Promise<void> {
    await undefined; // return to run()'s caller first: it may still be setting up
    try {
      while (!this.#stopRequested) {
        if (this.#turn(0) > 0) {
          await undefined; // busy: let this turn's promise continuations run, go on
          continue;
        }
        // Nothing ready. Before sleeping, let every pending promise continuation
        // run: one macrotask hop drains the whole microtask queue, where a single
        // await would let only the first link of a chain run before we block.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.#stopRequested) break;
        this.#turn(this.#exclusiveTimeout());
        await undefined;
      }
    } finally {
      this.#running = false;
      this.#resolveStopped();
    }
  }

  #resolveStopped(): void {
    const resolve = this.#onStopped;
    this.#onStopped = null;
    resolve?.();
  }

  /** Run one turn, waiting at most `timeoutMs` for events (tests, custom drivers). */
  runOnce(timeoutMs = 0): void {
    this.#turn(timeoutMs);
  }

  /** Stop running after the current turn. Safe from handlers, timers and tasks. */
  stop(): void {
    this.#stopRequested = true;
    if (this.driver === 'integrated') {
      this.epoll.unwatch();
      this.#running = false;
      this.#resolveStopped();
    } else if (!this.#dispatching) {
      this.#waker.wake();
    }
  }

  get running(): boolean {
    return this.#running;
  }

  /** Whether the loop keeps the Node process alive (integrated driver). */
  unref(): this {
    this.epoll.unref();
    return this;
  }

  ref(): this {
    this.epoll.ref();
    return this;
  }

  /** Stop, close the loop's own fds. Channels still registered are the owners' to close first. */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    for (const fd of this.#deferredCloses.splice(0)) this.#closeNow(fd);
    this.#waker.close();
    this.#timerFd?.close();
    this.epoll.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Loop time in ms since the loop was created (the wheel's clock). */
  get elapsedMs(): number {
    return this.now - this.#epochMs;
  }

  // --- the turn ------------------------------------------------------------------

  /** One turn; returns how much work it did (events + tasks + timers + ready entries). */
  #turn(timeoutMs: number): number {
    const ep = this.epoll;
    const timeout = this.#ready.length || this.#tasks.length ? 0 : timeoutMs;
    const batch = this.#batch;
    const n = batch !== null ? batch.wait(ep, timeout) : ep.wait(timeout);
    const stats = this.stats;
    stats.turns++;
    stats.syscalls++;
    stats.events += n;
    this.now = performance.now();
    const work = n + this.#tasks.length + this.#ready.length;
    const timersBefore = stats.timersFired;
    this.#dispatching = true;
    try {
      // Timers first (as libuv does): the wheel's clock is then current for
      // anything the handlers below schedule.
      if (this.wheel.size) this.#runTimers();
      const ev = ep.events;
      const channels = this.#channels;
      let offset = 0; // where event i's pre-read bytes start in the read arena
      for (let i = 0; i < n; i++) {
        const ch = channels[ev[3 * i]!];
        const read = batch !== null ? batch.readResults[i]! : NOT_READ;
        if (ch === undefined || ch.token !== (ev[3 * i + 2]! & TOKEN_MASK)) {
          stats.staleEvents++;
        } else if (read === NOT_READ) {
          ch.handler.handleEvent(ev[3 * i + 1]!);
        } else {
          (ch.handler as PreReadHandler).handlePreRead(ev[3 * i + 1]!, read, batch!.readArena, offset);
        }
        if (read > 0) offset += read;
        if (batch === null && this.#corked.length) this.#flushCorked(); // per-fd: after each handler
      }
      // Corked output of the whole batch leaves together (one writeMany).
      if (this.#corked.length) this.#flushCorked();
      if (this.#ready.length) this.#serveReady();
      this.#drainPorts();
      if (this.#tasks.length) this.#runTasks();
      if (this.#corked.length) this.#flushCorked();
    } finally {
      this.#dispatching = false;
      if (this.#deferredCloses.length) for (const fd of this.#deferredCloses.splice(0)) this.#closeNow(fd);
    }
    if (this.driver === 'integrated' && this.#running) {
      this.#armTimerFd();
      if (this.#ready.length || this.#tasks.length) this.#scheduleImmediateTurn();
    }
    return work + stats.timersFired - timersBefore;
  }

  #serveReady(): void {
    // Swap first: entries that run out of budget again go to the next turn.
    const ready = this.#ready;
    this.#ready = this.#spareReady;
    for (let i = 0; i < ready.length; i++) {
      ready[i]!.serveReady();
      if (this.#batch === null && this.#corked.length) this.#flushCorked(); // per-fd: after each entry
    }
    ready.length = 0;
    this.#spareReady = ready;
  }

  #runTasks(): void {
    const tasks = this.#tasks;
    this.#tasks = this.#spareTasks;
    for (let i = 0; i < tasks.length; i++) tasks[i]!();
    tasks.length = 0;
    this.#spareTasks = tasks;
  }

  #runTimers(): void {
    this.stats.timersFired += this.wheel.advance(this.now - this.#epochMs);
  }

  #flushCorked(): void {
    const batch = this.#batch;
    if (batch === null) {
      const corked = this.#corked;
      // flushCorked() may cork others (a write error closing a connection): loop by index.
      for (let i = 0; i < corked.length; i++) corked[i]!.flushCorked();
      corked.length = 0;
      return;
    }
    // Finishing a write runs callbacks (onDrain, onClose) that may cork more
    // output: swap the list and go round until nothing is corked.
    while (this.#corked.length) {
      const corked = this.#corked;
      this.#corked = this.#spareCorked;
      batch.write(corked);
      corked.length = 0;
      this.#spareCorked = corked;
    }
  }

  #onWake(): void {
    this.#waker.drain();
    this.stats.syscalls++;
    this.#drainPorts();
  }

  #drainPorts(): void {
    for (const { port, onMessage } of this.#ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) onMessage(m.message);
    }
  }

  #exclusiveTimeout(): number {
    if (this.#ready.length || this.#tasks.length) return 0;
    if (this.wheel.size === 0) return -1;
    return this.wheel.nextTimeoutMs(performance.now() - this.#epochMs);
  }

  #timersChanged(): void {
    if (this.driver === 'integrated' && this.#running && !this.#dispatching) this.#armTimerFd();
  }

  /** Integrated driver: keep the timerfd armed for the wheel's next deadline. */
  #armTimerFd(): void {
    const tfd = this.#timerFd;
    if (tfd === null) return;
    if (this.wheel.size === 0) {
      if (this.#timerArmedAt !== -1) {
        tfd.disarm();
        this.#timerArmedAt = -1;
      }
      return;
    }
    const nowRel = performance.now() - this.#epochMs;
    const delay = Math.max(this.wheel.nextTimeoutMs(nowRel), 0.05);
    const at = nowRel + delay;
    // Re-arm only if the deadline moved earlier or the armed one has passed.
    if (this.#timerArmedAt === -1 || at < this.#timerArmedAt - 0.5 || this.#timerArmedAt < nowRel) {
      tfd.set(delay);
      this.#timerArmedAt = at;
      this.stats.syscalls++;
    }
  }

  #scheduleImmediateTurn(): void {
    if (this.#immediatePending || !this.#running) return;
    this.#immediatePending = true;
    setImmediate(() => {
      this.#immediatePending = false;
      if (this.#running && !this.#closed) this.#turn(0);
    });
  }

  #closeNow(fd: number): void {
    check(native.close(fd), 'close', `(fd ${fd})`);
    this.stats.syscalls++;
  }
}
