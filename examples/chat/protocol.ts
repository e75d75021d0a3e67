// The chat wire format — the packet layout of the C++ IOCP chat-server tutorial (x86, so
// little-endian; `char[N]` fields NUL-padded):
//   header  [PacketLength:u16 LE — the whole packet, header included][PacketId:u16 LE][Type:u8]
//   201 LOGIN_REQUEST       UserID char[21], UserPW char[21]   -> 202 LOGIN_RESPONSE      Result u16
//   206 ROOM_ENTER_REQUEST  RoomNumber int32                   -> 207 ROOM_ENTER_RESPONSE Result i16, RivalUserID char[21]
//   209 ROOM_LEAVE_REQUEST  (no body)                          -> 210 ROOM_LEAVE_RESPONSE Result i16
//   214 ROOM_CHAT_REQUEST   Message char[257]                  -> 215 ROOM_CHAT_RESPONSE  Result i16
//                                                                 216 ROOM_CHAT_NOTIFY    UserID char[21], Msg char[257]
// `Type` (the tutorial's compression/encryption flags) is 0 in what we send and ignored in
// what we receive. Shared by the server, the client and the tests; data and pure functions only.
import { ByteBuffer } from '../../src/index.js';
import { LengthFieldCodec, PacketWriter } from '../../src/codec/index.js';

/** Bytes of the header: length u16, id u16, type u8. */
export const HEADER_SIZE = 5;
/** Largest packet accepted: the biggest one defined (ROOM_CHAT_NOTIFY, 283 bytes), with room to spare. */
export const MAX_PACKET_SIZE = 512;
/** Longest user id, in UTF-8 bytes. */
export const MAX_USER_ID_LEN = 20;
/** Longest password, in UTF-8 bytes. */
export const MAX_USER_PW_LEN = 20;
/** Longest chat message, in UTF-8 bytes. */
export const MAX_CHAT_MSG_LEN = 256;
/** Size of the UserID field: the C struct's char array (text + NUL). */
export const USER_ID_FIELD = MAX_USER_ID_LEN + 1;
/** Size of the UserPW field. */
export const USER_PW_FIELD = MAX_USER_PW_LEN + 1;
/** Size of the Message / Msg field. */
export const CHAT_MSG_FIELD = MAX_CHAT_MSG_LEN + 1;

/** Packet ids. */
export const PacketId = {
  LOGIN_REQUEST: 201,
  LOGIN_RESPONSE: 202,
  ROOM_ENTER_REQUEST: 206,
  ROOM_ENTER_RESPONSE: 207,
  ROOM_LEAVE_REQUEST: 209,
  ROOM_LEAVE_RESPONSE: 210,
  ROOM_CHAT_REQUEST: 214,
  ROOM_CHAT_RESPONSE: 215,
  ROOM_CHAT_NOTIFY: 216,
} as const;

/**
 * Result codes. 0 and 31/51/52/54/61/71/81 are the tutorial's ERROR_CODE values; 33–37 are
 * ours, for what its login (no password check, no store) and its single process never reported.
 */
export const Result = {
  NONE: 0,
  /** This user id is logged in on another connection (or this connection is logged in already). */
  LOGIN_USER_ALREADY: 31,
  /** Ours: no `user:<id>` in the store. */
  LOGIN_UNKNOWN_USER: 33,
  /** Ours: the password does not match the stored hash. */
  LOGIN_WRONG_PASSWORD: 34,
  /** Ours: the login store (Redis) is unreachable; try again later. */
  LOGIN_STORE_UNAVAILABLE: 35,
  /** Ours: a leave or chat request before a successful login. */
  NOT_LOGGED_IN: 36,
  /**
   * Ours (--cluster only): Redis, which carries the cluster's rooms and chats, is unreachable —
   * the room enter or chat was refused (a chat answered 37 reached no one here; if Redis went
   * away after taking it, other processes may have delivered it). Try again later.
   */
  CLUSTER_UNAVAILABLE: 37,
  /** Room enter before a successful login (the tutorial's ENTER_ROOM_NOT_FINDE_USER). */
  ENTER_ROOM_NOT_FOUND_USER: 51,
  /** Room enter while already in a room (ENTER_ROOM_INVALID_USER_STATUS). */
  ENTER_ROOM_INVALID_USER_STATUS: 52,
  /** The room holds its maximum of users (ENTER_ROOM_FULL_USER). */
  ENTER_ROOM_FULL_USER: 54,
  /** Room number out of range (ROOM_INVALID_INDEX). */
  ROOM_INVALID_INDEX: 61,
  /** Leave while in no room (LEAVE_ROOM_INVALID_ROOM_INDEX). */
  LEAVE_ROOM_INVALID_ROOM_INDEX: 71,
  /** Chat while in no room (CHAT_ROOM_INVALID_ROOM_NUMBER). */
  CHAT_ROOM_INVALID_ROOM_NUMBER: 81,
} as const;

/** The packet framing: a u16 LE length that counts the whole packet, at least the 5-byte header. */
export function packetCodec(): LengthFieldCodec {
  return new LengthFieldCodec({ endian: 'le', fieldSize: 2, includesHeader: true, minFrameSize: HEADER_SIZE, maxFrameSize: MAX_PACKET_SIZE });
}

/**
 * Appends one packet to `out`: the header, then whatever `body` writes. The body size must be
 * known up front (every body here is fixed-size), so the length is written first.
 */
export function writePacket(out: ByteBuffer, id: number, bodySize: number, body?: (w: PacketWriter) => void): void {
  const w = new PacketWriter(out, 'le').putUInt16(HEADER_SIZE + bodySize).putUInt16(id).putUInt8(0);
  body?.(w);
  if (w.length !== HEADER_SIZE + bodySize) throw new Error(`packet ${id}: body wrote ${w.length - HEADER_SIZE} bytes, declared ${bodySize}`);
}

/** Encoders of every packet, for the client and the server. */
export const encode = {
  loginRequest: (out: ByteBuffer, id: string, pw: string) =>
    writePacket(out, PacketId.LOGIN_REQUEST, USER_ID_FIELD + USER_PW_FIELD, (w) => w.putFixedString(id, USER_ID_FIELD).putFixedString(pw, USER_PW_FIELD)),
  loginResponse: (out: ByteBuffer, result: number) => writePacket(out, PacketId.LOGIN_RESPONSE, 2, (w) => w.putUInt16(result)),
  roomEnterRequest: (out: ByteBuffer, room: number) => writePacket(out, PacketId.ROOM_ENTER_REQUEST, 4, (w) => w.putInt32(room)),
  roomEnterResponse: (out: ByteBuffer, result: number, rival: string) =>
    writePacket(out, PacketId.ROOM_ENTER_RESPONSE, 2 + USER_ID_FIELD, (w) => w.putInt16(result).putFixedString(rival, USER_ID_FIELD)),
  roomLeaveRequest: (out: ByteBuffer) => writePacket(out, PacketId.ROOM_LEAVE_REQUEST, 0),
  roomLeaveResponse: (out: ByteBuffer, result: number) => writePacket(out, PacketId.ROOM_LEAVE_RESPONSE, 2, (w) => w.putInt16(result)),
  roomChatRequest: (out: ByteBuffer, msg: string) => writePacket(out, PacketId.ROOM_CHAT_REQUEST, CHAT_MSG_FIELD, (w) => w.putFixedString(msg, CHAT_MSG_FIELD)),
  roomChatResponse: (out: ByteBuffer, result: number) => writePacket(out, PacketId.ROOM_CHAT_RESPONSE, 2, (w) => w.putInt16(result)),
  roomChatNotify: (out: ByteBuffer, user: string, msg: string) =>
    writePacket(out, PacketId.ROOM_CHAT_NOTIFY, USER_ID_FIELD + CHAT_MSG_FIELD, (w) => w.putFixedString(user, USER_ID_FIELD).putFixedString(msg, CHAT_MSG_FIELD)),
  /** 216 with the Msg field's bytes as the sender's 214 carried them (CHAT_MSG_FIELD bytes, NUL or not). */
  roomChatNotifyRaw: (out: ByteBuffer, user: string, msgField: Uint8Array) =>
    writePacket(out, PacketId.ROOM_CHAT_NOTIFY, USER_ID_FIELD + CHAT_MSG_FIELD, (w) => w.putFixedString(user, USER_ID_FIELD).putBytes(msgField)),
};

/** Truncates `s` to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, end);
}
