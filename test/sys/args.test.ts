// The TypeScript layers' argument checks: coded errors naming the argument.
import { describe, expect, it } from 'vitest';
import { checkDelayMs, checkInteger, invalidArgValue } from '../../src/sys/args.js';

describe('argument checks', () => {
  it('checkInteger: TypeError for non-numbers, RangeError outside [min, max] or fractional', () => {
    expect(checkInteger(7, 'n', 0, 10)).toBe(7);
    expect(() => checkInteger('7', 'n', 0, 10)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    for (const bad of [-1, 11, 1.5, NaN, Infinity]) {
      expect(() => checkInteger(bad, 'n', 0, 10)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    }
    expect(() => checkInteger('garbage', 'events', 0, 0xffff)).toThrow(/The "events" argument must be of type number. Received type string \('garbage'\)/);
  });

  it('checkDelayMs accepts every number but NaN', () => {
    for (const ok of [0, -5, 0.5, Infinity, -0]) expect(checkDelayMs(ok)).toBe(ok);
    expect(() => checkDelayMs('5')).toThrow(/"delayMs".*Received type string \('5'\)/);
    expect(() => checkDelayMs(NaN, 'timeoutMs')).toThrow(/"timeoutMs"/);
  });

  it('invalidArgValue is a coded TypeError', () => {
    const err = invalidArgValue('path', 'must not contain NUL bytes', 'a\0b');
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
  });
});
