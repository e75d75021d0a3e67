// Loop timer arguments: a delay that is not a number is rejected up front with
// a TypeError naming the argument (no '5' + 3 = '53' arithmetic before a check).
import { describe, expect, it } from 'vitest';
import { EventLoop } from '../../src/loop/EventLoop.js';
import { TimerNode } from '../../src/loop/TimerWheel.js';
import { kWheel } from '../../src/loop/symbols.js';

describe('EventLoop timer arguments', () => {
  it('setTimeout and schedule reject a delay that is not a number, naming it', () => {
    const loop = new EventLoop();
    try {
      for (const bad of ['5', 5n, null, undefined, {}, [5]]) {
        let err: unknown;
        try {
          loop.setTimeout(() => {}, bad as never);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TypeError);
        expect((err as Error).message).toMatch(/"delayMs" argument must be of type number/);
        expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
      }
      expect(() => loop.schedule(new TimerNode(() => {}), '5' as never)).toThrow(/"delayMs"/);
      expect(() => loop.setTimeout(() => {}, NaN)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
      // nothing half-armed by the rejected calls; numbers still work
      expect(loop[kWheel].size).toBe(0);
      loop.setTimeout(() => {}, 5);
      expect(loop[kWheel].size).toBe(1);
    } finally {
      loop.close();
    }
  });
});
