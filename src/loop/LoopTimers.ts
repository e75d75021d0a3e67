// LoopTimers: the timers of one EventLoop (muduo's TimerQueue) — the timing
// wheel on the loop's clock, the timerfd that wakes an integrated loop when a
// timer is due, and the epoll_wait timeout of an exclusive loop.
//
// Clock: milliseconds of performance.now() since the loop was created. The wheel
// moves only when a turn advances it, so a delay is measured from the real
// present (or the turn's start, inside a turn), never from the wheel's last tick.
//
// Ownership: owns the wheel and the timerfd (closed by close()); the timerfd's
// channel is registered by the loop. Threading: the loop's thread only.
import { TimerFd } from '../poll/TimerFd.js';
import { TimerNode, TimerWheel } from './TimerWheel.js';

/** The wheel, its clock and (integrated driver) its timerfd. */
export class LoopTimers {
  readonly wheel: TimerWheel;
  /** performance.now() when the loop was created: the wheel's zero. */
  readonly epochMs: number;
  readonly #timerFd: TimerFd | null;
  /** Loop time the timerfd is armed for; -1 when disarmed. */
  #armedAt = -1;

  constructor(tickMs: number, withTimerFd: boolean) {
    this.epochMs = performance.now();
    this.wheel = new TimerWheel({ tickMs, now: 0 });
    this.#timerFd = withTimerFd ? new TimerFd() : null;
  }

  /** The timerfd to watch for readability (-1 without one). */
  get fd(): number {
    return this.#timerFd?.fd ?? -1;
  }

  /** The timerfd expired: consume the expiration (due timers run at the turn's start). */
  drainTimerFd(): void {
    this.#timerFd?.read();
  }

  /** Arm `node` to fire `delayMs` after `nowAbs` (performance.now() scale). */
  schedule(node: TimerNode, delayMs: number, nowAbs: number): void {
    const nowRel = nowAbs - this.epochMs;
    this.wheel.schedule(node, delayMs + Math.max(0, nowRel - this.wheel.currentTime));
  }

  /**
   * Fire every timer due by `nowAbs`; returns how many fired. A callback that
   * throws goes to `onError` and the rest still fire (the wheel keeps timers
   * still due queued for the next advance).
   */
  runDue(nowAbs: number, onError: (err: unknown) => void): number {
    let fired = 0;
    for (;;) {
      const before = this.wheel.size;
      try {
        fired += this.wheel.advance(nowAbs - this.epochMs);
        return fired;
      } catch (err) {
        fired += Math.max(1, before - this.wheel.size);
        onError(err);
      }
    }
  }

  /** Exclusive driver: how long epoll_wait may block (-1: no timer armed). */
  timeoutMs(): number {
    if (this.wheel.size === 0) return -1;
    return this.wheel.nextTimeoutMs(performance.now() - this.epochMs);
  }

  /** Integrated driver: keep the timerfd armed for the wheel's next deadline. Returns syscalls made. */
  arm(): number {
    const tfd = this.#timerFd;
    if (tfd === null) return 0;
    if (this.wheel.size === 0) {
      if (this.#armedAt === -1) return 0;
      tfd.disarm();
      this.#armedAt = -1;
      return 0;
    }
    const nowRel = performance.now() - this.epochMs;
    const delay = Math.max(this.wheel.nextTimeoutMs(nowRel), 0.05);
    const at = nowRel + delay;
    // Re-arm only if the deadline moved earlier or the armed one has passed.
    if (this.#armedAt === -1 || at < this.#armedAt - 0.5 || this.#armedAt < nowRel) {
      tfd.set(delay);
      this.#armedAt = at;
      return 1;
    }
    return 0;
  }

  close(): void {
    this.#timerFd?.close();
  }
}
