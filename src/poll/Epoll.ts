// Epoll: the raw demultiplexer, one epoll instance.
//
// Ownership: an Epoll owns its epoll fd and closes it exactly once (close() is
// idempotent). It does NOT own the fds registered in it: closing a registered fd
// is the caller's business (and the kernel drops it from the set when its last
// reference goes). Single-threaded: use an instance from the thread that made it
// (another thread may only write to a Waker registered in it).
//
// Events land in `events`, a Uint32Array reused by every wait(): slot i holds
// (fd, events, token) at [3i, 3i+1, 3i+2]. wait() allocates nothing; the
// accessors fdAt/eventsAt/tokenAt read that array. poll() is the slow, allocating
// convenience for scripts.
//
// Two drivers feed the same dispatch code:
//   - exclusive: a blocking wait(-1) loop, for a worker thread or a dedicated
//     process; nothing else runs on that thread while it waits.
//   - integrated: watch(onReady) registers the epoll fd itself with Node's libuv
//     loop (uv_poll_t), so timers, promises and node:net keep running; onReady
//     then drains with wait(0).
//     The watch is an FdWatch: it keeps the Epoll reachable until unwatch()
//     or close(), so it behaves like a Node handle: it runs and, unless unref'd,
//     keeps the process alive until it is stopped, even if the caller drops it.
import { native } from '../sys/addon.js';
import { EBADF, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD } from '../sys/constants.js';
import { SystemError, check } from '../sys/SystemError.js';
import { toTimeoutMs } from './timeout.js';
import { checkOptions, invalidArgType, outOfRange } from '../sys/args.js';
import { AlreadyWatchedError } from '../errors.js';
import { FdWatch } from './FdWatch.js';

/** Default capacity of an Epoll's event array (events per wait()). */
export const DEFAULT_MAX_EVENTS = 1024;

/** Token bit that asks waitRead() to read the fd in the same native call. */
export const AUTO_READ = 0x80000000;
/** waitRead() result for an event it did not read. */
export const NOT_READ = -0x80000000;

/** Options for `new Epoll()`. */
export interface EpollOptions {
  /** Capacity of the event array: at most this many events per wait(). Default 1024. */
  maxEvents?: number;
}

/** One epoll instance: owns its epoll fd (not the fds registered in it); waits with the exclusive driver (wait()) or the integrated one (watch()). */
export class Epoll {
  /** Reused event array: [fd, events, token] per slot, valid until the next wait(). */
  readonly events: Uint32Array;
  /** Capacity of `events`, in events. */
  readonly maxEvents: number;
  #fd: number;
  #count = 0;
  readonly #watch = new FdWatch();

  constructor(options: EpollOptions = {}) {
    checkOptions(options, 'options', { maxEvents: 'number' });
    const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 1 << 20) {
      throw outOfRange('options.maxEvents', 'an integer in 1..1048576', maxEvents);
    }
    this.maxEvents = maxEvents;
    this.events = new Uint32Array(maxEvents * 3);
    this.#fd = check(native.epollCreate(), 'epoll_create1');
  }

  /** The epoll fd (close-on-exec). Throws EBADF once closed. */
  get fd(): number {
    return this.#live('fileno');
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Number of events the last wait() returned. */
  get count(): number {
    return this.#count;
  }

  /** Register `fd` for `events` (a mask; signed or unsigned); `token` (uint32) comes back with each event. */
  add(fd: number, events: number, token = 0): void {
    check(native.epollCtl(this.#live('epoll_ctl'), EPOLL_CTL_ADD, fd, events, token), 'epoll_ctl', `(ADD fd ${fd})`);
  }

  /** Change the interest and token of a registered fd. */
  modify(fd: number, events: number, token = 0): void {
    check(native.epollCtl(this.#live('epoll_ctl'), EPOLL_CTL_MOD, fd, events, token), 'epoll_ctl', `(MOD fd ${fd})`);
  }

  /** Deregister `fd`. */
  delete(fd: number): void {
    check(native.epollCtl(this.#live('epoll_ctl'), EPOLL_CTL_DEL, fd, 0, 0), 'epoll_ctl', `(DEL fd ${fd})`);
  }

  /**
   * Wait for events; returns how many landed in `events`. timeoutMs: -1 (or any
   * negative, or Infinity) blocks, 0 returns at once, > 0 waits at most that many
   * milliseconds (fractions round up, so it never returns early for a timeout).
   */
  wait(timeoutMs = -1): number {
    const n = native.epollWait(this.#live('epoll_wait'), this.events, this.maxEvents, toTimeoutMs(timeoutMs));
    if (n < 0) {
      this.#count = 0;
      throw new SystemError(-n, 'epoll_wait');
    }
    this.#count = n;
    return n;
  }

  /**
   * The batched turn: wait(), then read up to `readCap` bytes from every ready fd
   * whose token has AUTO_READ (bit 31) set, in the same native call (see
   * native/batch.cc). results[i] gets the bytes read into `arena` (slice i starts
   * where the positive results before it end), 0 at EOF, -errno, or NOT_READ.
   */
  waitRead(timeoutMs: number, results: Int32Array, arena: Uint8Array, readCap: number): number {
    const n = native.epollWaitRead(this.#live('epoll_wait'), this.events, this.maxEvents, toTimeoutMs(timeoutMs), results, arena, readCap);
    if (n < 0) {
      this.#count = 0;
      throw new SystemError(-n, 'epoll_wait');
    }
    this.#count = n;
    return n;
  }

  /** fd of event i of the last wait(). */
  fdAt(i: number): number {
    return this.events[this.#slot(i)]!;
  }

  /** Event mask (uint32) of event i of the last wait(). */
  eventsAt(i: number): number {
    return this.events[this.#slot(i) + 1]!;
  }

  /** Token (uint32) of event i of the last wait(). */
  tokenAt(i: number): number {
    return this.events[this.#slot(i) + 2]!;
  }

  /** The slow path: wait, then copy the events out as [fd, events] pairs. */
  poll(timeoutMs = -1): Array<[number, number]> {
    const n = this.wait(timeoutMs);
    const out: Array<[number, number]> = new Array(n);
    for (let i = 0; i < n; i++) out[i] = [this.events[3 * i]!, this.events[3 * i + 1]!];
    return out;
  }

  /**
   * Integrated driver: call `onReady(this)` from Node's event loop whenever the
   * epoll set has events (level-triggered: again next loop iteration if onReady
   * left events undrained). Drain with wait(0). One watch per Epoll: a second watch()
   * throws ERR_REACTOR_ALREADY_WATCHED (unwatch() first).
   */
  watch(onReady: (ep: Epoll) => void): this {
    if (typeof onReady !== 'function') throw invalidArgType('onReady', 'of type function', onReady);
    const fd = this.#live('watch');
    if (this.#watch.active) throw new AlreadyWatchedError();
    this.#watch.start(fd, () => onReady(this));
    return this;
  }

  /** Stop the integrated driver. Safe to call when not watching, and from inside onReady. */
  unwatch(): void {
    this.#watch.stop();
  }

  /** Whether the integrated driver is on (watch() called, not yet unwatch()/close()). */
  get watching(): boolean {
    return this.#watch.active;
  }

  /**
   * The watch keeps the Node process alive (the default, like a timer's ref()). Remembered:
   * called before watch(), it applies to the watch when it starts.
   */
  ref(): this {
    this.#watch.ref();
    return this;
  }

  /**
   * Let the process exit even while the watch runs. Remembered: called before watch(), the
   * watch starts unref'd (so an EventLoop unref'd before run() lets the process exit).
   */
  unref(): this {
    this.#watch.unref();
    return this;
  }

  /** Close the epoll fd (stopping any watch). A second call is a no-op. */
  close(): void {
    if (this.#fd < 0) return;
    this.unwatch();
    const fd = this.#fd;
    this.#fd = -1;
    this.#count = 0;
    check(native.close(fd), 'close');
  }

  #live(syscall: string): number {
    if (this.#fd < 0) throw new SystemError(EBADF, syscall, '(epoll instance is closed)');
    return this.#fd;
  }

  #slot(i: number): number {
    if (!(i >= 0 && i < this.#count)) {
      throw outOfRange('i', `an event index in 0..${this.#count - 1}`, i);
    }
    return 3 * i;
  }
}
