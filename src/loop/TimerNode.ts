// TimerNode: one timer of a TimerWheel, owned by whoever made it and reusable
// (schedule it again after it fired or was cancelled: no allocation). While
// armed it is linked into exactly one slot list of one wheel; its `_` fields are
// that wheel's bookkeeping. Single-threaded, like the wheel it is armed in.
import type { TimerWheel } from './TimerWheel.js';

/**
 * One timer, owned by the caller and reusable: schedule it again after it fired
 * or was cancelled, with no allocation. Its list links are internal to the wheel.
 */
export class TimerNode {
  /** Called with the node when it fires. The node is already inactive by then. */
  callback: (node: TimerNode) => void;
  /** Free for the owner (e.g. the connection this idle timer belongs to). */
  data: unknown = undefined;

  /** @internal Circular doubly linked list links; a lone node points at itself. */
  _prev: TimerNode = this;
  /** @internal */
  _next: TimerNode = this;
  /** @internal The sentinel of the list this node is in; null when not armed. */
  _slot: TimerNode | null = null;
  /** @internal The wheel the node is armed in (meaningful while _slot !== null). */
  _wheel: TimerWheel | null = null;
  /** @internal Wheel level of the list it is in, -1 for the due list. */
  _level = -1;
  /** @internal Absolute tick the timer is due at. */
  _expires = 0;
  /** @internal Scheduling sequence number: keeps same-tick timers in insertion order. */
  _seq = 0;

  constructor(callback: (node: TimerNode) => void) {
    this.callback = callback;
  }

  /** True while scheduled (including while queued to fire in the current advance()). */
  get active(): boolean {
    return this._slot !== null;
  }
}
