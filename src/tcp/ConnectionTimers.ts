// ConnectionTimers: the two timers a connection may need — the idle timeout
// (close after N ms without reads or writes) and the close deadline (a graceful
// close that has not drained in time is forced). Allocated on first use, so an
// idle connection without timeouts carries none.
//
// Idle: one TimerNode, armed once and re-armed only when it fires (it then
// checks lastActivity), so reads and writes never touch the wheel.
// Ownership: belongs to one connection; cancel() disarms both when it closes.
// Threading: the connection's loop thread.
import type { EventLoop } from '../loop/EventLoop.js';
import { TimerNode } from '../loop/TimerWheel.js';
import { kOnThrow } from '../loop/symbols.js';
import type { TcpConnection } from './TcpConnection.js';

// A callback run by the close (onClose) may throw: the connection contains it.
function onIdleTimer(node: TimerNode): void {
  const timers = node.data as ConnectionTimers;
  try {
    timers.checkIdle();
  } catch (err) {
    timers.conn[kOnThrow](err);
  }
}

function onDeadlineTimer(node: TimerNode): void {
  const conn = (node.data as ConnectionTimers).conn;
  try {
    conn.destroy(undefined, 'deadline');
  } catch (err) {
    conn[kOnThrow](err);
  }
}

/** Idle-timeout and close-deadline timers of one connection. */
export class ConnectionTimers {
  readonly conn: TcpConnection;
  readonly #loop: EventLoop;
  #idleTimeoutMs = 0;
  #idleNode: TimerNode | null = null;
  #deadlineNode: TimerNode | null = null;

  constructor(conn: TcpConnection, loop: EventLoop) {
    this.conn = conn;
    this.#loop = loop;
  }

  /** Close after `ms` without reads or writes (0 disables). */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutMs = ms;
    if (ms <= 0) {
      if (this.#idleNode) this.#loop.cancel(this.#idleNode);
      return;
    }
    if (this.#idleNode === null) {
      this.#idleNode = new TimerNode(onIdleTimer);
      this.#idleNode.data = this;
    }
    this.#loop.schedule(this.#idleNode, ms);
  }

  /**
   * The idle timer fired: close if idle, else re-arm for the remaining time.
   * Idle time is measured on a fresh clock read (as lastActivity is), so a close
   * never comes before idleTimeoutMs without activity, however the wheel rounded
   * or however long ago the turn started; a timer that fired early just re-arms.
   */
  checkIdle(): void {
    const conn = this.conn;
    if (conn.state === 'closed' || this.#idleTimeoutMs <= 0) return;
    const idleFor = this.#loop.clockMs() - conn.lastActivity;
    if (idleFor >= this.#idleTimeoutMs) conn.destroy(undefined, 'idle');
    else this.#loop.schedule(this.#idleNode!, this.#idleTimeoutMs - idleFor);
  }

  /** Force the close `ms` from now unless it finished first. */
  startDeadline(ms: number): void {
    if (this.#deadlineNode === null) {
      this.#deadlineNode = new TimerNode(onDeadlineTimer);
      this.#deadlineNode.data = this;
    }
    this.#loop.schedule(this.#deadlineNode, ms);
  }

  /** The connection closed: disarm both. */
  cancel(): void {
    if (this.#idleNode) this.#loop.cancel(this.#idleNode);
    if (this.#deadlineNode) this.#loop.cancel(this.#deadlineNode);
  }
}
