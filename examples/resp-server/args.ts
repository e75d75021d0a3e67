// How resp-server turns a command's arguments into keys and values, binary-safe and within
// V8's limits. Short arguments (the common case) become latin1 strings — one char per byte,
// so any bytes round-trip, and a string is a cheap Map key. Long ones never become strings
// (V8 cannot hold a string of Redis's 512 MiB proto-max-bulk-len): a long value is kept as a
// Buffer, a long key is named by its SHA-256 (prefixed with a char no latin1 key can contain,
// so the two kinds never collide; we have no command that lists keys, so the name is never
// shown). Error texts quote at most the first bytes of an argument, as Redis does.
//
// Loop thread; the decoder's views are valid only until its next decode (see RespCommandDecoder).
import { createHash } from 'node:crypto';
import type { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { writeBulkBytes, writeBulkLatin1, type RespCommandDecoder } from '../../src/codec/resp.js';

/** Longest argument kept as a string; longer values are Buffers, longer keys are hashed. */
export const STRING_ARG_MAX = 1024 * 1024;

/** A stored value: a latin1 string up to STRING_ARG_MAX bytes, a Buffer beyond. */
export type Value = string | Buffer;

/** Argument i as a key (see the header). */
export function argKey(a: RespCommandDecoder, i: number): string {
  const len = a.argLength(i);
  if (len <= STRING_ARG_MAX) return a.argLatin1(i);
  const o = a.argOffset(i);
  return `\u0100${createHash('sha256').update(a.argBuffer.subarray(o, o + len)).digest().toString('latin1')}`;
}

/** Argument i as a value to store (a copy: the decoder's bytes do not outlive the command). */
export function argValue(a: RespCommandDecoder, i: number): Value {
  return a.argLength(i) <= STRING_ARG_MAX ? a.argLatin1(i) : a.arg(i);
}

/** Appends a stored value as a bulk string. */
export function writeValueBulk(out: ByteBuffer, v: Value): void {
  if (typeof v === 'string') writeBulkLatin1(out, v);
  else writeBulkBytes(out, v, 0, v.length);
}

/** Appends argument i as a bulk string, straight from the decoder's bytes (ECHO, PING). */
export function writeArgBulk(out: ByteBuffer, a: RespCommandDecoder, i: number): void {
  const o = a.argOffset(i);
  writeBulkBytes(out, a.argBuffer, o, o + a.argLength(i));
}

/** The first `chars` characters of argument i as UTF-8 text (only its first bytes are decoded). */
export function argPreview(a: RespCommandDecoder, i: number, chars = 128): string {
  const o = a.argOffset(i);
  const b = a.argBuffer;
  const bytes = Math.min(a.argLength(i), chars * 4);
  return Buffer.from(b.buffer, b.byteOffset + o, bytes).toString('utf8').slice(0, chars);
}
