// The resp-server's data: keys to values, binary-safe (args.ts: latin1 strings, one char per
// byte, while short; a long value is a Buffer, a long key its hash) and, beside them, the keys that have a time to live (Redis keeps the
// same two dictionaries: `dict` and `expires`).
//
// Expiry, both ways Redis does it: lazily, a read of an expired key deletes it and answers
// as if it were absent; actively, each key with a TTL has a timer on the loop's timing wheel
// that deletes it when due, so keys nobody reads again do not stay in memory. Times are
// wall-clock milliseconds (Date.now(), as TTL/PTTL report them); the wheel may fire up to a
// tick late, which the lazy check hides.
//
// Threading: one Keyspace per EventLoop, touched only from that loop's thread.
import { TimerNode, type EventLoop } from '../../src/index.js';
import type { Value } from './args.js';

/** Longest wait armed on the wheel: a later deadline (EXPIRE allows ~292 million years) re-arms when it fires. */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;

/** A key's deadline and the wheel timer that enforces it. */
class Expiry {
  at: number;
  readonly key: string;
  readonly node: TimerNode;
  readonly space: Keyspace;
  constructor(space: Keyspace, key: string, at: number) {
    this.space = space;
    this.key = key;
    this.at = at;
    this.node = new TimerNode(onExpiryTimer);
    this.node.data = this;
  }
}

function onExpiryTimer(node: TimerNode): void {
  (node.data as Expiry).space.expireDue(node.data as Expiry);
}

/** Keys to values with per-key deadlines. */
export class Keyspace {
  readonly #loop: EventLoop;
  readonly #values = new Map<string, Value>();
  readonly #expires = new Map<string, Expiry>();
  /** Keys removed because their time ran out (lazily or by their timer). */
  expiredKeys = 0;

  constructor(loop: EventLoop) {
    this.#loop = loop;
  }

  /** Number of keys (like DBSIZE, it may count keys that expired but were not yet removed). */
  get size(): number {
    return this.#values.size;
  }

  /** The value, or undefined if absent or expired (an expired key is deleted now). */
  get(key: string): Value | undefined {
    if (this.#expires.size !== 0 && this.#expired(key)) return undefined;
    return this.#values.get(key);
  }

  /** True if the key exists and has not expired. */
  has(key: string): boolean {
    if (this.#expires.size !== 0 && this.#expired(key)) return false;
    return this.#values.has(key);
  }

  /** Sets a value; drops the key's TTL unless keepTtl (as SET without KEEPTTL does). */
  set(key: string, value: Value, keepTtl = false): void {
    this.#values.set(key, value);
    if (!keepTtl && this.#expires.size !== 0) this.#clearExpiry(key);
  }

  /** Deletes a key; false if it did not exist (or had expired). */
  delete(key: string): boolean {
    if (this.#expires.size !== 0 && this.#expired(key)) return false;
    if (!this.#values.delete(key)) return false;
    if (this.#expires.size !== 0) this.#clearExpiry(key);
    return true;
  }

  /** Gives an existing key a deadline (wall-clock ms); a deadline already past deletes it. */
  expireAt(key: string, at: number): void {
    if (at <= Date.now()) {
      this.delete(key);
      return;
    }
    let e = this.#expires.get(key);
    if (e === undefined) {
      e = new Expiry(this, key, at);
      this.#expires.set(key, e);
    } else e.at = at;
    this.#loop.schedule(e.node, Math.min(at - Date.now(), MAX_TIMER_MS));
  }

  /** Removes a key's deadline (PERSIST); false if it had none. */
  persist(key: string): boolean {
    return this.#clearExpiry(key);
  }

  /** Milliseconds left: -2 if the key does not exist, -1 if it has no deadline. */
  pttl(key: string): number {
    if (!this.has(key)) return -2;
    const e = this.#expires.get(key);
    return e === undefined ? -1 : Math.max(0, e.at - Date.now());
  }

  /** Deletes everything (FLUSHALL). */
  flush(): void {
    for (const e of this.#expires.values()) this.#loop.cancel(e.node);
    this.#expires.clear();
    this.#values.clear();
  }

  /** @internal A key's wheel timer fired: delete it if its deadline has passed, else re-arm. */
  expireDue(e: Expiry): void {
    if (this.#expires.get(e.key) !== e) return;
    const left = e.at - Date.now();
    if (left > 0) {
      this.#loop.schedule(e.node, Math.min(left, MAX_TIMER_MS));
      return;
    }
    this.#expires.delete(e.key);
    this.#values.delete(e.key);
    this.expiredKeys++;
  }

  #expired(key: string): boolean {
    const e = this.#expires.get(key);
    if (e === undefined || e.at > Date.now()) return false;
    this.#loop.cancel(e.node);
    this.#expires.delete(key);
    this.#values.delete(key);
    this.expiredKeys++;
    return true;
  }

  #clearExpiry(key: string): boolean {
    const e = this.#expires.get(key);
    if (e === undefined) return false;
    this.#loop.cancel(e.node);
    this.#expires.delete(key);
    return true;
  }
}
