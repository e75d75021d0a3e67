// Ring: the raw io_uring binding on real sockets and eventfds -- every operation the reactor
// needs (multishot accept, multishot recv with provided buffers, send, close, cancel, timeout,
// a wake-up from another thread), completions in the reused typed array, the integrated driver,
// argument checks, and the coded error where io_uring is unavailable.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { UringUnavailableError } from '../../src/errors.js';
import { EventFd } from '../../src/poll/EventFd.js';
import { IORING_FEAT_EXT_ARG, IORING_SETUP_COOP_TASKRUN, IORING_SETUP_SINGLE_ISSUER, Ring } from '../../src/poll/Ring.js';
import { listen, localAddress } from '../../src/net/socket.js';
import { SocketAddress } from '../../src/net/SocketAddress.js';
import { native, resolveAddon } from '../../src/sys/addon.js';
import { EBADF, EINPROGRESS, ENOBUFS, POLLIN, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM } from '../../src/sys/constants.js';
import { SystemError } from '../../src/sys/SystemError.js';
import { openFdCount, readSome, tcpPair, trackedFds, until, writeAll } from '../helpers.js';

const fds = trackedFds();
const ETIME = native.constants['ETIME']!;
const ECANCELED = native.constants['ECANCELED']!;
const rings: Ring[] = [];
afterEach(() => {
  for (const r of rings.splice(0)) r.close();
});

function ring(options?: ConstructorParameters<typeof Ring>[0]): Ring {
  const r = new Ring(options);
  rings.push(r);
  return r;
}

/** The completions of the last submitAndWait as objects, for assertions. */
function cqes(r: Ring, n: number): Array<{ ud: number; res: number; more: boolean; bid: number }> {
  const out = [];
  for (let i = 0; i < n; i++) out.push({ ud: r.userDataAt(i), res: r.resAt(i), more: r.moreAt(i), bid: r.bufferIdAt(i) });
  return out;
}

/** Wait until `count` completions arrived (or 5 s passed); returns them. */
function collect(r: Ring, count: number): ReturnType<typeof cqes> {
  const got: ReturnType<typeof cqes> = [];
  const deadline = Date.now() + 5000;
  while (got.length < count && Date.now() < deadline) got.push(...cqes(r, r.submitAndWait(1, 100)));
  return got;
}

describe('Ring setup and the turn', () => {
  it('sets up a ring with flags, reports its sizes and features, and closes its fd once', () => {
    const before = openFdCount();
    const r = new Ring({ entries: 64, flags: IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN });
    expect(openFdCount()).toBe(before + 1);
    expect(r.sqEntries).toBe(64);
    expect(r.cqEntries).toBe(512);
    expect(r.features & IORING_FEAT_EXT_ARG).not.toBe(0);
    expect(r.completions).toBeInstanceOf(Int32Array);
    expect(r.completions.length).toBe(r.maxCompletions * 4);
    r.close();
    r.close();
    expect(r.closed).toBe(true);
    expect(openFdCount()).toBe(before);
    expect(() => r.fd).toThrow(SystemError);
    expect(() => r.nop(1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('returns a completion per operation, with 53-bit userData, in the reused array', () => {
    const r = ring();
    const array = r.completions;
    r.nop(1);
    r.nop(2 ** 53 - 1);
    r.nop(0x1_0000_0007);
    const got = collect(r, 3);
    expect(got.map((c) => c.ud).sort((a, b) => a - b)).toEqual([1, 0x1_0000_0007, 2 ** 53 - 1]);
    expect(got.every((c) => c.res === 0 && !c.more && c.bid === -1)).toBe(true);
    expect(r.completions).toBe(array);
  });

  it('submitAndWait(0) with nothing queued returns 0 at once; a timeout bounds the wait', () => {
    const r = ring();
    expect(r.submitAndWait(0, 0)).toBe(0);
    const t = performance.now();
    expect(r.submitAndWait(1, 30)).toBe(0);
    expect(performance.now() - t).toBeGreaterThanOrEqual(25);
  });

  it('a full SQ is submitted by the next prep (which reports the extra syscall)', () => {
    const r = ring({ entries: 4 });
    expect(r.enters).toBe(0);
    const flushed = [0, 1, 2, 3, 4].map((i) => r.nop(i));
    expect(flushed).toEqual([0, 0, 0, 0, 1]);
    expect(r.enters).toBe(1); // the flush
    expect(r.submitAndWait(5, 1000)).toBe(5); // one enter submits the fifth and collects all
    expect(r.enters).toBe(2);
    expect(cqes(r, 5).map((c) => c.ud).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('a timeout completes with -ETIME after its delay', () => {
    const r = ring();
    const t = performance.now();
    r.timeout(20, 9);
    const got = collect(r, 1);
    expect(got).toEqual([{ ud: 9, res: -ETIME, more: false, bid: -1 }]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(15);
  });
});

describe('Ring on sockets', () => {
  it('multishot accept: one completion per connection, the request stays armed', () => {
    const r = ring();
    const lfd = fds.add(listen(SocketAddress.ipv4('127.0.0.1', 0)));
    const addr = localAddress(lfd);
    r.acceptMultishot(lfd, 77);
    r.submitAndWait(0);
    const clients = [0, 1, 2].map(() => {
      const c = fds.add(native.socket(addr.domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      const rc = native.connect(c, addr.sockaddr);
      expect(rc === 0 || rc === -EINPROGRESS).toBe(true);
      return c;
    });
    const got = collect(r, clients.length);
    expect(got).toHaveLength(3);
    for (const c of got) {
      expect(c.ud).toBe(77);
      expect(c.more).toBe(true);
      expect(c.res).toBeGreaterThan(0);
      fds.add(c.res);
    }
  });

  it('multishot recv delivers the bytes in provided buffers; returned buffers are reused; EOF is res 0', () => {
    const r = ring();
    const [client, server] = tcpPair(fds);
    const arena = new Uint8Array(4 * 1024);
    r.provideBuffers(3, arena, 4, 1024);
    r.recvMultishot(server, 3, 5);
    r.submitAndWait(0);
    const seen: string[] = [];
    for (const msg of ['hello', 'ring', 'world', 'again', 'fifth']) {
      writeAll(client, msg);
      const [c] = collect(r, 1);
      expect(c!.ud).toBe(5);
      expect(c!.more).toBe(true);
      expect(c!.bid).toBeGreaterThanOrEqual(0);
      seen.push(Buffer.from(arena.subarray(c!.bid * 1024, c!.bid * 1024 + c!.res)).toString());
      r.returnBuffer(3, c!.bid); // five messages through four buffers: only works if returned
    }
    expect(seen).toEqual(['hello', 'ring', 'world', 'again', 'fifth']);
    native.shutdown(client, 1);
    expect(collect(r, 1)).toEqual([{ ud: 5, res: 0, more: false, bid: -1 }]);
  });

  it('a group run dry ends the recv with -ENOBUFS; re-armed after a return, no byte is lost', () => {
    const r = ring();
    const [client, server] = tcpPair(fds);
    const arena = new Uint8Array(64);
    r.provideBuffers(0, arena, 1, 64);
    r.recvMultishot(server, 0, 1);
    r.submitAndWait(0);
    writeAll(client, 'first');
    const [a] = collect(r, 1);
    expect(a!.res).toBe(5);
    writeAll(client, 'second');
    const [b] = collect(r, 1);
    expect(b).toEqual({ ud: 1, res: -ENOBUFS, more: false, bid: -1 });
    r.returnBuffer(0, a!.bid);
    r.recvMultishot(server, 0, 2);
    const [c] = collect(r, 1);
    expect(c!.ud).toBe(2);
    expect(Buffer.from(arena.subarray(0, c!.res)).toString()).toBe('second');
  });

  it('send completes with the byte count and the peer reads the bytes', () => {
    const r = ring();
    const [client, server] = tcpPair(fds);
    const data = Buffer.from('x'.repeat(1000) + 'end');
    r.send(server, data, 0, data.length, 11);
    expect(collect(r, 1)).toEqual([{ ud: 11, res: data.length, more: false, bid: -1 }]);
    let got = Buffer.alloc(0);
    const deadline = Date.now() + 2000;
    while (got.length < data.length && Date.now() < deadline) got = Buffer.concat([got, readSome(client)]);
    expect(got.equals(data)).toBe(true);
  });

  it('closeFd closes the fd; cancel and cancelFd end pending requests with -ECANCELED', () => {
    const r = ring();
    const [client, server] = tcpPair(fds);
    const arena = new Uint8Array(2 * 256);
    r.provideBuffers(1, arena, 2, 256);
    r.recvMultishot(server, 1, 100);
    r.recvMultishot(client, 1, 200);
    r.submitAndWait(0);
    r.cancel(100, 101);
    let got = collect(r, 2);
    expect(got).toContainEqual({ ud: 100, res: -ECANCELED, more: false, bid: -1 });
    expect(got).toContainEqual({ ud: 101, res: 1, more: false, bid: -1 });
    r.cancelFd(client, 201);
    got = collect(r, 2);
    expect(got).toContainEqual({ ud: 200, res: -ECANCELED, more: false, bid: -1 });
    expect(got).toContainEqual({ ud: 201, res: 1, more: false, bid: -1 });
    r.cancel(12345, 9);
    expect(collect(r, 1)).toEqual([{ ud: 9, res: 0, more: false, bid: -1 }]); // none found
    r.closeFd(server, 300);
    expect(collect(r, 1)).toEqual([{ ud: 300, res: 0, more: false, bid: -1 }]);
    fds.forget(server);
    expect(native.close(server)).toBe(-EBADF);
  });
});

describe('Ring wake-ups and drivers', () => {
  it('another thread wakes a blocked submitAndWait through an eventfd the ring polls', async () => {
    const r = ring();
    const efd = new EventFd({ nonBlocking: true });
    try {
      r.pollMultishot(efd.fd, POLLIN, 42);
      r.submitAndWait(0);
      const worker = new Worker(
        `const { workerData } = require('node:worker_threads');
         const addon = require(workerData.addon);
         setTimeout(() => addon.eventfdWrite(workerData.fd, 1), 50);`,
        { eval: true, workerData: { addon: resolveAddon(), fd: efd.fd } },
      );
      await new Promise((resolve) => worker.once('online', resolve));
      const n = r.submitAndWait(1, 5000);
      await worker.terminate();
      expect(n).toBe(1);
      expect(r.userDataAt(0)).toBe(42);
      expect(r.resAt(0) & POLLIN).toBe(POLLIN);
      expect(r.moreAt(0)).toBe(true);
    } finally {
      efd.close();
    }
  });

  it('watch(): Node\'s loop calls onReady when completions are ready; drained with submitAndWait(0)', async () => {
    const r = ring();
    const seen: number[] = [];
    let calls = 0;
    const drain = (ring: Ring): void => {
      const n = ring.submitAndWait(0);
      for (let i = 0; i < n; i++) seen.push(ring.userDataAt(i));
    };
    r.watch((ring) => {
      calls++;
      drain(ring);
    });
    expect(r.watching).toBe(true);
    r.timeout(20, 1);
    drain(r); // submits; the timeout completes later, while Node's loop runs
    expect(seen).toEqual([]);
    await until(() => seen.length === 1, 2000, 'the timeout through the watch');
    expect(seen).toEqual([1]);
    expect(calls).toBeGreaterThanOrEqual(1);
    r.unwatch();
    expect(r.watching).toBe(false);
  });
});

describe('Ring argument checks and unavailability', () => {
  it('rejects wrong types and ranges with TypeError/RangeError', () => {
    const r = ring();
    expect(() => new Ring({ entries: 0 })).toThrow(RangeError);
    expect(() => new Ring({ entries: '8' as unknown as number })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new Ring({ size: 8 } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => new Ring({ entries: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => r.watch('x' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    r.watch(() => undefined);
    expect(() => r.watch(() => undefined)).toThrow(expect.objectContaining({ code: 'ERR_REACTOR_ALREADY_WATCHED' }));
    r.unwatch();
    expect(() => r.nop(-1)).toThrow(RangeError);
    expect(() => r.nop(2 ** 53)).toThrow(RangeError);
    expect(() => r.recvMultishot(0, 64, 1)).toThrow(RangeError);
    expect(() => r.send(0, 'x' as unknown as Uint8Array, 0, 1, 1)).toThrow(TypeError);
    expect(() => r.send(0, new Uint8Array(4), 2, 3, 1)).toThrow(RangeError);
    expect(() => r.provideBuffers(0, new Uint8Array(10), 3, 2)).toThrow(RangeError);
    expect(() => r.provideBuffers(0, new Uint8Array(10), 4, 3)).toThrow(RangeError);
    expect(() => native.ringEnter({} as never, 0, 0, new Int32Array(4), 1)).toThrow(TypeError);
    expect(() => r.returnBuffer(5, 0)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    r.provideBuffers(5, new Uint8Array(8), 2, 4);
    expect(() => r.provideBuffers(5, new Uint8Array(8), 2, 4)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it.each([
    ['EPERM', /seccomp|io_uring_disabled/],
    ['ENOSYS', /no io_uring/],
    ['ENOMEM', /RLIMIT_MEMLOCK/],
  ])('io_uring_setup failing with %s throws ERR_REACTOR_URING_UNAVAILABLE naming the cause', (errno, cause) => {
    // The native test knob: ringSetup answers this errno without asking the kernel, as a kernel
    // with kernel.io_uring_disabled=2, a seccomp profile or no io_uring would.
    const before = openFdCount();
    process.env['EPOLL_REACTOR_URING_SETUP_ERRNO'] = errno;
    try {
      let thrown: unknown;
      try {
        new Ring();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UringUnavailableError);
      expect((thrown as UringUnavailableError).code).toBe('ERR_REACTOR_URING_UNAVAILABLE');
      expect((thrown as UringUnavailableError).errno).toBe(errno);
      expect((thrown as Error).message).toMatch(cause);
    } finally {
      delete process.env['EPOLL_REACTOR_URING_SETUP_ERRNO'];
    }
    expect(openFdCount()).toBe(before);
    expect(() => ring()).not.toThrow();
  });
});
