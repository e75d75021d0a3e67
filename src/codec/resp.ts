// RESP2, the Redis serialisation protocol: an encoder that appends to a ByteBuffer, a
// command decoder for servers (multibulk and inline commands, Redis's limits and error
// texts) and a reply decoder for clients (any RESP2 value, nested arrays included).
//
// Decoding is streaming: each decoder reads from a connection's input ByteBuffer, takes
// exactly the bytes of one complete message, and leaves a partial message untouched (it may
// be split at any byte). A decoder keeps the progress of a partial message between calls
// (a large command arriving in many reads is scanned once), so one decoder serves one
// stream. Malformed input or a broken limit throws RespProtocolError, whose message is
// Redis's own text ("Protocol error: invalid bulk length"); the stream is unusable after it.
//
// Threading and lifetime: plain single-threaded objects owned by one connection. The
// command decoder hands out arguments as offsets into a byte array (no copy); they stay
// valid until the next call on the decoder or the next append to the input buffer.
//
// The pieces: resp-types.ts (errors, limits, values), resp-encode.ts (writers),
// RespCommandDecoder.ts (server side), RespReplyDecoder.ts (client side).
export {
  RESP_DEFAULT_LIMITS,
  RespErrorReply,
  RespProtocolError,
  parseRespInteger,
  type RespLimits,
  type RespValue,
} from './resp-types.js';
export {
  encodeCommand,
  writeArrayHeader,
  writeBulkBytes,
  writeBulkLatin1,
  writeBulkString,
  writeCommand,
  writeError,
  writeInteger,
  writeNull,
  writeNullArray,
  writeSimpleString,
  writeValue,
} from './resp-encode.js';
export { RespCommandDecoder } from './RespCommandDecoder.js';
export { RespReplyDecoder, type RespReplyDecoderOptions } from './RespReplyDecoder.js';
