// Redis's integers are signed 64-bit. JavaScript numbers are exact to 2^53 only, so values
// are numbers while they fit (the common case, no allocation) and bigints beyond.
/** Redis's LLONG_MAX and LLONG_MIN. */
export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
const CANONICAL = /^(0|-?[1-9][0-9]{0,18})$/;

/** Parses a canonical int64 (Redis's string2ll: no '+', no leading zeros, no spaces); null if not one. */
export function int64(s: string): number | bigint | null {
  if (s.length <= 15) {
    if (!CANONICAL.test(s)) return null;
    return Number(s);
  }
  if (!CANONICAL.test(s)) return null;
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(s);
  return b > INT64_MAX || b < INT64_MIN ? null : b;
}

/** a + b within int64, as a number when exact; null on overflow. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64_MAX || r < INT64_MIN) return null;
  const n = Number(r);
  return Number.isSafeInteger(n) ? n : r;
}
