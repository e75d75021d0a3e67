// TimerWheel: exact firing ticks across level boundaries and beyond the span,
// O(1) cancel/reschedule, callback re-entrancy rules, ordering, long jumps over
// a sparse wheel, and nextTimeoutMs checked against a brute-force model.
import { describe, expect, it } from 'vitest';
import { TimerNode, TimerWheel, type TimerWheelOptions } from '../../src/loop/TimerWheel.js';
import { prng } from '../prng.js';

const TICK = 10;
const S = 256;

describe('TimerWheel firing time', () => {
  it('fires a one-tick timer at the next tick, not before', () => {
    const w = new TimerWheel();
    const seen: number[] = [];
    w.setTimeout(() => seen.push(w.currentTime), 10);
    expect(w.advance(9)).toBe(0);
    expect(seen).toEqual([]);
    expect(w.advance(10)).toBe(1);
    expect(seen).toEqual([10]);
    expect(w.size).toBe(0);
  });

  it('rounds delays up to whole ticks, with a minimum of one tick', () => {
    const w = new TimerWheel({ tickMs: 10 });
    const at: Record<string, number> = {};
    w.setTimeout(() => (at.zero = w.currentTime), 0);
    w.setTimeout(() => (at.negative = w.currentTime), -50);
    w.setTimeout(() => (at.one = w.currentTime), 1);
    w.setTimeout(() => (at.eleven = w.currentTime), 11);
    w.setTimeout(() => (at.twenty = w.currentTime), 20);
    w.advance(1000);
    expect(at).toEqual({ zero: 10, negative: 10, one: 10, eleven: 20, twenty: 20 });
  });

  it('counts delays from the last time given, even mid-tick: never early', () => {
    const w = new TimerWheel({ now: 1005 });
    let firedAt = -1;
    w.setTimeout(() => (firedAt = w.currentTime), 10); // due at 1015 -> tick 102 (1020)
    w.advance(1019);
    expect(firedAt).toBe(-1);
    w.advance(1020);
    expect(firedAt).toBe(1020);
    expect(firedAt).toBeGreaterThanOrEqual(1015);
    expect(firedAt).toBeLessThan(1015 + TICK);
  });

  const boundaryTicks = [
    1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 65536 * 3 + 7, S ** 3 - 1, S ** 3, S ** 3 + 1,
    S ** 3 * 5 + 300, 2 ** 32 - 1,
  ];
  for (const start of [0, 123_456_785]) {
    it(`fires exactly at the due tick across level boundaries (start ${start} ms)`, () => {
      for (const ticks of boundaryTicks) {
        const w = new TimerWheel({ now: start });
        const raw = start + ticks * TICK;
        const dueMs = Math.ceil(raw / TICK) * TICK;
        let firedAt = -1;
        w.setTimeout(() => (firedAt = w.currentTime), ticks * TICK);
        // Walk up to it in uneven steps so cascades happen along the way.
        let now = start;
        for (let i = 1; i <= 5; i++) {
          now = start + Math.floor(((dueMs - 1 - start) * i) / 5);
          expect(w.advance(now)).toBe(0);
        }
        expect(firedAt, `delay ${ticks} ticks fired early`).toBe(-1);
        expect(w.size).toBe(1);
        expect(w.advance(dueMs)).toBe(1);
        expect(firedAt, `delay ${ticks} ticks`).toBe(dueMs);
        expect(firedAt).toBeGreaterThanOrEqual(raw);
        expect(firedAt - raw).toBeLessThan(TICK);
        expect(w.size).toBe(0);
      }
    });
  }

  it('fires every timer on its exact tick when stepped one tick at a time', () => {
    const w = new TimerWheel({ now: 37 });
    const delays = [1, 2, 3, 100, 254, 255, 256, 257, 300, 511, 512, 513, 1000, 4096, 65535, 65536, 65537, 65791,
      65792, 70000, 131072, 131073, 140000];
    const fired = new Map<number, number>();
    const expected = new Map<number, number>();
    const cur0 = Math.floor(37 / TICK);
    for (const d of delays) {
      expected.set(d, Math.ceil((37 + d * TICK) / TICK));
      w.setTimeout(() => {
        expect(fired.has(d)).toBe(false);
        fired.set(d, w.currentTime / TICK);
      }, d * TICK);
    }
    for (let t = cur0 + 1; t <= cur0 + 140_001; t++) w.advance(t * TICK);
    expect(fired).toEqual(expected);
  });

  it('fires timers beyond the top level span on time (clamped and re-cascaded)', () => {
    const w = new TimerWheel();
    expect(w.maxSpanMs).toBe((2 ** 32 - 1) * TICK);
    const far = [2 ** 32, 2 ** 32 + 12_345, 3 * 2 ** 32 + 1];
    const firedAt = new Map<number, number>();
    for (const t of far) w.setTimeout(() => firedAt.set(t, w.currentTime), t * TICK);
    let now = 0;
    for (const t of far) {
      // Walk to just before each in uneven strides, then onto it.
      while (now + 7_777_777_777 < t * TICK) w.advance((now += 7_777_777_777));
      w.advance(t * TICK - 1);
      expect(firedAt.has(t)).toBe(false);
      expect(w.nextTimeoutMs(t * TICK - 1)).toBeLessThanOrEqual(1);
      w.advance((now = t * TICK));
      expect(firedAt.get(t)).toBe(t * TICK);
    }
    expect(w.size).toBe(0);
  });

  for (const opts of [
    { slotsPerLevel: 4, levels: 2, tickMs: 1 },
    { slotsPerLevel: 8, levels: 1, tickMs: 1 },
    { slotsPerLevel: 2, levels: 3, tickMs: 1 },
  ]) {
    it(`small wheel ${JSON.stringify(opts)}: every delay up to far past the span fires on its tick`, () => {
      const w = new TimerWheel(opts);
      const firedAt = new Map<number, number>();
      for (let d = 1; d <= 100; d++) w.setTimeout(() => firedAt.set(d, w.currentTime), d);
      for (let t = 1; t <= 100; t++) {
        w.advance(t);
        expect(firedAt.get(t), `delay ${t}`).toBe(t);
        expect(w.size).toBe(100 - t);
      }
    });
  }
});

describe('TimerWheel cancel and reschedule', () => {
  it('cancelled timers never fire; cancel reports whether the node was armed', () => {
    const w = new TimerWheel();
    let fired = 0;
    const nodes = [1, 300, 70_000, 20_000_000].map((t) => w.setTimeout(() => fired++, t * TICK));
    expect(w.size).toBe(4);
    for (const n of nodes) {
      expect(n.active).toBe(true);
      expect(w.cancel(n)).toBe(true);
      expect(n.active).toBe(false);
      expect(w.cancel(n)).toBe(false);
    }
    expect(w.size).toBe(0);
    expect(w.advance(30_000_000 * TICK)).toBe(0);
    expect(fired).toBe(0);
    expect(w.cancel(new TimerNode(() => {}))).toBe(false);
  });

  it('cancels one timer among others in the same slot', () => {
    const w = new TimerWheel();
    const order: string[] = [];
    const a = w.setTimeout(() => order.push('a'), 50);
    const b = w.setTimeout(() => order.push('b'), 50);
    w.setTimeout(() => order.push('c'), 50);
    expect(w.cancel(b)).toBe(true);
    expect(w.cancel(a)).toBe(true);
    w.advance(50);
    expect(order).toEqual(['c']);
  });

  it('rescheduling an armed node moves it (earlier and later), it fires once', () => {
    const w = new TimerWheel();
    const times: number[] = [];
    const n = w.setTimeout(() => times.push(w.currentTime), 3000);
    w.schedule(n, 500);
    expect(w.size).toBe(1);
    w.advance(400);
    w.schedule(n, 600_000); // from 400: due 600_400, level 2
    expect(w.size).toBe(1);
    w.advance(600_399);
    expect(times).toEqual([]);
    w.advance(1_000_000);
    expect(times).toEqual([600_400]);
    expect(w.size).toBe(0);
  });

  it('a node is reusable after it fired or was cancelled (idle-timeout pattern)', () => {
    const w = new TimerWheel();
    let fires = 0;
    const idle = new TimerNode(() => fires++);
    idle.data = 'conn#7';
    w.schedule(idle, 100);
    w.advance(100);
    expect(fires).toBe(1);
    expect(idle.active).toBe(false);
    w.schedule(idle, 100);
    expect(idle.active).toBe(true);
    // Activity keeps pushing the deadline back: it never fires while active.
    for (let now = 150; now <= 1000; now += 50) {
      w.advance(now);
      w.schedule(idle, 100);
    }
    expect(fires).toBe(1);
    w.cancel(idle);
    w.schedule(idle, 100);
    w.advance(1100);
    expect(fires).toBe(2);
    expect(idle.data).toBe('conn#7');
  });

  it('refuses a node armed in another wheel', () => {
    const w1 = new TimerWheel();
    const w2 = new TimerWheel();
    const n = w1.setTimeout(() => {}, 100);
    expect(() => w2.schedule(n, 100)).toThrow(Error);
    expect(w2.cancel(n)).toBe(false);
    expect(n.active).toBe(true);
    expect(w1.cancel(n)).toBe(true);
    w2.schedule(n, 100);
    expect(w2.size).toBe(1);
    expect(w1.size).toBe(0);
  });

  it('keeps size exact through schedule, reschedule, cancel and firing', () => {
    const w = new TimerWheel();
    const sizes: number[] = [];
    const a = w.setTimeout(() => sizes.push(w.size), 10);
    const b = w.setTimeout(() => sizes.push(w.size), 10);
    const c = w.setTimeout(() => sizes.push(w.size), 5000);
    expect(w.size).toBe(3);
    w.schedule(c, 10);
    expect(w.size).toBe(3);
    w.cancel(a);
    expect(w.size).toBe(2);
    expect(w.advance(10)).toBe(2);
    // Each callback runs with its own node already removed.
    expect(sizes).toEqual([1, 0]);
    expect(w.size).toBe(0);
    expect(b.active || c.active).toBe(false);
  });
});

describe('TimerWheel callbacks', () => {
  it('a callback may cancel, reschedule and add timers due in the same tick', () => {
    const w = new TimerWheel();
    const log: string[] = [];
    const nodes: Record<string, TimerNode> = {};
    nodes.a = w.setTimeout(() => {
      log.push(`a@${w.currentTime}`);
      expect(w.cancel(nodes.b!)).toBe(true); // due this tick, not yet called
      w.schedule(nodes.c!, 30); // also due this tick: moved away
      nodes.d = w.setTimeout(() => log.push(`d@${w.currentTime}`), 0); // next tick, not this batch
      expect(w.cancel(nodes.a!)).toBe(false); // itself: already unlinked
    }, 100);
    nodes.b = w.setTimeout(() => log.push('b'), 100);
    nodes.c = w.setTimeout(() => log.push(`c@${w.currentTime}`), 100);
    nodes.e = w.setTimeout(() => log.push(`e@${w.currentTime}`), 100);
    expect(w.advance(100)).toBe(2);
    expect(log).toEqual(['a@100', 'e@100']);
    expect(w.size).toBe(2);
    expect(w.advance(200)).toBe(2);
    expect(log).toEqual(['a@100', 'e@100', 'd@110', 'c@130']);
  });

  it('a timer re-arming itself fires once per period, never twice in one tick', () => {
    const w = new TimerWheel();
    const at: number[] = [];
    const tick = new TimerNode((n) => {
      at.push(w.currentTime);
      w.schedule(n, 50);
    });
    w.schedule(tick, 50);
    for (let now = 0; now <= 500; now += TICK) w.advance(now);
    expect(at).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    expect(tick.active).toBe(true);
  });

  it('a re-arming timer fires once over a long jump (delays count from the new now)', () => {
    const w = new TimerWheel();
    let count = 0;
    const n = new TimerNode((self) => {
      count++;
      w.schedule(self, 10);
    });
    w.schedule(n, 10);
    expect(w.advance(3_600_000)).toBe(1);
    expect(count).toBe(1);
    w.advance(3_600_010);
    expect(count).toBe(2);
  });

  it('advance() from a callback is refused', () => {
    const w = new TimerWheel();
    let err: unknown;
    w.setTimeout(() => {
      try {
        w.advance(1000);
      } catch (e) {
        err = e;
      }
    }, 10);
    w.advance(10);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/callback/);
  });

  it('a throwing callback leaves the rest of its tick queued for the next advance', () => {
    const w = new TimerWheel();
    const log: string[] = [];
    w.setTimeout(() => {
      log.push('boom');
      throw new Error('boom');
    }, 10);
    w.setTimeout(() => log.push(`x@${w.currentTime}`), 10);
    w.setTimeout(() => log.push(`y@${w.currentTime}`), 20);
    expect(() => w.advance(50)).toThrow('boom');
    expect(log).toEqual(['boom']);
    expect(w.size).toBe(2);
    expect(w.nextTimeoutMs(50)).toBe(0);
    expect(w.advance(50)).toBe(2);
    expect(log).toEqual(['boom', 'x@10', 'y@20']);
  });
});

describe('TimerWheel ordering', () => {
  it('fires in due order within one advance, whatever the scheduling order', () => {
    const w = new TimerWheel();
    const delays = [5000, 10, 700_000, 2560, 2570, 90, 655_360, 30, 2550];
    const order: number[] = [];
    for (const d of delays) w.setTimeout(() => order.push(d), d);
    expect(w.advance(1_000_000)).toBe(delays.length);
    expect(order).toEqual([...delays].sort((a, b) => a - b));
  });

  it('same-tick timers fire in scheduling order, even when some came by cascade', () => {
    const w = new TimerWheel();
    const order: string[] = [];
    w.setTimeout(() => order.push('A'), 3000); // tick 300, on level 1
    w.setTimeout(() => order.push('B'), 3000); // tick 300, on level 1
    w.advance(1000); // tick 100
    w.setTimeout(() => order.push('C'), 2000); // tick 300, straight onto level 0
    const d = w.setTimeout(() => order.push('D'), 9999);
    w.schedule(d, 2000); // rescheduled: counts as scheduled now
    w.advance(2559);
    w.setTimeout(() => order.push('E'), 441); // tick 300 after the cascade at 256
    w.advance(3000);
    expect(order).toEqual(['A', 'B', 'C', 'D', 'E']);
  });
});

describe('TimerWheel long jumps', () => {
  it('jumps 10 hours over 3 timers quickly and fires each at its own tick', () => {
    const w = new TimerWheel();
    const seen: Array<[string, number]> = [];
    w.setTimeout(() => seen.push(['1s', w.currentTime]), 1000);
    w.setTimeout(() => seen.push(['1h', w.currentTime]), 3_600_000);
    w.setTimeout(() => seen.push(['9h', w.currentTime]), 9 * 3_600_000 + 5);
    const t0 = performance.now();
    expect(w.advance(10 * 3_600_000)).toBe(3);
    const elapsed = performance.now() - t0;
    expect(seen).toEqual([
      ['1s', 1000],
      ['1h', 3_600_000],
      ['9h', 9 * 3_600_000 + 10],
    ]);
    expect(w.currentTime).toBe(10 * 3_600_000);
    expect(elapsed).toBeLessThan(1000);
  });

  it('jumps any distance at once when empty', () => {
    const w = new TimerWheel({ now: 1_700_000_000_000 });
    const t0 = performance.now();
    expect(w.advance(1_700_000_000_000 + 100 * 365 * 86_400_000)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(w.currentTime).toBe(1_700_000_000_000 + 100 * 365 * 86_400_000);
    // And keeps working from there with Date.now()-sized tick numbers (> 2^32).
    let at = -1;
    w.setTimeout(() => (at = w.currentTime), 70_000);
    w.advance(w.currentTime + 70_000);
    expect(at).toBe(1_700_000_000_000 + 100 * 365 * 86_400_000 + 70_000);
  });

  it('a jump over many timers fires them all in order', () => {
    const w = new TimerWheel();
    const rnd = prng(99);
    const due: number[] = [];
    const seen: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const d = Math.floor(rnd() * 86_400_000);
      due.push(Math.max(1, Math.ceil(d / TICK)) * TICK);
      w.setTimeout(() => seen.push(w.currentTime), d);
    }
    const t0 = performance.now();
    expect(w.advance(10 * 86_400_000)).toBe(5000);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(seen).toEqual(due.sort((a, b) => a - b));
  });

  it('ignores time going backwards', () => {
    const w = new TimerWheel();
    let fired = 0;
    w.advance(500);
    w.setTimeout(() => fired++, 100);
    expect(w.advance(100)).toBe(0);
    expect(w.currentTime).toBe(500);
    expect(w.advance(599)).toBe(0);
    expect(w.advance(600)).toBe(1);
    expect(fired).toBe(1);
  });

  it('an Infinity delay never fires and can be cancelled', () => {
    const w = new TimerWheel({ slotsPerLevel: 4, levels: 2 });
    let fired = 0;
    const n = w.setTimeout(() => fired++, Infinity);
    for (let now = 0; now < 100_000; now += 997) w.advance(now);
    expect(fired).toBe(0);
    expect(n.active).toBe(true);
    expect(w.cancel(n)).toBe(true);
    expect(w.size).toBe(0);
  });
});

describe('TimerWheel nextTimeoutMs', () => {
  it('is -1 when empty and points at the first due tick on level 0', () => {
    const w = new TimerWheel({ now: 1003 });
    expect(w.nextTimeoutMs(1003)).toBe(-1);
    w.setTimeout(() => {}, 50); // due 1053 -> tick 106
    expect(w.nextTimeoutMs(1003)).toBe(57);
    expect(w.nextTimeoutMs(1050)).toBe(10);
    expect(w.nextTimeoutMs(2000)).toBe(0);
    w.advance(1060);
    expect(w.nextTimeoutMs(1060)).toBe(-1);
  });

  it('wakes for a cascade before a level-1 timer, never after its due time', () => {
    const w = new TimerWheel();
    w.setTimeout(() => {}, 3000); // tick 300, cascades at tick 256
    expect(w.nextTimeoutMs(0)).toBe(2560);
    expect(w.advance(2560)).toBe(0);
    expect(w.nextTimeoutMs(2560)).toBe(440);
    expect(w.advance(3000)).toBe(1);
  });

  it('validates its arguments', () => {
    expect(() => new TimerWheel({ tickMs: 0 })).toThrow(RangeError);
    expect(() => new TimerWheel({ slotsPerLevel: 100 })).toThrow(RangeError);
    expect(() => new TimerWheel({ levels: 0 })).toThrow(RangeError);
    expect(() => new TimerWheel({ levels: 8 })).toThrow(RangeError); // 256^8 ticks: beyond exact doubles
    expect(() => new TimerWheel({ now: NaN })).toThrow(RangeError);
    const w = new TimerWheel();
    expect(() => w.schedule(new TimerNode(() => {}), NaN)).toThrow(TypeError);
    expect(() => w.advance(Infinity)).toThrow(RangeError);
    expect(w.tickMs).toBe(10);
  });
});

interface Armed {
  rawDue: number; // the caller's now + delay
  dueMs: number; // documented due time: rounded up to a tick, at least one tick after the current one
  seq: number;
}

/**
 * Brute-force model check: random schedules/cancels/reschedules (also from
 * inside callbacks); the clock moves to nextTimeoutMs (sometimes a bit further,
 * sometimes far). Every timer must fire exactly at its due tick, never before
 * its delay and at most one tick after, in order, and nextTimeoutMs must never
 * point past the earliest due time.
 */
function modelRun(opts: TimerWheelOptions, seed: number, steps: number): { fired: number; wakeups: number } {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const w = new TimerWheel(opts);
  const tick = w.tickMs;
  const span = w.maxSpanMs;
  const model = new Map<TimerNode, Armed>();
  const pool: TimerNode[] = [];
  let wheelNow = opts.now ?? 0;
  let seq = 0;
  let fired = 0;
  let wakeups = 0;
  let last: { t: number; seq: number } | null = null;

  const delay = (): number => {
    const k = int(10);
    const frac = int(2) === 0 ? 0 : 0.5;
    if (k < 3) return int(4) * tick + frac;
    if (k < 6) return int((opts.slotsPerLevel ?? 256) * 2) * tick + frac;
    if (k < 9) return int(span * 1.1) + frac;
    return span + int(span * 2);
  };
  const arm = (node: TimerNode, d: number): void => {
    w.schedule(node, d);
    const curTick = Math.round(w.currentTime / tick);
    const rawDue = wheelNow + d;
    const dueTick = Math.max(curTick + 1, Math.ceil((wheelNow + Math.max(0, d)) / tick));
    model.set(node, { rawDue, dueMs: dueTick * tick, seq: ++seq });
  };
  const randomArmed = (): TimerNode | undefined => {
    if (model.size === 0) return undefined;
    let i = int(model.size);
    for (const n of model.keys()) if (i-- === 0) return n;
    return undefined;
  };
  const mutate = (): void => {
    const k = int(6);
    if (k < 3) {
      const node = pool.find((n) => !n.active) ?? newNode();
      arm(node, delay());
    } else if (k < 5) {
      const n = randomArmed();
      if (n) {
        expect(w.cancel(n)).toBe(true);
        model.delete(n);
        expect(w.cancel(n)).toBe(false);
      }
    } else {
      const n = randomArmed();
      if (n) arm(n, delay());
    }
  };
  const onFire = (node: TimerNode): void => {
    const m = model.get(node);
    expect(m, 'fired a timer that is not armed').toBeDefined();
    model.delete(node);
    const t = w.currentTime;
    expect(node.active).toBe(false);
    expect(t).toBe(m!.dueMs);
    expect(t).toBeGreaterThanOrEqual(m!.rawDue);
    expect(t).toBeLessThanOrEqual(m!.rawDue + tick);
    expect(wheelNow).toBeGreaterThanOrEqual(m!.rawDue);
    if (last !== null) {
      if (last.t === t) expect(m!.seq).toBeGreaterThan(last.seq);
      else expect(t).toBeGreaterThan(last.t);
    }
    last = { t, seq: m!.seq };
    fired++;
    if (int(4) === 0) mutate();
    if (int(6) === 0) arm(node, delay()); // re-arm itself
  };
  const newNode = (): TimerNode => {
    const n = new TimerNode(onFire);
    pool.push(n);
    return n;
  };

  const step = (target: number): void => {
    last = null;
    if (target > wheelNow) wheelNow = target;
    w.advance(target);
    wakeups++;
    expect(w.size).toBe(model.size);
    for (const m of model.values()) expect(m.dueMs).toBeGreaterThan(wheelNow);
  };
  const checkTimeout = (): number => {
    const wait = w.nextTimeoutMs(wheelNow);
    if (model.size === 0) {
      expect(wait).toBe(-1);
      return wait;
    }
    expect(wait).toBeGreaterThanOrEqual(0);
    let earliest = Infinity;
    for (const m of model.values()) earliest = Math.min(earliest, m.dueMs);
    expect(wheelNow + wait).toBeLessThanOrEqual(earliest);
    return wait;
  };

  for (let i = 0; i < steps; i++) {
    for (let k = int(4); k > 0; k--) mutate();
    const wait = checkTimeout();
    const r = int(10);
    if (wait < 0 || r === 0) step(wheelNow + int(span * 2)); // far jump
    else if (r < 7) step(wheelNow + wait);
    else step(wheelNow + wait + int(2 * tick) + (int(2) === 0 ? 0.5 : 0));
  }
  // Drain by following nextTimeoutMs only: everything must fire.
  let guard = 0;
  for (let wait = checkTimeout(); wait >= 0; wait = checkTimeout()) {
    step(wheelNow + wait);
    expect(++guard).toBeLessThan(100_000);
  }
  expect(w.size).toBe(0);
  return { fired, wakeups };
}

describe('TimerWheel against a brute-force model', () => {
  const configs: Array<[string, TimerWheelOptions]> = [
    ['default', {}],
    ['8 slots x 3 levels, 5 ms', { slotsPerLevel: 8, levels: 3, tickMs: 5 }],
    ['4 slots x 1 level, 1 ms', { slotsPerLevel: 4, levels: 1, tickMs: 1 }],
    ['2 slots x 4 levels, 3 ms, odd start', { slotsPerLevel: 2, levels: 4, tickMs: 3, now: 1000.5 }],
    ['16 slots x 2 levels, Date.now()-sized start', { slotsPerLevel: 16, levels: 2, now: 1_700_000_000_123 }],
  ];
  for (const [name, opts] of configs) {
    for (const seed of [1, 2, 3]) {
      it(`${name}, seed ${seed}`, () => {
        const { fired, wakeups } = modelRun(opts, seed, 1500);
        expect(fired).toBeGreaterThan(500);
        expect(wakeups).toBeGreaterThanOrEqual(1500);
      });
    }
  }
});
