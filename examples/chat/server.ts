// The chat server: logins checked against Redis, numbered rooms, room chat (protocol.ts).
//
// Per connection a Session: logged out -> (login pending: reading paused, so requests are
// handled in order) -> logged in as one user id -> maybe in one room. A user id is logged in
// on one connection at a time (a second login answers 31). Leaving, or disconnecting, removes
// the room membership. A chat goes to every other member of the sender's room, and to no one
// else. A malformed packet — length < 5 or > 512, an unknown id, a body too short — closes
// that connection only, with the reason on stderr.
//
// Redis: one RedisClient (redis.ts) for the whole server, reconnecting with backoff. While it
// is down, logins answer 35 (LOGIN_STORE_UNAVAILABLE) at once and the rest keeps working;
// once it is back, logins work again.
//
// Threading: everything on the loop's thread; async steps (Redis reply, scrypt) come back to it.
import { ByteBuffer, CodecError, EventLoop, TcpServer, type TcpConnection } from '../../src/index.js';
import { PacketReader } from '../../src/codec/index.js';
import { joinHostPort, peerName, type ServerArgs } from '../shared/cli.js';
import type { RunningServer } from '../shared/run.js';
import {
  CHAT_MSG_FIELD,
  encode,
  PacketId,
  packetCodec,
  Result,
  USER_ID_FIELD,
  USER_PW_FIELD,
} from './protocol.js';
import { RedisClient, RedisError } from './redis.js';
import { Rooms } from './rooms.js';
import { userKey, verifyPassword } from './users.js';

/** Options of the chat server (plain data: they cross to the exclusive driver's worker). */
export interface ChatOptions extends ServerArgs {
  /** Redis address, HOST:PORT. */
  redis: string;
  /** Number of rooms (room numbers 0 .. rooms-1). */
  rooms: number;
  /** Users one room holds at most. */
  roomSize: number;
  /** Log logins, room changes and Redis state on stderr. */
  verbose: boolean;
}

/** A packet id this server does not know: like a codec error, it closes the connection. */
class UnknownPacketError extends Error {
  readonly code = 'CHAT_UNKNOWN_PACKET';
}

class Session {
  userId = '';
  room = -1;
  loggingIn = false;
  constructor(readonly conn: TcpConnection) {}
  get loggedIn(): boolean {
    return this.userId !== '';
  }
}

/** Builds the chat server on `loop` and starts listening; Redis is connected in the background. */
export function start(loop: EventLoop, opts: ChatOptions): RunningServer {
  const log = (line: string): void => void process.stderr.write(`chat: ${line}\n`);
  const redis = new RedisClient(loop, opts.redis, { onState: (up, detail) => opts.verbose && log(`redis ${up ? 'up' : 'down'}: ${detail}`) });
  const codec = packetCodec();
  const reader = new PacketReader(new Uint8Array(0), 'le');
  const out = new ByteBuffer();
  const rooms = new Rooms<Session>(opts.rooms, opts.roomSize);
  const online = new Map<string, Session>();
  const sync = loop.driver === 'exclusive';

  const reply = (conn: TcpConnection): void => {
    if (out.readableBytes > 0 && conn.connected) conn.send(out.peek());
    out.retrieveAll();
  };

  /** Handles the buffered packets of one connection, until one needs to wait (a login). */
  const handleInput = (s: Session): void => {
    const conn = s.conn;
    try {
      while (!s.loggingIn && conn.connected) {
        const packet = codec.decode(conn.input);
        if (packet === null) break;
        reader.reset(packet);
        const id = reader.getUInt16();
        reader.getUInt8(); // Type: flags we neither set nor use
        dispatch(s, id);
        reply(conn);
      }
    } catch (err) {
      if (!(err instanceof CodecError) && !(err instanceof UnknownPacketError)) throw err;
      log(`closing ${peerName(conn)}: ${err.message} (${err.code})`);
      conn.input.retrieveAll();
      out.retrieveAll();
      conn.close();
    }
  };

  const dispatch = (s: Session, id: number): void => {
    switch (id) {
      case PacketId.LOGIN_REQUEST: {
        const user = reader.getFixedString(USER_ID_FIELD);
        const password = reader.getFixedString(USER_PW_FIELD);
        login(s, user, password);
        return;
      }
      case PacketId.ROOM_ENTER_REQUEST: {
        const room = reader.getInt32();
        let result: number = Result.NONE;
        let rival = '';
        if (!s.loggedIn) result = Result.ENTER_ROOM_NOT_FOUND_USER;
        else if (s.room >= 0) result = Result.ENTER_ROOM_INVALID_USER_STATUS;
        else if (!rooms.valid(room)) result = Result.ROOM_INVALID_INDEX;
        else {
          for (const m of rooms.members(room)) {
            rival = m.userId;
            break;
          }
          if (!rooms.enter(s, room)) result = Result.ENTER_ROOM_FULL_USER;
          else if (opts.verbose) log(`${s.userId} entered room ${room}`);
        }
        encode.roomEnterResponse(out, result, result === Result.NONE ? rival : '');
        return;
      }
      case PacketId.ROOM_LEAVE_REQUEST: {
        let result: number = Result.NONE;
        if (!s.loggedIn) result = Result.NOT_LOGGED_IN;
        else if (s.room < 0) result = Result.LEAVE_ROOM_INVALID_ROOM_INDEX;
        else {
          if (opts.verbose) log(`${s.userId} left room ${s.room}`);
          rooms.leave(s);
        }
        encode.roomLeaveResponse(out, result);
        return;
      }
      case PacketId.ROOM_CHAT_REQUEST: {
        const msg = reader.getFixedString(CHAT_MSG_FIELD);
        let result: number = Result.NONE;
        if (!s.loggedIn) result = Result.NOT_LOGGED_IN;
        else if (s.room < 0) result = Result.CHAT_ROOM_INVALID_ROOM_NUMBER;
        else broadcast(s, msg);
        encode.roomChatResponse(out, result);
        return;
      }
      default:
        throw new UnknownPacketError(`unknown packet id ${id}`);
    }
  };

  /** ROOM_CHAT_NOTIFY to every other member of the sender's room: encoded once, sent to each. */
  const broadcast = (from: Session, msg: string): void => {
    const note = new ByteBuffer(320);
    encode.roomChatNotify(note, from.userId, msg);
    const bytes = note.peek();
    for (const m of rooms.members(from.room)) if (m !== from && m.conn.connected) m.conn.send(bytes);
  };

  const login = (s: Session, user: string, password: string): void => {
    const conn = s.conn;
    if (s.loggedIn || online.has(user)) {
      encode.loginResponse(out, Result.LOGIN_USER_ALREADY);
      return;
    }
    s.loggingIn = true;
    conn.pauseReading(); // the next requests wait for this answer
    const finish = (result: number): void => {
      s.loggingIn = false;
      if (!conn.connected) return;
      if (result === Result.NONE) {
        if (online.has(user)) result = Result.LOGIN_USER_ALREADY; // another connection won the race
        else {
          s.userId = user;
          online.set(user, s);
        }
      }
      if (opts.verbose) log(`login ${JSON.stringify(user)} from ${peerName(conn)}: ${result}`);
      encode.loginResponse(out, result);
      reply(conn);
      conn.resumeReading();
      handleInput(s); // requests that arrived meanwhile
    };
    redis
      .command(['GET', userKey(user)])
      .then(async (record) => {
        if (record === null) return Result.LOGIN_UNKNOWN_USER;
        const ok = await verifyPassword(password, record.toString(), sync);
        return ok ? Result.NONE : Result.LOGIN_WRONG_PASSWORD;
      })
      .catch((err: unknown) => {
        if (!(err instanceof RedisError)) throw err;
        if (opts.verbose) log(`login ${JSON.stringify(user)}: ${err.message}`);
        return Result.LOGIN_STORE_UNAVAILABLE;
      })
      .then(finish, (err: unknown) => {
        log(`login ${JSON.stringify(user)} failed: ${(err as Error).message}`);
        finish(Result.LOGIN_STORE_UNAVAILABLE);
      });
  };

  const server = new TcpServer(
    loop,
    {
      onConnection(conn) {
        conn.context = new Session(conn);
      },
      onMessage(conn) {
        handleInput(conn.context as Session);
      },
      onClose(conn) {
        const s = conn.context as Session;
        rooms.leave(s);
        if (s.loggedIn && online.get(s.userId) === s) online.delete(s.userId);
      },
    },
    { address: joinHostPort(opts.host, opts.port) },
  );
  server.listen();
  return {
    address: server.address,
    close: async (deadlineMs) => {
      await server.close(deadlineMs);
      redis.close();
    },
  };
}
