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
import type { TcpConnection } from './TcpConnection.js';

function onIdleTimer(node: TimerNode): void {
  (node.data as ConnectionTimers).checkIdle();
}

function onDeadlineTimer(node: TimerNode): void {
  (node.data as ConnectionTimers).conn.destroy(undefined, 'deadline');
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

  /** The idle timer fired: close if idle, else re-arm for the remaining time. */
  checkIdle(): void {
    const conn = this.conn;
    if (conn.state === 'closed' || this.#idleTimeoutMs <= 0) return;
    const idleFor = this.#loop.now - conn.lastActivity;
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
