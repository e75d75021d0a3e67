// The `codec` layer: framing and packet encoding over ByteBuffer — length-prefixed frames,
// lines, fixed-layout binary packets. No I/O: codecs read a connection's input buffer and write
// into a buffer the caller sends. Imports only src/buffer and src/errors.ts; the reactor never
// imports it.
/**
 * Framing for protocol authors: length-prefixed, line, packets, RESP2.
 *
 * @module epoll-reactor/codec
 */
export { LengthFieldCodec, MAX_FRAME_SIZE_CEILING, type Endian, type LengthFieldOptions } from './LengthFieldCodec.js';
export { LineCodec, type LineOptions } from './LineCodec.js';
export { PacketWriter } from './PacketWriter.js';
export { PacketReader } from './PacketReader.js';
export * from './resp.js';
