// TimerFd: a kernel timer as an fd (timerfd_create(2)), readable when it expires,
// so timers can sit in the same epoll set as sockets.
//
// Ownership: owns its fd, closes it once. Single-threaded.
import { native } from '../sys/addon.js';
import {
  CLOCK_BOOTTIME,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME,
  EAGAIN,
  EBADF,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
  TFD_TIMER_ABSTIME,
} from '../sys/constants.js';
import { SystemError, check } from '../sys/SystemError.js';
import { argValueError } from '../errors.js';

/** The clock a TimerFd runs on: CLOCK_MONOTONIC, CLOCK_REALTIME or CLOCK_BOOTTIME. */
export type ClockName = 'monotonic' | 'realtime' | 'boottime';

/** Options for `new TimerFd()`. */
export interface TimerFdOptions {
  /** Which clock drives the timer. Default 'monotonic'. */
  clock?: ClockName;
  /** read() returns 0 instead of blocking when nothing expired. Default true. */
  nonBlocking?: boolean;
}

function clockId(clock: ClockName): number {
  switch (clock) {
    case 'monotonic':
      return CLOCK_MONOTONIC;
    case 'realtime':
      return CLOCK_REALTIME;
    case 'boottime':
      return CLOCK_BOOTTIME;
    default:
      throw argValueError(`unknown clock '${String(clock)}' (monotonic, realtime or boottime)`);
  }
}

/** A timerfd_create(2) timer: its fd turns readable when the timer expires. Owns its fd. */
export class TimerFd {
  #fd: number;
  readonly #time = new Float64Array(2);

  constructor(options: TimerFdOptions = {}) {
    let flags = TFD_CLOEXEC;
    if (options.nonBlocking ?? true) flags |= TFD_NONBLOCK;
    this.#fd = check(native.timerfdCreate(clockId(options.clock ?? 'monotonic'), flags), 'timerfd_create');
  }

  /** The timerfd (close-on-exec). Throws EBADF once closed. */
  get fd(): number {
    if (this.#fd < 0) throw new SystemError(EBADF, 'timerfd', '(closed)');
    return this.#fd;
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * Arm: first expiry after `valueMs` (or at `valueMs` on the clock when
   * `absolute`), then every `intervalMs` (0: once). valueMs 0 disarms.
   */
  set(valueMs: number, intervalMs = 0, absolute = false): void {
    check(native.timerfdSettime(this.fd, absolute ? TFD_TIMER_ABSTIME : 0, valueMs, intervalMs), 'timerfd_settime');
  }

  /** Stop the timer (set(0, 0)). */
  disarm(): void {
    this.set(0, 0);
  }

  /** Time to the next expiry and the interval, in ms (0 and 0 when disarmed). */
  get(): {
    /** Time to the next expiry, in ms (0: disarmed). */
    valueMs: number;
    /** Reload interval, in ms (0: fires once). */
    intervalMs: number;
  } {
    check(native.timerfdGettime(this.fd, this.#time), 'timerfd_gettime');
    return { valueMs: this.#time[0]!, intervalMs: this.#time[1]! };
  }

  /** Expirations since the last read (0 if none, in non-blocking mode). */
  read(): number {
    const r = native.timerfdRead(this.fd);
    if (r === -EAGAIN) return 0;
    return check(r, 'read', '(timerfd)');
  }

  /** Close the fd. A second call is a no-op. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    check(native.close(fd), 'close');
  }
}
