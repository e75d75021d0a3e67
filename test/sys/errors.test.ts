// SystemError and the addon loader's error messages.
import { describe, expect, it } from 'vitest';
import { SystemError, check, errnoName } from '../../src/sys/SystemError.js';
import { assertLinux, resolveAddon, addonCandidates } from '../../src/sys/addon.js';
import * as C from '../../src/sys/constants.js';

describe('SystemError', () => {
  it('carries code, positive errno and syscall like Node errors', () => {
    const e = new SystemError(-17, 'epoll_ctl', '(ADD fd 5)');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SystemError');
    expect(e.code).toBe('EEXIST');
    expect(e.errno).toBe(17);
    expect(e.syscall).toBe('epoll_ctl');
    expect(e.message).toBe('EEXIST: file already exists, epoll_ctl (ADD fd 5)');
    expect(errnoName(C.EAGAIN)).toBe('EAGAIN');
    expect(errnoName(999)).toBe('E999');
  });

  it('check() passes non-negative values and throws for -errno', () => {
    expect(check(5, 'x')).toBe(5);
    expect(check(0, 'x')).toBe(0);
    expect(() => check(-C.EBADF, 'close')).toThrow(/EBADF: bad file descriptor, close/);
  });
});

describe('constants', () => {
  it('have the kernel values (x86-64 / arm64 Linux)', () => {
    expect([C.EPOLLIN, C.EPOLLPRI, C.EPOLLOUT, C.EPOLLERR, C.EPOLLHUP, C.EPOLLRDHUP]).toEqual([1, 2, 4, 8, 16, 0x2000]);
    expect([C.EPOLLEXCLUSIVE, C.EPOLLWAKEUP, C.EPOLLONESHOT, C.EPOLLET]).toEqual([2 ** 28, 2 ** 29, 2 ** 30, 2 ** 31]);
    expect([C.EPOLL_CTL_ADD, C.EPOLL_CTL_DEL, C.EPOLL_CTL_MOD]).toEqual([1, 2, 3]);
    expect(C.EPOLLET).toBeGreaterThan(0); // unsigned: EPOLLIN | EPOLLET is the signed form
    expect([C.AF_INET, C.AF_INET6, C.AF_UNIX]).toEqual([2, 10, 1]);
    expect([C.EAGAIN, C.EINPROGRESS, C.EEXIST]).toEqual([11, 115, 17]);
  });
});

describe('addon loader', () => {
  it('names the fix when the addon is not built', () => {
    let err: unknown;
    try {
      resolveAddon(['/nonexistent/epoll_reactor.node']);
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException).code).toBe('ERR_EPOLL_REACTOR_NOT_BUILT');
    expect((err as Error).message).toContain('npm rebuild epoll-reactor');
    expect((err as Error).message).toContain('/nonexistent/epoll_reactor.node');
  });

  it('fails at once with a clear message on a platform other than Linux', () => {
    expect(() => assertLinux('darwin')).toThrow(/only on Linux.*darwin/);
    expect(() => assertLinux('linux')).not.toThrow();
  });

  it('looks in the node-gyp and cmake-js output directories', () => {
    const c = addonCandidates('/pkg');
    expect(c).toContain('/pkg/build/Release/epoll_reactor.node');
    expect(c).toContain('/pkg/build-cmake/Release/epoll_reactor.node');
  });
});
