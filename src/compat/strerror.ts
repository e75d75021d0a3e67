// The error objects the npm `epoll` package produces: `new Error(strerror(errno))`,
// glibc's text, nothing else in the message. We build the same message (so code
// that matches on it keeps working) and add what our own errors carry — `code`,
// `errno`, `syscall` — as extra properties. Stateless.
import { SystemError } from '../sys/SystemError.js';

// glibc's strerror() for the errnos that epoll_create1, epoll_ctl and
// epoll_wait can return (their man pages' ERRORS sections).
const GLIBC_TEXT: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EBADF: 'Bad file descriptor',
  ENOMEM: 'Cannot allocate memory',
  EFAULT: 'Bad address',
  EEXIST: 'File exists',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ENOSPC: 'No space left on device',
  ELOOP: 'Too many levels of symbolic links',
};

/** A compat error: Error with the strerror() text as message, plus code/errno/syscall. */
export interface CompatSystemError extends Error {
  /** Symbolic errno name, e.g. 'EEXIST'. */
  code: string;
  /** Positive errno value. */
  errno: number;
  /** The failing system call. */
  syscall: string;
}

/** Turn one of our SystemErrors into the error the npm `epoll` package would throw; other values pass through. */
export function toCompatError(err: unknown): unknown {
  if (!(err instanceof SystemError)) return err;
  const out = new Error(GLIBC_TEXT[err.code] ?? `Unknown error ${err.errno}`) as CompatSystemError;
  out.code = err.code;
  out.errno = err.errno;
  out.syscall = err.syscall;
  return out;
}
