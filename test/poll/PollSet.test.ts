// poll(2): PollSet in place, and the allocating poll() convenience.
import { describe, expect, it } from 'vitest';
import { PollSet, poll } from '../../src/poll/PollSet.js';
import { POLLIN, POLLOUT, POLLNVAL } from '../../src/sys/constants.js';
import { native } from '../../src/sys/addon.js';
import { fifoPair, tcpPair, trackedFds, writeAll } from '../helpers.js';

const fds = trackedFds();

describe('PollSet', () => {
  it('reports readiness per index and grows past its capacity', () => {
    const set = new PollSet(1);
    const pairs = [tcpPair(fds), tcpPair(fds), tcpPair(fds)];
    for (const [a] of pairs) set.add(a, POLLIN);
    expect(set.size).toBe(3);
    expect(set.poll(0)).toBe(0);
    writeAll(pairs[1]![1], 'x');
    expect(set.poll(1000)).toBe(1);
    expect(set.reventsAt(0)).toBe(0);
    expect(set.reventsAt(1)).toBe(POLLIN);
    expect(set.fdAt(1)).toBe(pairs[1]![0]);
  });

  it('removeAt moves the last entry in; setEvents changes interest', () => {
    const set = new PollSet();
    const [a] = tcpPair(fds);
    const [b] = tcpPair(fds);
    set.add(a, POLLIN);
    set.add(b, POLLIN);
    set.removeAt(0);
    expect(set.size).toBe(1);
    expect(set.fdAt(0)).toBe(b);
    set.setEvents(0, POLLOUT);
    expect(set.poll(1000)).toBe(1);
    expect(set.reventsAt(0)).toBe(POLLOUT);
    expect(() => set.fdAt(1)).toThrow(RangeError);
  });

  it('setEvents checks its mask like add() does (no truncation to 0, no -1 as every event)', () => {
    const set = new PollSet();
    const [a] = tcpPair(fds);
    const i = set.add(a, POLLIN);
    for (const bad of ['garbage', -1, 0x10000, 1.5, NaN, null]) {
      expect(() => set.add(a, bad as never)).toThrow();
      expect(() => set.setEvents(i, bad as never)).toThrow(typeof bad === 'number' ? RangeError : TypeError);
    }
    expect(() => set.setEvents(i, 'garbage' as never)).toThrow(/"events"/);
    expect(set.size).toBe(1);
    expect(set.poll(0)).toBe(0); // still POLLIN only: nothing readable, and no POLLOUT slipped in
    set.setEvents(i, POLLOUT);
    expect(set.poll(0)).toBe(1);
  });

  it('POLLNVAL for a closed fd', () => {
    const [a] = tcpPair(fds);
    native.close(a);
    fds.forget(a);
    const set = new PollSet();
    set.add(a, POLLIN);
    expect(set.poll(0)).toBe(1);
    expect(set.reventsAt(0)).toBe(POLLNVAL);
  });
});

describe('poll()', () => {
  it('returns [fd, revents] for ready fds only, on pipes', () => {
    const [r, w] = fifoPair(fds);
    expect(poll([[r, POLLIN]], 0)).toEqual([]);
    writeAll(w, 'x');
    expect(poll([[r, POLLIN], [w, POLLOUT]], 1000)).toEqual([[r, POLLIN], [w, POLLOUT]]);
  });

  it('honours a positive timeout', () => {
    const [a] = tcpPair(fds);
    const t = performance.now();
    expect(poll([[a, POLLIN]], 30)).toEqual([]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(29.5);
  });
});
