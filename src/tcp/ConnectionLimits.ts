// ConnectionLimits: the resolved size limits and half-open policy of a set of
// ConnectionOptions, made once per options object and shared by every
// connection made with it (a server passes one options object to all of its
// connections), so a connection carries one reference instead of four fields.
//
// The options are read when the first connection using that object is made;
// changing the object afterwards does not affect connections. Stateless apart
// from the cache, which holds its keys weakly. Threading: any; nothing mutates
// a ConnectionLimits once made.
import { checkOptions } from '../sys/args.js';
import { CONNECTION_OPTIONS, type ConnectionOptions } from './ConnectionOptions.js';

/** The limits a connection enforces (ConnectionOptions with the defaults applied). */
export interface ConnectionLimits {
  readonly highWaterMark: number;
  readonly maxOutput: number;
  readonly maxInput: number;
  readonly allowHalfOpen: boolean;
}

const DEFAULTS = { highWaterMark: 1 << 20, maxOutput: 64 << 20, maxInput: 64 << 20 };

const cache = new WeakMap<ConnectionOptions, ConnectionLimits>();

/** The shared ConnectionLimits of `options`. */
export function limitsFor(options: ConnectionOptions): ConnectionLimits {
  let limits = cache.get(options);
  if (limits === undefined) {
    // Checked once per options object (a server shares one with every connection). Its
    // other keys (address, retry…) belong to its owner, which checks them.
    checkOptions(options, 'options', CONNECTION_OPTIONS, false);
    limits = Object.freeze({
      highWaterMark: options.highWaterMark ?? DEFAULTS.highWaterMark,
      maxOutput: options.maxOutput ?? DEFAULTS.maxOutput,
      maxInput: options.maxInput ?? DEFAULTS.maxInput,
      allowHalfOpen: options.allowHalfOpen ?? false,
    });
    cache.set(options, limits);
  }
  return limits;
}
