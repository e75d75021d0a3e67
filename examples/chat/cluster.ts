// What the chat processes of one `--cluster` share through Redis: session claims, room
// membership and room chat. The server (server.ts) keeps its own connections and local room
// sets; this module keeps Redis agreeing with them and carries chats between processes.
//
// Keys (C = the cluster name, --cluster-name):
//   session:C:<user>  the login's claim token "<owner>.<seq>", SET NX PX ttl; renewed every
//                     ttl/3 by its owner (only while it still holds that token), deleted on
//                     logout/disconnect and on clean shutdown (only if it still holds the token).
//   room:C:<n>        sorted set of "<user>\0<token>", scored by entry order (roomseq:C). A member
//                     counts only while its session key still holds that token, so the members
//                     of a process that died (kill -9) stop counting when its claims expire; the
//                     enter script prunes them.
//   chat:C            the one pub/sub channel: [room i32 LE][owner 8 bytes][216 packet].
// Scripts run with EVAL (the body each time: nothing to re-load after a Redis restart) and
// touch the room and session keys they compute — fine on one Redis, not on Redis Cluster.
//
// Redis down: enter and chat are refused by the caller (Result.CLUSTER_UNAVAILABLE); leaves and
// releases are queued and sent when it is back; on every (re)connection the process re-claims
// its live sessions and re-adds their memberships (a restarted Redis is empty), and its
// subscriber connection subscribes again. Every such event is logged.
//
// Threading: the loop's thread. Lifetime: close() stops renewing, sends the releases the server's
// disconnects queued, waits for them (bounded) and closes both connections.
import { randomBytes } from 'node:crypto';
import type { EventLoop, TimerNode } from '../../src/index.js';
import type { RespValue } from '../../src/codec/index.js';
import { RedisClient, RedisError } from './redis.js';

/** A login this process serves, as the cluster must know it. */
export interface LiveSession {
  readonly userId: string;
  /** Its claim token (the value of session:C:<user>). */
  readonly token: string;
  /** Its room, -1 for none. */
  readonly room: number;
}

/** What the server gives the cluster. */
export interface ClusterHooks {
  /** The sessions this process serves now (renewed, and re-claimed after a Redis restart). */
  live(): Iterable<LiveSession>;
  /** Another login holds `userId`'s claim (it expired while Redis was unreachable): end ours. */
  lost(userId: string, token: string): void;
  /** A 216 packet another process published for `room`, sent by `from`. */
  deliver(room: number, from: string, packet: Uint8Array): void;
  /** One line for the server's log. */
  log(line: string): void;
}

/** Settings of the cluster (plain data). */
export interface ClusterSettings {
  /** Cluster name: processes with the same Redis and name serve one chat. */
  name: string;
  /** Session claim TTL, ms. */
  sessionTtlMs: number;
}

// KEYS = session keys; ARGV = ttl, room key prefix, entry-order key, then per key: token, room, user.
// Renews claims still ours, re-claims vanished ones (and their memberships), returns the
// 0-based indices of those another login holds.
const RENEW = `
local ttl, prefix, seq = ARGV[1], ARGV[2], ARGV[3]
local lost = {}
for i, key in ipairs(KEYS) do
  local token, room, user = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  local held = redis.call('GET', key)
  if held == token then
    redis.call('PEXPIRE', key, ttl)
  elseif held == false then
    redis.call('SET', key, token, 'PX', ttl)
  else
    lost[#lost + 1] = i - 1
  end
  if (held == token or held == false) and room ~= '-1' then
    local member = user .. '\\0' .. token
    if redis.call('ZSCORE', prefix .. room, member) == false then
      redis.call('ZADD', prefix .. room, redis.call('INCR', seq), member)
    end
  end
end
return lost`;

// KEYS[1] = session key; ARGV[1] = token. Deletes the claim only if it is still this login's.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS[1] = room key; ARGV = capacity, member, session key prefix, entry-order key.
// Prunes members whose claim is gone, then adds the member if the room has space.
// Returns {1, first member's user id or ''} or {0, ''} when full.
const ENTER = `
local live, first = 0, ''
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local z = string.find(m, '\\0', 1, true)
  local user = string.sub(m, 1, z - 1)
  if redis.call('GET', ARGV[3] .. user) == string.sub(m, z + 1) then
    live = live + 1
    if first == '' then first = user end
  else
    redis.call('ZREM', KEYS[1], m)
  end
end
if live >= tonumber(ARGV[1]) then return {0, ''} end
redis.call('ZADD', KEYS[1], redis.call('INCR', ARGV[4]), ARGV[2])
return {1, first}`;

/** Sessions renewed per EVAL (a bounded script run). */
const RENEW_BATCH = 500;
/** Most leaves/releases kept while Redis is down; older ones are dropped (their claims expire anyway). */
const MAX_BACKLOG = 10_000;
/** Bytes of the owner id in a published chat. */
const OWNER_BYTES = 8;
/** Bytes before the 216 packet in a published chat: room i32, owner. */
const CHAT_HEADER = 4 + OWNER_BYTES;
/** Offset and size of the UserID field inside a 216 packet (after its 5-byte header). */
const NOTIFY_USER_AT = 5;
const NOTIFY_USER_SIZE = 21;

/** The Redis side of one chat process in a cluster. */
export class ChatCluster {
  readonly #loop: EventLoop;
  readonly #redis: RedisClient;
  readonly #sub: RedisClient;
  readonly #hooks: ClusterHooks;
  readonly #ttlMs: number;
  readonly #owner = randomBytes(OWNER_BYTES);
  readonly #ownerHex = this.#owner.toString('hex');
  readonly #sessionPrefix: string;
  readonly #roomPrefix: string;
  readonly #seqKey: string;
  readonly #channel: string;
  #claims = 0;
  #renewTimer: TimerNode | null = null;
  readonly #backlog: Array<Array<string | number>> = [];
  #backlogDropped = 0;
  #refusedWhileDown = 0;
  readonly #inflight = new Set<Promise<unknown>>();
  #closed = false;
  #wasUp = false;

  /**
   * `redis` is the server's command connection; call onRedisUp() from its onConnect and
   * onRedisDown() from its loss. The subscriber connection is made here.
   */
  constructor(loop: EventLoop, redis: RedisClient, redisAddress: string, settings: ClusterSettings, hooks: ClusterHooks) {
    this.#loop = loop;
    this.#redis = redis;
    this.#hooks = hooks;
    this.#ttlMs = settings.sessionTtlMs;
    this.#sessionPrefix = `session:${settings.name}:`;
    this.#roomPrefix = `room:${settings.name}:`;
    this.#seqKey = `roomseq:${settings.name}`;
    this.#channel = `chat:${settings.name}`;
    this.#sub = new RedisClient(loop, redisAddress, {
      onState: (up, detail) => {
        if (!up) hooks.log(`cluster: subscriber connection ${detail}; chats from other processes do not reach this one until it is back`);
      },
      onConnect: () => this.#subscribe(),
      onPush: (v) => this.#onPush(v),
    });
    this.#scheduleRenew();
  }

  /** This process's owner id (hex), the first part of its tokens. */
  get owner(): string {
    return this.#ownerHex;
  }

  /** Claims `user` for this process: its token, or null if another login holds it. */
  async claim(user: string): Promise<string | null> {
    const token = `${this.#ownerHex}.${++this.#claims}`;
    const r = await this.#redis.command(['SET', this.#sessionPrefix + user, token, 'NX', 'PX', this.#ttlMs]);
    return r === null ? null : token;
  }

  /** Ends a login: deletes its claim if still its own (queued while Redis is down). */
  release(user: string, token: string): void {
    this.#send(['EVAL', RELEASE, 1, this.#sessionPrefix + user, token]);
  }

  /** Adds the login to `room` unless it holds `capacity` live members: { entered, first member already there }. */
  async enter(room: number, user: string, token: string, capacity: number): Promise<{ entered: boolean; rival: string }> {
    const r = await this.#redis.command(['EVAL', ENTER, 1, this.#roomPrefix + room, capacity, `${user}\0${token}`, this.#sessionPrefix, this.#seqKey]);
    if (!Array.isArray(r) || r.length !== 2) throw new RedisError('REDIS_REPLY', `enter script answered ${String(r)}`);
    return { entered: r[0] === 1, rival: r[1] === null ? '' : String(r[1]) };
  }

  /** Takes the login out of `room` (queued while Redis is down). */
  leave(room: number, user: string, token: string): void {
    this.#send(['ZREM', this.#roomPrefix + room, `${user}\0${token}`]);
  }

  /** Publishes a 216 packet for `room` to the other processes; resolves once Redis accepted it. */
  async publish(room: number, notify: Uint8Array): Promise<void> {
    const payload = Buffer.allocUnsafe(CHAT_HEADER + notify.length);
    payload.writeInt32LE(room, 0);
    this.#owner.copy(payload, 4);
    payload.set(notify, CHAT_HEADER);
    await this.#redis.command(['PUBLISH', this.#channel, payload]);
  }

  /** Counts a chat refused because Redis was unreachable (reported when it is back). */
  refused(): void {
    this.#refusedWhileDown++;
  }

  /** From the command connection's onConnect: flush the queued leaves and releases, re-claim. */
  onRedisUp(): void {
    if (!this.#wasUp) {
      this.#wasUp = true;
      this.#hooks.log(`cluster: joined cluster ${JSON.stringify(this.#channel.slice(5))} as ${this.#ownerHex} (session ttl ${this.#ttlMs} ms)`);
      return; // nothing to re-claim: no login succeeds before the first connection
    }
    const queued = this.#backlog.splice(0);
    for (const args of queued) this.#send(args);
    const refused = this.#refusedWhileDown;
    this.#refusedWhileDown = 0;
    this.#hooks.log(
      `cluster: redis is back; sent ${queued.length} queued leaves/releases` +
        (this.#backlogDropped ? ` (${this.#backlogDropped} dropped: their claims expire by themselves)` : '') +
        `, refused ${refused} chats/room entries while it was down; re-claiming live sessions`,
    );
    this.#backlogDropped = 0;
    this.#renew(true);
  }

  /** From the command connection's loss. */
  onRedisDown(detail: string): void {
    this.#hooks.log(`cluster: redis connection ${detail}; logins answer 35, room entries and chats answer 37 until it is back`);
  }

  /** Stops renewing, flushes the releases (bounded by `deadlineMs`), closes both connections. */
  async close(deadlineMs: number): Promise<void> {
    this.#closed = true;
    if (this.#renewTimer !== null) this.#loop.cancel(this.#renewTimer);
    this.#renewTimer = null;
    if (this.#inflight.size > 0) {
      let timer: TimerNode | null = null;
      const late = new Promise<void>((r) => (timer = this.#loop.setTimeout(() => r(), Math.max(0, Math.min(deadlineMs, 2000)))));
      await Promise.race([Promise.allSettled([...this.#inflight]), late]);
      if (timer !== null) this.#loop.cancel(timer);
    }
    if (this.#backlog.length > 0) this.#hooks.log(`cluster: ${this.#backlog.length} releases unsent at shutdown (redis down); those claims expire within ${this.#ttlMs} ms`);
    this.#sub.close();
  }

  /** Sends a fire-and-forget command; queues it if Redis is down (or the connection drops before it is answered). */
  #send(args: Array<string | number>): void {
    if (!this.#redis.connected) return this.#queue(args);
    const p = this.#redis.command(args).then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof RedisError && err.code !== 'REDIS_REPLY' && !this.#closed) this.#queue(args);
        else if (err instanceof RedisError && err.code === 'REDIS_REPLY') this.#hooks.log(`cluster: ${String(args[0])} failed: ${err.message}`);
      },
    );
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  #queue(args: Array<string | number>): void {
    if (this.#backlog.length >= MAX_BACKLOG) {
      this.#backlog.shift();
      this.#backlogDropped++;
    }
    this.#backlog.push(args);
  }

  #scheduleRenew(): void {
    if (this.#closed) return;
    this.#renewTimer = this.#loop.setTimeout(() => {
      this.#renew(false);
      this.#scheduleRenew();
    }, Math.max(50, Math.floor(this.#ttlMs / 3)));
  }

  /** Renews (or re-claims) every live session, in batches; ends those another login took. */
  #renew(report: boolean): void {
    if (!this.#redis.connected) return;
    const all = [...this.#hooks.live()];
    let lost = 0;
    const batches: Array<Promise<void>> = [];
    for (let i = 0; i < all.length; i += RENEW_BATCH) {
      const batch = all.slice(i, i + RENEW_BATCH);
      const args: Array<string | number> = ['EVAL', RENEW, batch.length, ...batch.map((s) => this.#sessionPrefix + s.userId), this.#ttlMs, this.#roomPrefix, this.#seqKey];
      for (const s of batch) args.push(s.token, s.room, s.userId);
      batches.push(
        this.#redis.command(args).then(
          (r) => {
            if (!Array.isArray(r)) return;
            for (const idx of r) {
              const s = batch[Number(idx)];
              if (s === undefined) continue;
              lost++;
              this.#hooks.log(`cluster: ${JSON.stringify(s.userId)} is logged in elsewhere now (its claim expired while redis was unreachable); closing this login`);
              this.#hooks.lost(s.userId, s.token);
            }
          },
          (err: unknown) => this.#hooks.log(`cluster: renewing ${batch.length} sessions failed: ${(err as Error).message}`),
        ),
      );
    }
    if (report) void Promise.all(batches).then(() => this.#hooks.log(`cluster: re-claimed ${all.length - lost} live sessions, ${lost} taken by other logins`));
  }

  #subscribe(): void {
    this.#sub.command(['SUBSCRIBE', this.#channel]).then(
      () => this.#hooks.log(`cluster: subscribed to ${this.#channel} as ${this.#ownerHex}`),
      (err: unknown) => this.#hooks.log(`cluster: SUBSCRIBE ${this.#channel} failed: ${(err as Error).message}`),
    );
  }

  #onPush(v: RespValue): void {
    // ["message", channel, payload]; anything else on this connection is not for us.
    if (!Array.isArray(v) || v.length !== 3 || !Buffer.isBuffer(v[2]) || String(v[0]) !== 'message') return;
    const payload = v[2];
    if (payload.length <= CHAT_HEADER + NOTIFY_USER_AT + NOTIFY_USER_SIZE) return;
    if (payload.compare(this.#owner, 0, OWNER_BYTES, 4, CHAT_HEADER) === 0) return; // ours: delivered locally already
    const packet = payload.subarray(CHAT_HEADER);
    const userField = packet.subarray(NOTIFY_USER_AT, NOTIFY_USER_AT + NOTIFY_USER_SIZE);
    const nul = userField.indexOf(0);
    this.#hooks.deliver(payload.readInt32LE(0), userField.toString('utf8', 0, nul < 0 ? NOTIFY_USER_SIZE : nul), packet);
  }
}
