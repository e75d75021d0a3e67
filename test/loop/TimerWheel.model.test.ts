// TimerWheel against a trivial reference model: a list of (due tick, sequence)
// pairs, fired in sorted order. Random operation sequences -- schedule with
// delays from negative to far beyond the wheel's span (and Infinity),
// re-schedule, cancel, advance by small steps, big jumps and backwards, timers
// that re-arm themselves or cancel others from their callbacks -- on small
// wheels (so cascades and the beyond-span parking happen often), each compared
// with the model after every step. Seeded (printed; MODEL_SEED replays), bounded.
import { describe, expect, it } from 'vitest';
import { TimerNode, TimerWheel } from '../../src/loop/TimerWheel.js';
import { Rng, modelSeed } from '../fuzz/random.js';

interface ModelTimer {
  expires: number; // absolute tick; Infinity = until cancelled
  seq: number;
}

const seed = modelSeed();

function run(rng: Rng, config: { tickMs: number; slotsPerLevel: number; levels: number; now: number }, steps: number): void {
  const wheel = new TimerWheel(config);
  const tick = config.tickMs;
  const span = wheel.maxSpanMs;
  let nowMs = config.now;
  let cur = Math.floor(nowMs / tick);
  let seq = 0;
  const model = new Map<number, ModelTimer>(); // timer id -> due
  const fired: number[] = [];
  // what a timer does when it fires: nothing, re-arm itself, or cancel another
  const actions = new Map<number, { kind: 'none' } | { kind: 'rearm'; delay: number } | { kind: 'cancel'; victim: number }>();
  const nodes: TimerNode[] = [];

  const dueTick = (delay: number): number => {
    if (delay === Infinity) return Infinity;
    let e = Math.ceil((nowMs + (delay > 0 ? delay : 0)) / tick);
    if (!(e > cur)) e = cur + 1;
    return e;
  };
  const arm = (id: number, delay: number): void => {
    wheel.schedule(nodes[id]!, delay);
    model.set(id, { expires: dueTick(delay), seq: ++seq });
  };

  for (let id = 0; id < 24; id++) {
    nodes.push(
      new TimerNode(() => {
        fired.push(id);
        const action = actions.get(id) ?? { kind: 'none' };
        if (action.kind === 'rearm') wheel.schedule(nodes[id]!, action.delay);
        else if (action.kind === 'cancel') wheel.cancel(nodes[action.victim]!);
      }),
    );
  }
  const delays = (): number => {
    switch (rng.int(8)) {
      case 0:
        return -rng.int(50);
      case 1:
        return rng.next() * tick * 2; // fractional, within a couple of ticks
      case 2:
        return rng.int(config.slotsPerLevel * tick * 2);
      case 3:
        return span - tick + rng.int(3 * tick); // around the span's end
      case 4:
        return span * (1 + rng.int(4)) + rng.int(span); // beyond the span: parked and re-placed
      case 5:
        return rng.chance(0.5) ? Infinity : 0;
      default:
        return rng.int(20 * tick);
    }
  };

  for (let step = 0; step < steps; step++) {
    const id = rng.int(nodes.length);
    const op = rng.int(10);
    if (op < 4) {
      const delay = delays();
      const r = rng.int(6);
      actions.set(id, r === 0 ? { kind: 'rearm', delay: tick + rng.int(5 * tick) } : r === 1 ? { kind: 'cancel', victim: rng.int(nodes.length) } : { kind: 'none' });
      arm(id, delay);
    } else if (op < 5) {
      expect(wheel.cancel(nodes[id]!)).toBe(model.delete(id));
    } else {
      // advance: small steps mostly, sometimes a jump over several spans, sometimes backwards (ignored)
      const r = rng.int(10);
      const to = r < 6 ? nowMs + rng.next() * 3 * tick : r < 8 ? nowMs + rng.int(3 * span) : r < 9 ? nowMs - rng.int(5 * tick) : nowMs;
      if (to > nowMs) nowMs = to;
      const target = Math.floor(nowMs / tick);
      // the model: fire everything due by target in (due tick, sequence) order; a callback's
      // cancel removes a later timer of the same advance; a re-arm is due after nowMs
      const expected: number[] = [];
      for (;;) {
        let next: [number, ModelTimer] | undefined;
        for (const entry of model) {
          const [, t] = entry;
          if (t.expires <= target && (next === undefined || t.expires < next[1].expires || (t.expires === next[1].expires && t.seq < next[1].seq))) next = entry;
        }
        if (next === undefined) break;
        const [fid, t] = next;
        cur = t.expires;
        model.delete(fid);
        expected.push(fid);
        const action = actions.get(fid) ?? { kind: 'none' };
        if (action.kind === 'rearm') model.set(fid, { expires: dueTick(action.delay), seq: ++seq });
        else if (action.kind === 'cancel') model.delete(action.victim);
      }
      cur = target;
      fired.length = 0;
      const count = wheel.advance(to);
      if (count !== expected.length || fired.join() !== expected.join()) {
        expect({ step, to, fired, count }).toEqual({ step, to, fired: expected, count: expected.length });
      }
    }
    // after every step: the same set of armed timers, and a wait that never oversleeps
    const wait = wheel.nextTimeoutMs(nowMs);
    let earliest = Infinity;
    for (const t of model.values()) earliest = Math.min(earliest, t.expires);
    const waitOk = model.size === 0 ? wait === -1 : wait >= 0 && (earliest === Infinity || wait <= Math.max(0, earliest * tick - nowMs) + 1e-9);
    const active = nodes.map((n) => n.active).join('');
    const modelActive = nodes.map((_, i) => model.has(i)).join('');
    if (wheel.size !== model.size || active !== modelActive || !waitOk) {
      expect({ step, size: wheel.size, active, wait }).toEqual({ step, size: model.size, active: modelActive, wait: `<= ${earliest * tick - nowMs}` });
    }
  }
}

describe('TimerWheel against a sorted-list model', () => {
  it(`random schedule/cancel/advance sequences agree with the model (seed ${seed})`, () => {
    console.log(`TimerWheel model: seed ${seed} (MODEL_SEED=${seed} reproduces)`);
    const rng = new Rng(seed);
    const configs = [
      { tickMs: 1, slotsPerLevel: 4, levels: 2, now: 0 },
      { tickMs: 10, slotsPerLevel: 8, levels: 3, now: 12_345.6 },
      { tickMs: 10, slotsPerLevel: 256, levels: 4, now: 1.7e12 }, // the defaults, at a Date.now()-like epoch
      { tickMs: 0.5, slotsPerLevel: 2, levels: 5, now: 3 },
    ];
    for (let round = 0; round < 16; round++) run(rng, configs[round % configs.length]!, 300);
  });
});
