// For codec tests that assert on a coded error: run the call, return what it threw, and fail
// the test if it did not throw. Synchronous; holds nothing.
import type { CodecError } from '../../src/index.js';

/** The CodecError `fn` throws; throws 'expected a throw' if it returns normally. */
export function catchErr(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (err) {
    return err as CodecError;
  }
  throw new Error('expected a throw');
}
