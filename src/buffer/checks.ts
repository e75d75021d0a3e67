// Argument checks of the byte-taking methods (ByteBuffer's, TcpConnection.send): a wrong count or value is a
// RangeError naming it (a caller bug, so it is loud); any ArrayBufferView is taken by its
// bytes (byteOffset/byteLength), never by element count. Stateless.
import { argTypeError, rangeError } from '../errors.js';

/** n must be a non-negative integer (a count, an offset, a length). */
export function checkCount(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw rangeError(`${name} must be a non-negative integer, got ${String(n)}`);
  }
}

/** v must be an integer in [0, max] (an unsigned field value). */
export function checkUInt(v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw rangeError(`value must be an integer in [0, ${max}], got ${String(v)}`);
  }
}

/** Bytes a caller may hand over: any typed array or DataView (by its bytes), or a whole ArrayBuffer. */
export type BytesLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/**
 * The bytes of `data` as a Uint8Array: itself when it is one (no allocation), a view of any
 * other ArrayBufferView's bytes (byteOffset/byteLength, never its element count), or of a
 * whole (Shared)ArrayBuffer. Anything else (a number, a plain array, null) is
 * ERR_INVALID_ARG_TYPE: never silently zero bytes.
 */
export function asBytes(data: BytesLike, name = 'data'): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && data instanceof SharedArrayBuffer)) return new Uint8Array(data);
  throw argTypeError(
    `The "${name}" argument must be a string, a Buffer, a TypedArray, a DataView or an ArrayBuffer. Received ${data === null ? 'null' : typeof data === 'object' ? `an instance of ${(data as object).constructor?.name ?? 'Object'}` : `type ${typeof data} (${String(data)})`}`,
  );
}
