// The chat server: logins checked against Redis, numbered rooms, room chat (protocol.ts).
//
// Per connection a Session: logged out -> (login pending: reading paused, so requests are
// handled in order) -> logged in as one user id -> maybe in one room. A user id is logged in
// on one connection at a time (a second login answers 31). Leaving, or disconnecting, removes
// the room membership. A chat goes to every other member of the sender's room, and to no one
// else. A malformed packet — length < 5 or > 512, an unknown id, a body too short — closes
// that connection only, with the reason on stderr; so does any unexpected throw while serving
// a connection, in a callback or after a Redis answer (logged with the peer, shared/errors.ts).
//
// Redis: one RedisClient (redis.ts) for the whole server, reconnecting with backoff. While it
// is down, logins answer 35 (LOGIN_STORE_UNAVAILABLE) at once and the rest keeps working;
// once it is back, logins work again.
//
// --cluster (cluster.ts): every process with the same Redis and cluster name serves one chat. A
// login also claims the user in Redis (31 if any process holds it); a room enter asks Redis
// (size and the 207 "already there" user count every process's members); a chat is published
// to the other processes and delivered here once Redis accepted it. While Redis is down, room
// enters and chats answer 37 (CLUSTER_UNAVAILABLE) — refused, not lost — and leaving always
// works. A request that waits for Redis pauses its connection's reading, like a login, so
// answers keep the requests' order.
//
// Threading: everything on the loop's thread; async steps (Redis reply, scrypt) come back to it.
import { ByteBuffer, CodecError, EventLoop, TcpServer, type TcpConnection } from '../../src/index.js';
import { PacketReader } from '../../src/codec/index.js';
import { joinHostPort, peerName, type ServerArgs } from '../shared/cli.js';
import { keepServing, logConnectionError } from '../shared/errors.js';
import type { RunningServer } from '../shared/run.js';
import {
  CHAT_MSG_FIELD,
  encode,
  MAX_USER_ID_LEN,
  PacketId,
  packetCodec,
  Result,
  truncateUtf8,
  USER_ID_FIELD,
  USER_PW_FIELD,
} from './protocol.js';
import { ChatCluster } from './cluster.js';
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
  /** Share sessions, rooms and chats with the other processes of this cluster name (null: alone). */
  cluster: { name: string; sessionTtlMs: number } | null;
}

/** A packet id this server does not know: like a codec error, it closes the connection. */
class UnknownPacketError extends Error {
  readonly code = 'CHAT_UNKNOWN_PACKET';
}

class Session {
  userId = '';
  /** The cluster claim token of this login ('' without --cluster). */
  token = '';
  room = -1;
  /** An answer from Redis is due: reading is paused until it comes. */
  waiting = false;
  constructor(readonly conn: TcpConnection) {}
  get loggedIn(): boolean {
    return this.userId !== '';
  }
}

/** Builds the chat server on `loop` and starts listening; Redis is connected in the background. */
export function start(loop: EventLoop, opts: ChatOptions): RunningServer {
  const log = (line: string): void => void process.stderr.write(`chat: ${line}\n`);
  let cluster: ChatCluster | null = null;
  const redis = new RedisClient(loop, opts.redis, {
    onState: (up, detail) => {
      if (opts.verbose) log(`redis ${up ? 'up' : 'down'}: ${detail}`);
      if (!up) cluster?.onRedisDown(detail);
    },
    onConnect: () => cluster?.onRedisUp(),
  });
  const codec = packetCodec();
  const reader = new PacketReader(new Uint8Array(0), 'le');
  const out = new ByteBuffer();
  const rooms = new Rooms<Session>(opts.rooms, opts.roomSize);
  const online = new Map<string, Session>();
  const sync = loop.driver === 'exclusive';
  if (opts.cluster) {
    cluster = new ChatCluster(loop, redis, opts.redis, opts.cluster, {
      live: () => online.values(),
      lost: (user, token) => {
        const s = online.get(user);
        if (s?.token === token) s.conn.close();
      },
      deliver: (room, from, packet) => {
        if (!rooms.valid(room)) return;
        for (const m of rooms.members(room)) if (m.userId !== from && m.conn.connected) m.conn.send(packet);
      },
      log,
    });
  }

  const reply = (conn: TcpConnection): void => {
    if (out.readableBytes > 0 && conn.connected) conn.send(out.peek());
    out.retrieveAll();
  };

  /** Handles the buffered packets of one connection, until one needs to wait (a login). */
  const handleInput = (s: Session): void => {
    const conn = s.conn;
    try {
      while (!s.waiting && conn.connected) {
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
        else if (cluster !== null) return clusterEnter(cluster, s, room);
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
          cluster?.leave(s.room, s.userId, s.token);
          rooms.leave(s);
        }
        encode.roomLeaveResponse(out, result);
        return;
      }
      case PacketId.ROOM_CHAT_REQUEST: {
        // The field's bytes as received (the tutorial copies them): a message with no NUL or
        // not valid UTF-8 is relayed as it came, never decoded and re-encoded.
        const msg = reader.getBytes(CHAT_MSG_FIELD);
        let result: number = Result.NONE;
        if (!s.loggedIn) result = Result.NOT_LOGGED_IN;
        else if (s.room < 0) result = Result.CHAT_ROOM_INVALID_ROOM_NUMBER;
        else if (cluster !== null) return clusterChat(cluster, s, msg);
        else broadcast(s, msg);
        encode.roomChatResponse(out, result);
        return;
      }
      default:
        throw new UnknownPacketError(`unknown packet id ${id}`);
    }
  };

  /** ROOM_CHAT_NOTIFY to every other member of the sender's room: encoded once, sent to each. */
  const broadcast = (from: Session, msg: Uint8Array): void => sendToRoom(from, notifyPacket(from, msg));
  const notifyPacket = (from: Session, msg: Uint8Array): Uint8Array => {
    const note = new ByteBuffer(320);
    encode.roomChatNotifyRaw(note, truncateUtf8(from.userId, MAX_USER_ID_LEN), msg);
    return note.peek();
  };
  const sendToRoom = (from: Session, bytes: Uint8Array): void => {
    for (const m of rooms.members(from.room)) if (m !== from && m.conn.connected) m.conn.send(bytes);
  };

  /**
   * Pauses `s` until `work` settles, then lets `answer` encode the reply (`connected` false: the
   * client is gone, only clean up), sends it and handles the requests that arrived meanwhile.
   */
  const suspend = <T>(s: Session, work: Promise<T>, answer: (outcome: { ok: true; value: T } | { ok: false; error: unknown }, connected: boolean) => void): void => {
    const conn = s.conn;
    s.waiting = true;
    conn.pauseReading();
    const resume = (outcome: { ok: true; value: T } | { ok: false; error: unknown }): void => {
      s.waiting = false;
      // This runs from a promise, outside the loop's callbacks: contain a throw here as the
      // server's onError would (log with the peer, close this connection), or it would become
      // an unhandled rejection and end the process.
      try {
        answer(outcome, conn.connected);
        if (!conn.connected) return void out.retrieveAll();
        reply(conn);
        conn.resumeReading();
        handleInput(s);
      } catch (err) {
        logConnectionError('chat', err instanceof Error ? err : new Error(String(err)), conn);
        out.retrieveAll();
        conn.close();
      }
    };
    work.then(
      (value) => resume({ ok: true, value }),
      (error: unknown) => resume({ ok: false, error }),
    );
  };

  /** Logs why a request that needed Redis failed: Redis's state only with --verbose, anything else always. */
  const logFailure = (what: string, error: unknown): void => {
    if (!(error instanceof RedisError)) log(`${what} failed: ${(error as Error).message}`);
    else if (opts.verbose) log(`${what}: ${error.message}`);
  };

  /** Room enter with --cluster: Redis decides (every process's members count). */
  const clusterEnter = (c: ChatCluster, s: Session, room: number): void => {
    if (!redis.connected) {
      c.refused();
      encode.roomEnterResponse(out, Result.CLUSTER_UNAVAILABLE, '');
      return;
    }
    suspend(s, c.enter(room, s.userId, s.token, rooms.capacity), (outcome, connected) => {
      let result: number = Result.NONE;
      let rival = '';
      if (!outcome.ok) {
        logFailure(`${s.userId} entering room ${room}`, outcome.error);
        c.refused();
        result = Result.CLUSTER_UNAVAILABLE;
      } else if (!outcome.value.entered) result = Result.ENTER_ROOM_FULL_USER;
      else if (!connected || !rooms.enter(s, room)) {
        c.leave(room, s.userId, s.token); // gone meanwhile (or, a stale case, full here): undo
        result = Result.ENTER_ROOM_FULL_USER;
      } else {
        rival = outcome.value.rival;
        if (opts.verbose) log(`${s.userId} entered room ${room}`);
      }
      encode.roomEnterResponse(out, result, rival);
    });
  };

  /** Room chat with --cluster: published first; delivered here and answered 0 once Redis took it. */
  const clusterChat = (c: ChatCluster, s: Session, msg: Uint8Array): void => {
    if (!redis.connected) {
      c.refused();
      encode.roomChatResponse(out, Result.CLUSTER_UNAVAILABLE);
      return;
    }
    const bytes = notifyPacket(s, msg);
    suspend(s, c.publish(s.room, bytes), (outcome) => {
      if (outcome.ok) sendToRoom(s, bytes);
      else {
        logFailure(`chat from ${s.userId}`, outcome.error);
        c.refused();
      }
      encode.roomChatResponse(out, outcome.ok ? Result.NONE : Result.CLUSTER_UNAVAILABLE);
    });
  };

  const login = (s: Session, user: string, password: string): void => {
    const conn = s.conn;
    if (s.loggedIn || online.has(user)) {
      encode.loginResponse(out, Result.LOGIN_USER_ALREADY);
      return;
    }
    // The next requests wait for this answer: [result, claim token ('' without --cluster)].
    const check = redis.command(['GET', userKey(user)]).then(async (record): Promise<[number, string]> => {
      if (record === null) return [Result.LOGIN_UNKNOWN_USER, ''];
      if (!(await verifyPassword(password, record.toString(), sync))) return [Result.LOGIN_WRONG_PASSWORD, ''];
      if (cluster === null || online.has(user) || !conn.connected) return [Result.NONE, ''];
      const token = await cluster.claim(user); // held by a login on any process: 31
      return token === null ? [Result.LOGIN_USER_ALREADY, ''] : [Result.NONE, token];
    });
    suspend(s, check, (outcome, connected) => {
      let [result, token] = outcome.ok ? outcome.value : [Result.LOGIN_STORE_UNAVAILABLE, ''];
      if (!outcome.ok) logFailure(`login ${JSON.stringify(user)}`, outcome.error);
      if (result === Result.NONE && (!connected || online.has(user))) {
        if (token !== '') cluster?.release(user, token); // gone meanwhile, or another connection here won the race
        result = Result.LOGIN_USER_ALREADY;
      } else if (result === Result.NONE) {
        s.userId = user;
        s.token = token;
        online.set(user, s);
      }
      if (opts.verbose && connected) log(`login ${JSON.stringify(user)} from ${peerName(conn)}: ${result}`);
      encode.loginResponse(out, result);
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
        if (s.room >= 0) cluster?.leave(s.room, s.userId, s.token);
        rooms.leave(s);
        if (s.loggedIn && online.get(s.userId) === s) {
          online.delete(s.userId);
          cluster?.release(s.userId, s.token);
        }
      },
      onError: keepServing('chat', loop),
    },
    { address: joinHostPort(opts.host, opts.port) },
  );
  server.listen();
  return {
    address: server.address,
    close: async (deadlineMs) => {
      await server.close(deadlineMs);
      await cluster?.close(deadlineMs); // the disconnects' releases reach Redis first
      redis.close();
    },
  };
}
