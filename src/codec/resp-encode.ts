// RESP2 encoding: each writer appends one value to a ByteBuffer (the caller sends it), with
// no temporary allocation on the common paths (digits and CRLF go straight into the storage).
// encodeCommand() makes a standalone Buffer, for clients and tests. Any thread; a ByteBuffer
// itself belongs to one.
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import { CR, LF, RespErrorReply, latin1Write, type RespValue } from './resp-types.js';

/** Writes the decimal digits of a safe integer into `out` at its writer index. */
function putInt(out: ByteBuffer, n: number): void {
  out.ensureWritable(21);
  const s = out.storage;
  let w = out.writerIndex;
  const start = w;
  if (n < 0) {
    s[w++] = 45;
    n = -n;
  }
  if (n < 10) s[w++] = 48 + n;
  else {
    let digits = 0;
    for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
    w += digits;
    for (let i = w - 1; n >= 1; i--) {
      s[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
  }
  out.hasWritten(w - start);
}

function putLine(out: ByteBuffer, type: number, n: number): void {
  out.ensureWritable(24);
  out.storage[out.writerIndex] = type;
  out.hasWritten(1);
  putInt(out, n);
  putCRLF(out);
}

function putCRLF(out: ByteBuffer): void {
  out.ensureWritable(2);
  const w = out.writerIndex;
  const s = out.storage;
  s[w] = CR;
  s[w + 1] = LF;
  out.hasWritten(2);
}

/** Appends `+s\r\n`. `s` must hold no CR or LF (not checked: it is the caller's constant). */
export function writeSimpleString(out: ByteBuffer, s: string): void {
  out.appendUInt8(43);
  out.append(s, 'latin1');
  putCRLF(out);
}

/** Appends `-message\r\n`; CR and LF in `message` become spaces (Redis does the same). */
export function writeError(out: ByteBuffer, message: string): void {
  out.appendUInt8(45);
  out.append(/[\r\n]/.test(message) ? message.replace(/[\r\n]/g, ' ') : message);
  putCRLF(out);
}

/** Appends `:n\r\n` (n a safe integer or a bigint within int64). */
export function writeInteger(out: ByteBuffer, n: number | bigint): void {
  if (typeof n === 'bigint' || !Number.isSafeInteger(n)) {
    out.append(`:${typeof n === 'bigint' ? n.toString() : Math.trunc(n).toFixed(0)}\r\n`, 'latin1');
  } else putLine(out, 58, n);
}

/** Appends a bulk string `$len\r\n...\r\n` (a string is encoded as UTF-8). */
export function writeBulkString(out: ByteBuffer, data: Uint8Array | string): void {
  if (typeof data === 'string') {
    putLine(out, 36, Buffer.byteLength(data));
    out.append(data);
  } else {
    putLine(out, 36, data.length);
    out.append(data);
  }
  putCRLF(out);
}

/** Appends a binary-safe string (one char per byte, latin1: see argLatin1) as a bulk string. */
export function writeBulkLatin1(out: ByteBuffer, s: string): void {
  const len = s.length;
  out.ensureWritable(len + 26); // "$" + up to 21 digits + CRLF + s + CRLF: one capacity check
  // ByteBuffer's storage is a Buffer (Buffer.alloc), which has the latin1 encoder.
  const st = out.storage as Buffer;
  const start = out.writerIndex;
  st[start] = 36;
  let w = putDigits(st, start + 1, len);
  st[w++] = CR;
  st[w++] = LF;
  w += latin1Write(st, s, w, len);
  st[w++] = CR;
  st[w++] = LF;
  out.hasWritten(w - start);
}

/** Writes the decimal digits of a non-negative safe integer at s[w]; returns the index after them. */
function putDigits(s: Uint8Array, w: number, n: number): number {
  if (n < 10) {
    s[w] = 48 + n;
    return w + 1;
  }
  let digits = 0;
  for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
  for (let i = w + digits - 1; n >= 1; i--) {
    s[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return w + digits;
}

/** Appends bytes[start, end) as a bulk string, without a temporary view. */
export function writeBulkBytes(out: ByteBuffer, bytes: Uint8Array, start: number, end: number): void {
  const len = end - start;
  putLine(out, 36, len);
  out.ensureWritable(len + 2);
  out.storage.set(len === bytes.length ? bytes : bytes.subarray(start, end), out.writerIndex);
  out.hasWritten(len);
  putCRLF(out);
}

/** Appends the null bulk string `$-1\r\n`. */
export function writeNull(out: ByteBuffer): void {
  out.append('$-1\r\n', 'latin1');
}

/** Appends the null array `*-1\r\n`. */
export function writeNullArray(out: ByteBuffer): void {
  out.append('*-1\r\n', 'latin1');
}

/** Appends an array header `*n\r\n`; the caller then writes its n elements. */
export function writeArrayHeader(out: ByteBuffer, n: number): void {
  putLine(out, 42, n);
}

/** Appends any RESP value (strings become bulk strings; use writeSimpleString for `+`). */
export function writeValue(out: ByteBuffer, v: RespValue | bigint | undefined): void {
  if (v === null || v === undefined) writeNull(out);
  else if (typeof v === 'string' || v instanceof Uint8Array) writeBulkString(out, v);
  else if (typeof v === 'number' || typeof v === 'bigint') writeInteger(out, v);
  else if (v instanceof RespErrorReply) writeError(out, v.message);
  else {
    writeArrayHeader(out, v.length);
    for (const e of v) writeValue(out, e);
  }
}

/** Appends a command as a multibulk array of bulk strings (numbers in decimal). */
export function writeCommand(out: ByteBuffer, args: ReadonlyArray<string | Uint8Array | number>): void {
  writeArrayHeader(out, args.length);
  for (const a of args) writeBulkString(out, typeof a === 'number' ? String(a) : a);
}

/** Encodes a command into a new Buffer (convenience for clients and tests). */
export function encodeCommand(args: ReadonlyArray<string | Uint8Array | number>): Buffer {
  let size = 16;
  for (const a of args) size += 16 + (typeof a === 'string' ? Buffer.byteLength(a) : typeof a === 'number' ? 24 : a.length);
  const out = Buffer.allocUnsafe(size);
  let w = out.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const a of args) {
    const s = typeof a === 'number' ? String(a) : a;
    const len = typeof s === 'string' ? Buffer.byteLength(s) : s.length;
    w += out.write(`$${len}\r\n`, w, 'latin1');
    w += typeof s === 'string' ? out.write(s, w) : (out.set(s, w), len);
    out[w++] = CR;
    out[w++] = LF;
  }
  return out.subarray(0, w);
}
