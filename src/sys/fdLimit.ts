// The process's open-file limit (RLIMIT_NOFILE): every connection is an fd, so
// this limit is the ceiling on connections one process can hold. Linux starts
// most processes at a soft limit of 1024 with a much higher hard limit; a
// server raises its soft limit to the hard limit at start-up (no privilege
// needed), and beyond the hard limit it takes several processes (or root and
// fs.nr_open). Stateless; the limit is process-wide (every thread shares it).
import { native } from './addon.js';
import { check } from './SystemError.js';

/** RLIMIT_NOFILE: `soft` is what open()/accept() enforce, `hard` the ceiling for `soft`. Infinity = unlimited. */
export interface FdLimit {
  /** The limit open()/accept() enforce. */
  soft: number;
  /** The ceiling an unprivileged process may raise `soft` to. */
  hard: number;
}

/** The current open-file limit (getrlimit(RLIMIT_NOFILE)). */
export function fdLimit(): FdLimit {
  const out = new Float64Array(2);
  check(native.getFdLimit(out), 'getrlimit', '(RLIMIT_NOFILE)');
  return { soft: out[0]!, hard: out[1]! };
}

/**
 * Raise the soft open-file limit to `target` (default: the hard limit), never
 * lowering it and never above the hard limit. Returns the limit now in force.
 * Throws SystemError if setrlimit fails.
 */
export function raiseFdLimit(target = Infinity): FdLimit {
  const { soft, hard } = fdLimit();
  const want = Math.min(target, hard);
  if (want <= soft) return { soft, hard };
  check(native.setFdLimit(want), 'setrlimit', '(RLIMIT_NOFILE)');
  return fdLimit();
}
