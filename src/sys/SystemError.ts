// Node-style errors for kernel failures.
//
// The addon returns -errno; this module is where a negative return becomes a
// `SystemError` with the same fields Node's own errors carry (`code` like
// 'EEXIST', positive `errno`, `syscall`), so callers can switch on `err.code`
// exactly as they would for an error from node:fs or node:net. Stateless.
import { getSystemErrorName } from 'node:util';

// Short strerror() texts for the errnos this library meets; others fall back
// to the code alone. Kept here rather than asked of libc: Node 20 has no
// util.getSystemErrorMessage and one table is cheaper than a native call.
const MESSAGES: Readonly<Record<string, string>> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EINTR: 'interrupted system call',
  EIO: 'i/o error',
  EBADF: 'bad file descriptor',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'not enough memory',
  EACCES: 'permission denied',
  EFAULT: 'bad address',
  EEXIST: 'file already exists',
  EINVAL: 'invalid argument',
  ENFILE: 'file table overflow',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on device',
  EPIPE: 'broken pipe',
  ENOTSOCK: 'socket operation on non-socket',
  ENOPROTOOPT: 'protocol not available',
  EAFNOSUPPORT: 'address family not supported',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ENETUNREACH: 'network is unreachable',
  ECONNABORTED: 'software caused connection abort',
  ECONNRESET: 'connection reset by peer',
  ENOBUFS: 'no buffer space available',
  EISCONN: 'socket is already connected',
  ENOTCONN: 'socket is not connected',
  ETIMEDOUT: 'connection timed out',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host is unreachable',
  EALREADY: 'connection already in progress',
  EINPROGRESS: 'operation in progress',
};

/** A failed system call, shaped like Node's errno errors (`code`, `errno`, `syscall`). */
export class SystemError extends Error {
  /** Symbolic errno name, e.g. 'EEXIST'. */
  readonly code: string;
  /** Positive errno value, as the kernel defines it. */
  readonly errno: number;
  /** The failing system call, e.g. 'epoll_ctl'. */
  readonly syscall: string;

  /**
   * @param errno positive errno (a negative one, as the addon returns, is accepted too)
   * @param syscall the system call that failed
   * @param detail optional context appended to the message (an fd, an address)
   */
  constructor(errno: number, syscall: string, detail?: string) {
    const positive = Math.abs(errno);
    const code = errnoName(positive);
    const text = MESSAGES[code];
    super(`${code}: ${text ? `${text}, ` : ''}${syscall}${detail ? ` ${detail}` : ''}`);
    this.name = 'SystemError';
    this.code = code;
    this.errno = positive;
    this.syscall = syscall;
  }
}

/** 'EEXIST' for 17; unknown numbers map to 'E999' style names. */
export function errnoName(errno: number): string {
  try {
    const name = getSystemErrorName(-Math.abs(errno));
    return name.startsWith('Unknown') ? `E${Math.abs(errno)}` : name;
  } catch {
    return `E${Math.abs(errno)}`;
  }
}

/** Returns `ret` when it is >= 0, else throws the SystemError for -ret. */
export function check(ret: number, syscall: string, detail?: string): number {
  if (ret < 0) throw new SystemError(-ret, syscall, detail);
  return ret;
}
