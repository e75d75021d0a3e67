// The calculator's wire format, as the C++ tutorial's 4_client and 4_server exchange it (x86, so
// little-endian, C `int` = int32):
//   request   [len:int32 LE = 9][op:u8][a:int32 LE][b:int32 LE]
//   response  [result:int32 LE]            (no length prefix; one per request, in order)
// Shared by the server and the client; data only.
import { LengthFieldCodec } from '../../src/codec/index.js';

/** Body length of a request (op + a + b). */
export const BODY_LENGTH = 9;
/** Largest `len` accepted: the C server reads the body into `char buf[4096]`. */
export const MAX_LENGTH = 4096;
/** The answer to an unknown op (as the C server's `default: return -1`), and to division by zero. */
export const ERROR_RESULT = -1;

/** The request framing: int32 LE length in [1, 4096]; anything else closes the connection. */
export function requestCodec(): LengthFieldCodec {
  return new LengthFieldCodec({ endian: 'le', signed: true, minFrameSize: 1, maxFrameSize: MAX_LENGTH });
}
