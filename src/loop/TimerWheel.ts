// TimerWheel: a hierarchical timing wheel (a "water meter" of levels, like the
// Linux kernel's classic tv1..tv5 wheel) driving idle timeouts, connect retries
// and deadlines. schedule() and cancel() are O(1); advancing costs O(1) per tick
// that has work, and empty stretches are skipped.
//
// Ownership: the wheel owns its slot lists, never the nodes in them (TimerNode.ts).
// Single-threaded: a wheel belongs to one event loop and only that loop's thread
// touches it.
//
// Time: the wheel never reads a clock. It keeps "now" as the caller reports it
// (constructor `now`, then advance(nowMs)); delays are measured from that, which
// keeps it deterministic and lets the loop read the clock once per turn. Times
// are ms on any monotonic scale; ticks are floor(ms / tickMs) on the same scale.
//
// Layout: `levels` wheels of `slotsPerLevel` (S) slots. Level l covers timers
// due between S^l and S^(l+1) - 1 ticks ahead, one slot per S^l ticks. Each
// time level l-1 wraps, the next slot of level l is cascaded: its timers are
// re-placed relative to the current tick, which puts them on lower levels.
// A timer is touched at most `levels` times before it fires.
//
// Guarantees: a timer never fires before the time it asked for, and fires in
// the advance() that passes its due tick (at most one tick after its exact due
// time, if the caller advances to that time). Timers fire in due-tick order,
// and within one tick in the order they were scheduled.
import { TimerForeignError, TimerReentrantError, rangeError, argTypeError } from '../errors.js';
import { TimerNode } from './TimerNode.js';

export { TimerNode } from './TimerNode.js';

/** Shape and start time of a TimerWheel. */
export interface TimerWheelOptions {
  /** Milliseconds per tick; the wheel's resolution. Default 10. */
  tickMs?: number;
  /** Slots per level, a power of two >= 2. Default 256. */
  slotsPerLevel?: number;
  /** Number of levels. Default 4 (with the defaults: 2^32 ticks, about 497 days). */
  levels?: number;
  /** The caller's current time in ms when the wheel starts. Default 0. */
  now?: number;
}

// Ticks are plain numbers, not 32-bit ints: absolute ticks of a Date.now()-based
// clock exceed 2^32, so slot indices use / and % (exact on integers below 2^53)
// rather than >> and &. The span is capped so cur + span stays far below 2^53.
const MAX_SPAN_TICKS = 2 ** 48;

const noop = (): void => {};
const bySeq = (a: TimerNode, b: TimerNode): number => a._seq - b._seq;

/** Hierarchical timing wheel: O(1) schedule/cancel; advance() fires what is due. */
export class TimerWheel {
  readonly #tick: number;
  readonly #S: number;
  readonly #L: number;
  /** unit[l] = S^l: ticks per slot on level l; unit[L] = the whole span. */
  readonly #unit: number[];
  /** Largest placement distance, S^L - 1 ticks. */
  readonly #maxAhead: number;
  /** slots[l][i] is the sentinel of a circular list. */
  readonly #slots: TimerNode[][];
  /** Armed timers per level, to skip empty levels when looking for work. */
  readonly #levelCount: number[];
  /** Timers whose tick has come, waiting for (or in the middle of) their callbacks. */
  readonly #due: TimerNode = new TimerNode(noop);
  readonly #sortScratch: TimerNode[] = [];

  /** Current tick: every timer due at or before it has been moved to `due`. */
  #cur: number;
  /** Latest time the caller reported, in ms; delays count from here. */
  #nowMs: number;
  #count = 0;
  #seq = 0;
  #running = false;

  constructor(options: TimerWheelOptions = {}) {
    const tickMs = options.tickMs ?? 10;
    const S = options.slotsPerLevel ?? 256;
    const L = options.levels ?? 4;
    const now = options.now ?? 0;
    if (typeof tickMs !== 'number' || !Number.isFinite(tickMs) || tickMs <= 0) {
      throw rangeError(`tickMs must be a positive number, got ${String(tickMs)}`);
    }
    if (!Number.isInteger(S) || S < 2 || (S & (S - 1)) !== 0 || S > 2 ** 30) {
      throw rangeError(`slotsPerLevel must be a power of two >= 2, got ${String(S)}`);
    }
    if (!Number.isInteger(L) || L < 1 || S ** L > MAX_SPAN_TICKS) {
      throw rangeError(`levels must be an integer >= 1 with slotsPerLevel^levels <= 2^48, got ${String(L)}`);
    }
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw rangeError(`now must be a finite number of ms, got ${String(now)}`);
    }
    this.#tick = tickMs;
    this.#S = S;
    this.#L = L;
    this.#unit = [];
    for (let l = 0; l <= L; l++) this.#unit.push(S ** l);
    this.#maxAhead = S ** L - 1;
    this.#slots = [];
    this.#levelCount = [];
    for (let l = 0; l < L; l++) {
      const level: TimerNode[] = [];
      for (let i = 0; i < S; i++) level.push(new TimerNode(noop));
      this.#slots.push(level);
      this.#levelCount.push(0);
    }
    this.#nowMs = now;
    this.#cur = Math.floor(now / tickMs);
  }

  /** Number of armed timers (including those due but not yet called). */
  get size(): number {
    return this.#count;
  }
  /** Tick length, in ms: timers fire at tick granularity. */
  get tickMs(): number {
    return this.#tick;
  }
  /** Start of the current tick, in ms. */
  get currentTime(): number {
    return this.#cur * this.#tick;
  }
  /**
   * Longest delay placed directly, (S^levels - 1) ticks. A longer delay is
   * accepted: the timer is parked at the far end of the top level and re-placed
   * each time it cascades until its real due tick is in range (one extra
   * cascade per span), so it still fires on time.
   */
  get maxSpanMs(): number {
    return this.#maxAhead * this.#tick;
  }

  /** Allocates a node and schedules it. */
  setTimeout(callback: (node: TimerNode) => void, delayMs: number): TimerNode {
    const node = new TimerNode(callback);
    this.schedule(node, delayMs);
    return node;
  }

  /**
   * Arms `node` to fire delayMs after the wheel's current time (the latest nowMs
   * given to advance(), or the constructor's `now`); an armed node is moved.
   * The due time is rounded UP to a tick boundary and is at least one tick after
   * the current tick, so a node armed from a callback never fires in the batch
   * that is running. Negative delays count as 0; Infinity means "until
   * cancelled". O(1).
   */
  schedule(node: TimerNode, delayMs: number): void {
    if (typeof delayMs !== 'number' || Number.isNaN(delayMs)) {
      throw argTypeError(`delayMs must be a number, got ${String(delayMs)}`);
    }
    if (node._slot !== null) {
      if (node._wheel !== this) throw new TimerForeignError();
      this.#unlink(node);
    }
    let expires = Math.ceil((this.#nowMs + (delayMs > 0 ? delayMs : 0)) / this.#tick);
    if (!(expires > this.#cur)) expires = this.#cur + 1;
    node._expires = expires;
    node._seq = ++this.#seq;
    node._wheel = this;
    this.#place(node);
    this.#count++;
  }

  /** Disarms `node`. O(1). False if it was not armed (in this wheel). */
  cancel(node: TimerNode): boolean {
    if (node._slot === null || node._wheel !== this) return false;
    this.#unlink(node);
    return true;
  }

  /**
   * Moves the wheel to nowMs and calls every timer due by then, in due-tick
   * order (insertion order within a tick); returns how many fired. Callbacks
   * may schedule or cancel any node. The current time seen by schedule() is
   * nowMs for the whole call, so a timer re-armed from its callback is due
   * after nowMs: a long jump fires a periodic timer once, not once per period
   * missed. An earlier nowMs than before is ignored (time does not go back).
   *
   * Cost: when nothing is armed the wheel just jumps. Otherwise only ticks that
   * fire something or cascade a non-empty slot are visited; finding the next
   * one scans at most S slots per level, and a timer cascades at most `levels`
   * times (plus once per span for delays beyond maxSpanMs). So a 10-hour jump
   * over a few timers costs a few thousand slot checks, not 3.6 million ticks.
   *
   * If a callback throws, the exception propagates; timers still due stay
   * queued and fire on the next advance(). Not re-entrant.
   */
  advance(nowMs: number): number {
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
      throw rangeError(`nowMs must be a finite number, got ${String(nowMs)}`);
    }
    if (this.#running) throw new TimerReentrantError();
    if (nowMs > this.#nowMs) this.#nowMs = nowMs;
    const target = Math.floor(this.#nowMs / this.#tick);
    const due = this.#due;
    let fired = 0;
    this.#running = true;
    try {
      for (;;) {
        // Unlink before calling: the callback sees an inactive node it may re-arm,
        // and cancel() of a node still queued here just unlinks it from `due`.
        while (due._next !== due) {
          const node = due._next;
          this.#unlink(node);
          fired++;
          node.callback(node);
        }
        if (this.#cur >= target) break;
        if (this.#count === 0) {
          this.#cur = target;
          break;
        }
        const t = this.#nextEventTick(target);
        if (t > target) {
          this.#cur = target;
          break;
        }
        this.#cur = t;
        this.#cascadeAt(t);
        this.#collect(t);
      }
    } finally {
      this.#running = false;
    }
    return fired;
  }

  /**
   * Milliseconds from nowMs until the next tick that fires a timer or cascades
   * one (-1 if nothing is armed, 0 if something is due already): the epoll_wait
   * timeout. Never later than the earliest timer's due tick, since a timer is
   * always cascaded to level 0 at or before that tick; it may be earlier (a
   * cascade), in which case the loop wakes, advances, and sleeps again. The
   * result may be fractional when nowMs is; round it up for the kernel.
   * Scans at most S slots per non-empty level.
   */
  nextTimeoutMs(nowMs: number): number {
    if (typeof nowMs !== 'number' || Number.isNaN(nowMs)) {
      throw rangeError(`nowMs must be a number, got ${String(nowMs)}`);
    }
    if (this.#due._next !== this.#due) return 0;
    if (this.#count === 0) return -1;
    const t = this.#nextEventTick(Infinity);
    const ms = t * this.#tick - nowMs;
    return ms > 0 ? ms : 0;
  }

  // --- internals ---------------------------------------------------------------------

  /**
   * Links the node into its slot for the current tick. A due tick beyond the
   * span is clamped to the far end of the top level (it keeps its real _expires
   * and is simply re-placed when that slot cascades).
   */
  #place(node: TimerNode): void {
    const limit = this.#cur + this.#maxAhead;
    const at = node._expires < limit ? node._expires : limit;
    const ahead = at - this.#cur;
    const unit = this.#unit;
    let level = 0;
    while (level < this.#L - 1 && ahead >= unit[level + 1]) level++;
    const head = this.#slots[level][Math.floor(at / unit[level]) % this.#S];
    linkTail(head, node);
    node._level = level;
    this.#levelCount[level]++;
  }

  #unlink(node: TimerNode): void {
    node._prev._next = node._next;
    node._next._prev = node._prev;
    node._prev = node;
    node._next = node;
    node._slot = null;
    if (node._level >= 0) this.#levelCount[node._level]--;
    this.#count--;
  }

  /**
   * Smallest tick in (cur, limit] at which a level-0 slot holds timers or a
   * non-empty slot of a higher level cascades; Infinity if none. Every tick
   * before it is a no-op, so advance() may jump there directly.
   */
  #nextEventTick(limit: number): number {
    const S = this.#S;
    const cur = this.#cur;
    let best = Infinity;
    if (this.#levelCount[0] > 0) {
      // Level-0 timers are due within S - 1 ticks, so this finds one.
      const level = this.#slots[0];
      const end = Math.min(cur + S, limit);
      for (let t = cur + 1; t <= end; t++) {
        const head = level[t % S];
        if (head._next !== head) {
          best = t;
          break;
        }
      }
    }
    for (let l = 1; l < this.#L; l++) {
      const u = this.#unit[l];
      // Level l cascades at multiples of S^l; its slot q % S at tick q * S^l.
      const q0 = Math.floor(cur / u) + 1;
      let t = q0 * u;
      // Higher levels cascade at multiples of this one's unit, so never sooner.
      if (t >= best || t > limit) break;
      if (this.#levelCount[l] === 0) continue;
      const level = this.#slots[l];
      for (let j = 0; j < S && t < best && t <= limit; j++, t += u) {
        const head = level[(q0 + j) % S];
        if (head._next !== head) {
          best = t;
          break;
        }
      }
    }
    return best;
  }

  /** At tick t, cascade level l's current slot for every level whose lower level wrapped. */
  #cascadeAt(t: number): void {
    for (let l = 1; l < this.#L; l++) {
      const u = this.#unit[l];
      if (t % u !== 0) break;
      const head = this.#slots[l][Math.floor(t / u) % this.#S];
      if (head._next === head) continue;
      const first = head._next;
      const last = head._prev;
      head._next = head;
      head._prev = head;
      // Re-placing a clamped timer may link into this level again (never into
      // this slot), so walk the detached chain up to `last` rather than to a sentinel.
      for (let node = first; ; ) {
        const next = node._next;
        const isLast = node === last;
        this.#levelCount[l]--;
        this.#place(node);
        if (isLast) break;
        node = next;
      }
    }
  }

  /** Moves level 0's slot for tick t to the due list, in insertion order. */
  #collect(t: number): void {
    const head = this.#slots[0][t % this.#S];
    if (head._next === head) return;
    const due = this.#due;
    const first = head._next;
    const last = head._prev;
    head._next = head;
    head._prev = head;
    let lastSeq = due._prev === due ? -1 : due._prev._seq;
    let sorted = true;
    for (let node = first; ; ) {
      const next = node._next;
      const isLast = node === last;
      this.#levelCount[0]--;
      if (node._expires > t) {
        // Only a timer clamped on a one-level wheel gets here: not due yet.
        this.#place(node);
      } else {
        if (node._seq < lastSeq) sorted = false;
        lastSeq = node._seq;
        linkTail(due, node);
        node._level = -1;
      }
      if (isLast) break;
      node = next;
    }
    // Cascaded timers are appended after timers placed directly in the slot
    // later on; restore scheduling order (rare: needs two timers due in the same
    // tick that came there by different routes).
    if (!sorted) this.#sortDue();
  }

  #sortDue(): void {
    const due = this.#due;
    const a = this.#sortScratch;
    for (let n = due._next; n !== due; n = n._next) a.push(n);
    a.sort(bySeq);
    let prev = due;
    for (const n of a) {
      prev._next = n;
      n._prev = prev;
      prev = n;
    }
    prev._next = due;
    due._prev = prev;
    a.length = 0;
  }
}

function linkTail(head: TimerNode, node: TimerNode): void {
  const tail = head._prev;
  node._prev = tail;
  node._next = head;
  tail._next = node;
  head._prev = node;
  node._slot = head;
}
