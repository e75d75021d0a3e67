// Byte searches over a ByteBuffer's readable bytes, for line codecs (indexOf,
// findCRLF, findEOL delegate here). Plain loops bounded at writerIndex: a native
// indexOf cannot be bounded there and would scan the stale writable area.
// Stateless; the caller passes its storage and indices and gets a position relative to `start`.

/** Position of the first `byte` in buf[start + from .. end), relative to start; -1 if absent. */
export function indexOfByte(buf: Uint8Array, start: number, end: number, byte: number, from: number): number {
  for (let i = start + from; i < end; i++) {
    if (buf[i] === byte) return i - start;
  }
  return -1;
}

/** Position of the first "\r\n" (of its '\r') in buf[start + from .. end), relative to start; -1 if absent. */
export function indexOfCRLF(buf: Uint8Array, start: number, end: number, from: number): number {
  const last = end - 1;
  for (let i = start + from; i < last; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i - start;
  }
  return -1;
}
