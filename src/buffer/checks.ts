// Argument checks of ByteBuffer's public methods: a wrong count or value is a
// RangeError naming it (a caller bug, so it is loud); any ArrayBufferView is taken by its
// bytes (byteOffset/byteLength), never by element count. Stateless.

/** n must be a non-negative integer (a count, an offset, a length). */
export function checkCount(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(n)}`);
  }
}

/** v must be an integer in [0, max] (an unsigned field value). */
export function checkUInt(v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`value must be an integer in [0, ${max}], got ${String(v)}`);
  }
}

/** The bytes of any ArrayBufferView as a Uint8Array (itself when it is one: no allocation). */
export function asBytes(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
