// TimerFd: a kernel timer in the epoll set — one-shot, periodic, disarm,
// absolute time, and argument checking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Epoll } from '../../src/poll/Epoll.js';
import { TimerFd } from '../../src/poll/TimerFd.js';
import { EPOLLIN } from '../../src/sys/constants.js';
import { SystemError } from '../../src/sys/SystemError.js';
import { openFdCount } from '../helpers.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

function withTimer(fn: (t: TimerFd, ep: Epoll) => void): void {
  const t = new TimerFd();
  const ep = new Epoll();
  try {
    ep.add(t.fd, EPOLLIN, 1);
    fn(t, ep);
  } finally {
    t.close();
    ep.close();
  }
}

describe('TimerFd', () => {
  it('fires once, not before its time', () => {
    withTimer((t, ep) => {
      const start = performance.now();
      t.set(30);
      const g = t.get();
      expect(g.valueMs).toBeGreaterThan(0);
      expect(g.valueMs).toBeLessThanOrEqual(30);
      expect(g.intervalMs).toBe(0);
      expect(ep.wait(2000)).toBe(1);
      expect(performance.now() - start).toBeGreaterThanOrEqual(29);
      expect(t.read()).toBe(1);
      expect(t.read()).toBe(0);
      expect(ep.wait(50)).toBe(0);
    });
  });

  it('periodic timers count expirations', () => {
    withTimer((t, ep) => {
      t.set(5, 5);
      expect(t.get().intervalMs).toBeCloseTo(5, 3);
      const deadline = performance.now() + 2000;
      let total = 0;
      while (total < 4 && performance.now() < deadline) {
        if (ep.wait(100) > 0) total += t.read();
      }
      expect(total).toBeGreaterThanOrEqual(4);
    });
  });

  it('disarm stops it; fractional milliseconds are accepted', () => {
    withTimer((t, ep) => {
      t.set(20.5);
      t.disarm();
      expect(t.get()).toEqual({ valueMs: 0, intervalMs: 0 });
      expect(ep.wait(60)).toBe(0);
    });
  });

  it('absolute time on the realtime clock', () => {
    const t = new TimerFd({ clock: 'realtime' });
    const ep = new Epoll();
    try {
      ep.add(t.fd, EPOLLIN);
      t.set(Date.now() + 20, 0, true);
      expect(ep.wait(2000)).toBe(1);
      expect(t.read()).toBe(1);
    } finally {
      t.close();
      ep.close();
    }
  });

  it('rejects bad arguments and use after close', () => {
    expect(() => new TimerFd({ clock: 'sundial' as 'monotonic' })).toThrow(TypeError);
    const t = new TimerFd();
    expect(() => t.set(-1)).toThrow(RangeError);
    expect(() => t.set('5' as unknown as number)).toThrow(TypeError);
    t.close();
    t.close();
    expect(() => t.set(5)).toThrow(SystemError);
  });
});
