// Argument checks for the TypeScript layers, in the addon's own convention: a
// value of the wrong type is a TypeError with code ERR_INVALID_ARG_TYPE, a
// number out of range a RangeError with code ERR_OUT_OF_RANGE (the codes Node
// and native/errors.h use). Every message names the argument and shows what
// was received. No coercion: '5' is not a number here. Stateless.

import { argTypeError, argValueError, rangeError, type ArgumentError } from '../errors.js';

export type { ArgumentError } from '../errors.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `type string ('${value.length > 24 ? `${value.slice(0, 24)}...` : value}')`;
  if (typeof value === 'number') return `${Object.is(value, -0) ? '-0' : String(value)}`;
  if (typeof value === 'bigint') return `type bigint (${value}n)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${String(value)})`;
}

/** `The "name" argument must be <expected>. Received <value>` as a coded TypeError. */
export function invalidArgType(name: string, expected: string, value: unknown): TypeError & ArgumentError {
  return argTypeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`);
}

/** `The value of "name" is out of range. It must be <range>. Received <value>` as a coded RangeError. */
export function outOfRange(name: string, range: string, value: unknown): RangeError & ArgumentError {
  return rangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${describe(value)}`);
}

/** `The argument "name" <reason>. Received <value>` as a coded TypeError (a right type, a wrong value). */
export function invalidArgValue(name: string, reason: string, value: unknown): TypeError & ArgumentError {
  return argValueError(`The argument "${name}" ${reason}. Received ${describe(value)}`);
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

/** What an option may hold: a typeof name, a list of allowed values, or 'any'. */
export type OptionKind = 'number' | 'boolean' | 'string' | 'function' | 'object' | 'any' | readonly (string | number)[];

/** The kinds of an options object's keys (every key optional). */
export type OptionSchema = Readonly<Record<string, OptionKind>>;

/** A hint for a key another API spells that way (node:net's `port`, say). */
const HINTS: Readonly<Record<string, string>> = {
  port: "give the port in `address` instead: '127.0.0.1:8080' or '[::1]:8080' (0 picks a free port)",
  host: "give the host in `address` instead: '127.0.0.1:8080'",
  path: "give a Unix socket as `address: 'unix:/path/to.sock'`",
};

/**
 * Checks an options object against `schema`: undefined means {}; anything but a plain object
 * is ERR_INVALID_ARG_TYPE (so `new EventLoop('et')` throws instead of running LT); a key the
 * schema does not know is ERR_INVALID_ARG_VALUE (a typo is never silently ignored); a value
 * of the wrong type is ERR_INVALID_ARG_TYPE, one outside an enumerated list
 * ERR_INVALID_ARG_VALUE. Undefined values count as absent. `strict: false` leaves unknown keys
 * to the caller (a connection's options inside a server's). Returns the object.
 */
export function checkOptions<T extends object>(value: T | undefined, name: string, schema: OptionSchema, strict = true): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgType(name, 'an options object', value);
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const kind = schema[key];
    if (kind === undefined) {
      if (!strict) continue; // part of a wider options object whose owner checks the rest
      const hint = HINTS[key];
      throw argValueError(
        `The "${name}" argument has an unknown option "${key}"${hint ? `: ${hint}` : ''}. Known options: ${Object.keys(schema).join(', ')}`,
      );
    }
    if (v === undefined || kind === 'any') continue;
    if (typeof kind === 'string') {
      const ok = kind === 'object' ? typeof v === 'object' && v !== null : typeof v === kind;
      if (!ok) throw invalidArgType(`${name}.${key}`, `of type ${kind}`, v);
    } else if (!kind.includes(v as string | number)) {
      throw invalidArgValue(`${name}.${key}`, `must be one of ${kind.map((k) => JSON.stringify(k)).join(', ')}`, v);
    }
  }
  return value;
}

/** `fn` must be a function (`what` names it in the message). */
export function checkFunction(value: unknown, name: string): void {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}
