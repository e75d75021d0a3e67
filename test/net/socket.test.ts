// Socket helpers and the byte-I/O bindings on real loopback TCP connections:
// non-blocking connect, accept4, read/write/readv/writev/readv2, shutdown,
// SO_ERROR, options, and errors as SystemError.
import { describe, expect, it } from 'vitest';
import { Epoll } from '../../src/poll/Epoll.js';
import { connect, getIntOption, listen, localAddress, peerAddress, setNoDelay, socketError } from '../../src/net/socket.js';
import { native } from '../../src/sys/addon.js';
import {
  EAGAIN,
  EBADF,
  ECONNRESET,
  EPIPE,
  EPOLLOUT,
  IPPROTO_TCP,
  SHUT_WR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  TCP_NODELAY,
} from '../../src/sys/constants.js';
import { SystemError } from '../../src/sys/SystemError.js';
import { fdFlags, O_CLOEXEC, openFdCount, tcpPair, trackedFds } from '../helpers.js';

const fds = trackedFds();

describe('listen / connect / accept4', () => {
  it('connects non-blocking and accepts close-on-exec, non-blocking fds', () => {
    const lfd = fds.add(listen('127.0.0.1:0'));
    expect(getIntOption(lfd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
    expect(native.accept4(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC)).toBe(-EAGAIN);
    const addr = localAddress(lfd);
    const { fd: c } = connect(addr);
    fds.add(c);
    const ep = new Epoll();
    try {
      ep.add(c, EPOLLOUT);
      expect(ep.wait(2000)).toBe(1);
      expect(socketError(c)).toBe(0);
    } finally {
      ep.close();
    }
    const s = fds.add(native.accept4(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC));
    expect(s).toBeGreaterThan(0);
    expect(fdFlags(s) & O_CLOEXEC).toBe(O_CLOEXEC);
    expect(peerAddress(s).equals(localAddress(c))).toBe(true);
    expect(peerAddress(c).equals(addr)).toBe(true);
    setNoDelay(s);
    expect(getIntOption(s, IPPROTO_TCP, TCP_NODELAY)).toBe(1);
  });

  it('a refused connect shows up in SO_ERROR as ECONNREFUSED', () => {
    const lfd = listen('127.0.0.1:0');
    const addr = localAddress(lfd);
    native.close(lfd); // now nothing listens on that port
    let fd = -1;
    try {
      const r = connect(addr);
      fd = fds.add(r.fd);
      const ep = new Epoll();
      try {
        ep.add(fd, EPOLLOUT);
        expect(ep.wait(2000)).toBe(1);
      } finally {
        ep.close();
      }
      expect(socketError(fd)).toBe(native.constants.ECONNREFUSED);
    } catch (e) {
      // loopback may refuse synchronously
      expect((e as SystemError).code).toBe('ECONNREFUSED');
    }
  });

  it('bind to a taken port is EADDRINUSE as a SystemError naming the address', () => {
    const lfd = fds.add(listen('127.0.0.1:0', { reuseAddr: false }));
    const addr = localAddress(lfd);
    const before = openFdCount();
    let err: unknown;
    try {
      listen(addr, { reuseAddr: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('EADDRINUSE');
    expect((err as SystemError).syscall).toBe('bind');
    expect((err as SystemError).message).toContain(addr.toString());
    expect(openFdCount()).toBe(before); // the failed socket was closed
  });
});

describe('byte I/O', () => {
  it('write/read, with offsets', () => {
    const [a, b] = tcpPair(fds);
    const src = Buffer.from('xxhello worldxx');
    expect(native.write(a, src, 2, 11)).toBe(11);
    const dst = Buffer.alloc(20);
    let n = -EAGAIN;
    for (let i = 0; i < 1000 && n === -EAGAIN; i++) n = native.read(b, dst, 3, 17);
    expect(n).toBe(11);
    expect(dst.subarray(3, 14).toString()).toBe('hello world');
    expect(native.read(b, dst, 0, 20)).toBe(-EAGAIN);
  });

  it('writev gathers, readv scatters, readv2 splits into two buffers', () => {
    const [a, b] = tcpPair(fds);
    expect(native.writev(a, [Buffer.from('abc'), Buffer.from('defg'), new Uint8Array(0), Buffer.from('h')])).toBe(8);
    const x = new Uint8Array(3);
    const y = new Uint8Array(10);
    let n = -EAGAIN;
    for (let i = 0; i < 1000 && n === -EAGAIN; i++) n = native.readv(b, [x, y]);
    expect(n).toBe(8);
    expect(Buffer.from(x).toString()).toBe('abc');
    expect(Buffer.from(y.subarray(0, 5)).toString()).toBe('defgh');
    expect(native.write(a, Buffer.from('0123456789'), 0, 10)).toBe(10);
    const big = new Uint8Array(16);
    const scratch = new Uint8Array(64);
    n = -EAGAIN;
    for (let i = 0; i < 1000 && n === -EAGAIN; i++) n = native.readv2(b, big, 12, 4, scratch, 0, 64);
    expect(n).toBe(10);
    expect(Buffer.from(big.subarray(12, 16)).toString()).toBe('0123');
    expect(Buffer.from(scratch.subarray(0, 6)).toString()).toBe('456789');
  });

  it('shutdown(SHUT_WR) gives the peer EOF while the other direction still works', () => {
    const [a, b] = tcpPair(fds);
    expect(native.shutdown(a, SHUT_WR)).toBe(0);
    const buf = Buffer.alloc(8);
    let n = -EAGAIN;
    for (let i = 0; i < 1000 && n === -EAGAIN; i++) n = native.read(b, buf, 0, 8);
    expect(n).toBe(0);
    expect(native.write(b, Buffer.from('back'), 0, 4)).toBe(4);
    n = -EAGAIN;
    for (let i = 0; i < 1000 && n === -EAGAIN; i++) n = native.read(a, buf, 0, 8);
    expect(buf.subarray(0, n).toString()).toBe('back');
  });

  it('writing to a reset peer returns -EPIPE or -ECONNRESET and never raises SIGPIPE', () => {
    const [a, b] = tcpPair(fds);
    native.close(b);
    fds.forget(b);
    const chunk = Buffer.alloc(65536, 1);
    let r = 0;
    for (let i = 0; i < 100 && r >= 0; i++) r = native.write(a, chunk, 0, chunk.length);
    expect([-EPIPE, -ECONNRESET]).toContain(r); // the process is still alive to check
  });

  it('bad fds are -EBADF, not exceptions', () => {
    const [a] = tcpPair(fds);
    native.close(a);
    fds.forget(a);
    expect(native.read(a, Buffer.alloc(1), 0, 1)).toBe(-EBADF);
    expect(native.close(a)).toBe(-EBADF);
  });
});
