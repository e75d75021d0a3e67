// The login store: `user:<id>` in Redis holds a salted scrypt hash of the password, never the
// password — `scrypt$N$r$p$<salt base64>$<hash base64>` (node:crypto scrypt, 16-byte random
// salt, 32-byte key, N=16384 r=8 p=1 unless the record says otherwise). Verification compares
// in constant time.
//
// Threading: hashing runs on libuv's thread pool (crypto.scrypt) when the caller's thread runs
// Node's event loop (integrated driver); an exclusive-driver loop never returns to Node's loop,
// so there it hashes synchronously on the loop thread (`sync`), stalling it ~50 ms per login.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from './redis.js';

const KEY_LENGTH = 32;
const COST = { N: 16384, r: 8, p: 1 };

/** Redis key of a user record. */
export function userKey(id: string): string {
  return `user:${id}`;
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, sync: boolean): Promise<Buffer> {
  const options = { N, r, p, maxmem: 256 * N * r };
  if (sync) return Promise.resolve(scryptSync(password, salt, KEY_LENGTH, options));
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new record for `password` (random salt). */
export async function hashPassword(password: string, sync = false): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST.N, COST.r, COST.p, sync);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `record`; false for a record not in our format. */
export async function verifyPassword(password: string, record: string, sync = false): Promise<boolean> {
  const parts = record.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const want = Buffer.from(parts[5]!, 'base64');
  if (want.length !== KEY_LENGTH) return false;
  return timingSafeEqual(await derive(password, salt, N, r, p, sync), want);
}

/** Creates or replaces user `id` with `password`. */
export async function addUser(redis: RedisClient, id: string, password: string): Promise<void> {
  await redis.command(['SET', userKey(id), await hashPassword(password)]);
}
