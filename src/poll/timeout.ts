// Timeout normalisation shared by every waiting call (epoll_wait, poll).
// Stateless.
import { argTypeError } from '../errors.js';

const INT32_MAX = 0x7fffffff;

/**
 * Milliseconds as the kernel wants them: -1 for "forever", else a non-negative
 * int32. Negative or infinite means forever (as select.epoll does); fractions
 * round UP so a wait never ends before the time asked for.
 */
export function toTimeoutMs(timeoutMs: number): number {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
    throw argTypeError(`timeout must be a number of milliseconds, got ${String(timeoutMs)}`);
  }
  if (timeoutMs < 0 || timeoutMs === Infinity) return -1;
  return Math.min(Math.ceil(timeoutMs), INT32_MAX);
}
