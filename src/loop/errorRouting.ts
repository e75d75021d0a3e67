// The event loop's routing of errors thrown by user callbacks. Every handler,
// flush, ready entry, task, timer and port message runs in its own try/catch, so a
// throw never skips the rest of the turn (other connections' pre-read bytes, corked
// output, deferred closes). What threw is told first (kOnThrow: a connection closes
// with reason 'error' and reports); the error then goes to loop.onError, or, with
// none (or if onError itself throws), the loop stops after the turn and run()
// rejects with it (runOnce() throws it). EventLoop keeps the pending fatal error;
// these are stateless helpers it calls, on the loop's own thread only.
import { toError } from '../errors.js';
import { kOnThrow } from './symbols.js';

/** Something that may own a callback that threw (a handler, flushable, ready entry). */
export interface Thrower {
  /** Contains an error its own callback threw (e.g. a connection closes with reason 'error'). */
  [kOnThrow]?(err: unknown): void;
}

/** Something threw on behalf of `owner`: let it contain the error, else hand it to `report`. */
export function containThrow(owner: Thrower, err: unknown, report: (err: unknown) => void): void {
  if (owner[kOnThrow] !== undefined) owner[kOnThrow](err);
  else report(err);
}

/**
 * Offers `thrown` (as an Error) to the loop's onError. Returns null when onError
 * took it, else the error nothing handled: `thrown` itself with no onError, or
 * what onError threw when the handler itself failed.
 */
export function offerToOnError(thrown: unknown, onError: ((err: Error) => void) | null): Error | null {
  const err = toError(thrown);
  if (onError === null) return err;
  try {
    onError(err);
    return null;
  } catch (again) {
    return toError(again); // the error handler itself failed: nothing is left to take it
  }
}
