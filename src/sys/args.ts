// Argument checks for the TypeScript layers, in the addon's own convention: a
// value of the wrong type is a TypeError with code ERR_INVALID_ARG_TYPE, a
// number out of range a RangeError with code ERR_OUT_OF_RANGE (the codes Node
// and native/errors.h use). Every message names the argument and shows what
// was received. No coercion: '5' is not a number here. Stateless.

/** A TypeError/RangeError carrying Node's `code` for argument errors. */
export interface ArgumentError extends Error {
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_OUT_OF_RANGE' | 'ERR_INVALID_ARG_VALUE';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `type string ('${value.length > 24 ? `${value.slice(0, 24)}...` : value}')`;
  if (typeof value === 'number') return `${Object.is(value, -0) ? '-0' : String(value)}`;
  if (typeof value === 'bigint') return `type bigint (${value}n)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value)})`;
}

function coded<E extends Error>(err: E, code: ArgumentError['code']): E & ArgumentError {
  Object.defineProperty(err, 'code', { value: code, enumerable: true });
  return err as E & ArgumentError;
}

/** `The "name" argument must be <expected>. Received <value>` as a coded TypeError. */
export function invalidArgType(name: string, expected: string, value: unknown): TypeError & ArgumentError {
  return coded(new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
}

/** `The value of "name" is out of range. It must be <range>. Received <value>` as a coded RangeError. */
export function outOfRange(name: string, range: string, value: unknown): RangeError & ArgumentError {
  return coded(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${describe(value)}`), 'ERR_OUT_OF_RANGE');
}

/** `The argument "name" <reason>. Received <value>` as a coded TypeError (a right type, a wrong value). */
export function invalidArgValue(name: string, reason: string, value: unknown): TypeError & ArgumentError {
  return coded(new TypeError(`The argument "${name}" ${reason}. Received ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
}

/** An integer in [min, max]: TypeError if not a number, RangeError if not such an integer. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(name, `an integer in [${min}, ${max}]`, value);
  return value;
}

/**
 * A delay or timeout in milliseconds: any number but NaN (negative counts as 0
 * and Infinity as "never" where the callee says so). Strings, bigints and NaN
 * are rejected before any arithmetic could turn '5' into '50'.
 */
export function checkDelayMs(value: unknown, name = 'delayMs'): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number (milliseconds)', value);
  if (Number.isNaN(value)) throw outOfRange(name, 'a number of milliseconds, not NaN', value);
  return value;
}
