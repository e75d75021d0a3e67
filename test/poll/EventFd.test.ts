// EventFd and Waker: counter semantics, semaphore mode, readiness through epoll,
// wake coalescing, and clean close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Epoll } from '../../src/poll/Epoll.js';
import { EventFd, Waker } from '../../src/poll/EventFd.js';
import { EPOLLIN } from '../../src/sys/constants.js';
import { SystemError } from '../../src/sys/SystemError.js';
import { O_CLOEXEC, fdFlags, openFdCount } from '../helpers.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

describe('EventFd', () => {
  it('adds writes and returns the whole counter on read', () => {
    const e = new EventFd({ initval: 2 });
    try {
      expect(fdFlags(e.fd) & O_CLOEXEC).toBe(O_CLOEXEC);
      expect(e.write(3)).toBe(true);
      expect(e.write()).toBe(true);
      expect(e.read()).toBe(6);
      expect(e.read()).toBe(0); // non-blocking and empty
      expect(e.write(2 ** 40)).toBe(true);
      expect(e.read()).toBe(2 ** 40);
    } finally {
      e.close();
    }
  });

  it('semaphore mode hands out one at a time', () => {
    const e = new EventFd({ semaphore: true });
    try {
      e.write(3);
      expect([e.read(), e.read(), e.read(), e.read()]).toEqual([1, 1, 1, 0]);
    } finally {
      e.close();
    }
  });

  it('is readable through epoll while the counter is non-zero', () => {
    const ep = new Epoll();
    const e = new EventFd();
    try {
      ep.add(e.fd, EPOLLIN, 9);
      expect(ep.wait(0)).toBe(0);
      e.write(1);
      expect(ep.wait(1000)).toBe(1);
      expect(ep.tokenAt(0)).toBe(9);
      e.read();
      expect(ep.wait(0)).toBe(0);
    } finally {
      e.close();
      ep.close();
    }
  });

  it('rejects bad arguments and use after close', () => {
    expect(() => new EventFd({ initval: -1 })).toThrow(RangeError);
    expect(() => new EventFd({ initval: 1.5 })).toThrow(RangeError);
    const e = new EventFd();
    expect(() => e.write(0.5)).toThrow(RangeError);
    expect(() => e.write('1' as unknown as number)).toThrow(TypeError);
    e.close();
    e.close();
    expect(e.closed).toBe(true);
    expect(() => e.fd).toThrow(SystemError);
    expect(() => e.read()).toThrow(SystemError);
  });
});

describe('Waker', () => {
  it('coalesces many wakes into one readiness and drains it', () => {
    const ep = new Epoll();
    const w = new Waker();
    try {
      ep.add(w.fd, EPOLLIN);
      for (let i = 0; i < 100; i++) w.wake();
      Waker.signal(w.fd);
      expect(ep.wait(1000)).toBe(1);
      w.drain();
      expect(ep.wait(0)).toBe(0);
    } finally {
      w.close();
      ep.close();
    }
  });

  it('signal() on a closed fd is a SystemError, not a crash', () => {
    const w = new Waker();
    const fd = w.fd;
    w.close();
    expect(() => Waker.signal(fd)).toThrow(SystemError);
  });
});
