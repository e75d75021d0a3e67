// The resp-server's command table: each command's name, arity (Redis's convention: n means
// exactly n arguments with the name, -n at least n) and handler. Replies are written into
// the caller's ByteBuffer; error texts are Redis 7's, byte for byte, so clients that match
// on them (redis-cli, client libraries' tests) see what they expect.
//
// Lookup allocates nothing: a hash of the lower-cased name bytes picks a candidate, and a
// case-insensitive byte compare confirms it.
//
// Threading: handlers run on the loop thread that owns the session and keyspace.
import type { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import {
  writeArrayHeader,
  writeBulkBytes,
  writeBulkString,
  writeError,
  writeInteger,
  writeNull,
  writeSimpleString,
  type RespCommandDecoder,
} from '../../src/codec/resp.js';
import type { Keyspace } from './keyspace.js';
import { argKey, argPreview, argValue, writeArgBulk, writeValueBulk } from './args.js';
import { globMatch } from './glob.js';
import { int64, addInt64, INT64_MAX, INT64_MIN } from './int64.js';

/** What a handler may touch besides its arguments. */
export interface CommandContext {
  readonly keys: Keyspace;
  readonly session: Session;
  /** CONFIG GET answers from here (name → value). */
  readonly config: ReadonlyMap<string, string>;
}

/** Per-connection state. */
export interface Session {
  readonly id: number;
  /** CLIENT SETNAME's bytes (printable ASCII only). */
  name: Buffer | null;
  /** Set by QUIT or a protocol error: close once the replies are out. */
  closeAfterReply: boolean;
}

type Handler = (ctx: CommandContext, a: RespCommandDecoder, out: ByteBuffer) => void;

interface Command {
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly run: Handler;
}

const OK = Buffer.from('+OK\r\n');
const PONG = Buffer.from('+PONG\r\n');
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const OVERFLOW = 'ERR increment or decrement would overflow';
const SYNTAX = 'ERR syntax error';

const COMMANDS: Command[] = [];
const BY_HASH = new Map<number, Command>();

function def(name: string, arity: number, flags: string[], keys: [number, number, number], run: Handler): void {
  const cmd: Command = { name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], run };
  const h = nameHash(Buffer.from(name), 0, name.length);
  if (BY_HASH.has(h)) throw new Error(`command hash collision: ${name} and ${BY_HASH.get(h)!.name}`);
  BY_HASH.set(h, cmd);
  COMMANDS.push(cmd);
}

function nameHash(b: Uint8Array, o: number, len: number): number {
  let h = len;
  for (let k = 0; k < len; k++) h = (Math.imul(h, 31) + (b[o + k]! | 0x20)) | 0;
  return h;
}

/** Runs the command the decoder holds and writes its reply into `out`. */
export function execute(ctx: CommandContext, a: RespCommandDecoder, out: ByteBuffer): void {
  const len = a.argLength(0);
  const cmd = len <= 16 ? BY_HASH.get(nameHash(a.argBuffer, a.argOffset(0), len)) : undefined;
  if (cmd === undefined || !a.argIs(0, cmd.name)) {
    let args = '';
    for (let i = 1; i < a.argc && args.length < 128; i++) args += `'${argPreview(a, i, 128 - args.length)}' `;
    writeError(out, `ERR unknown command '${argPreview(a, 0)}', with args beginning with: ${args}`);
    return;
  }
  const argc = a.argc;
  if (cmd.arity > 0 ? argc !== cmd.arity : argc < -cmd.arity) {
    writeError(out, arityError(cmd.name));
    return;
  }
  cmd.run(ctx, a, out);
}

function arityError(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

// --- connection and server ------------------------------------------------------------------

def('ping', -1, ['fast'], [0, 0, 0], (_c, a, out) => {
  if (a.argc > 2) writeError(out, arityError('ping'));
  else if (a.argc === 2) writeArgBulk(out, a, 1);
  else out.append(PONG);
});
def('echo', 2, ['fast'], [0, 0, 0], (_c, a, out) => writeArgBulk(out, a, 1));
def('quit', -1, ['fast'], [0, 0, 0], (c, _a, out) => {
  out.append(OK);
  c.session.closeAfterReply = true;
});
def('select', 2, ['fast'], [0, 0, 0], (_c, a, out) => {
  const db = a.argInteger(1);
  if (Number.isNaN(db)) writeError(out, NOT_INTEGER);
  else if (db !== 0) writeError(out, 'ERR DB index is out of range');
  else out.append(OK);
});
def('dbsize', 1, ['readonly', 'fast'], [0, 0, 0], (c, _a, out) => writeInteger(out, c.keys.size));
def('flushall', -1, ['write'], [0, 0, 0], (c, a, out) => {
  if (a.argc > 2 || (a.argc === 2 && !a.argIs(1, 'sync') && !a.argIs(1, 'async'))) return writeError(out, SYNTAX);
  c.keys.flush();
  out.append(OK);
});
def('command', -1, ['loading', 'stale'], [0, 0, 0], (_c, a, out) => {
  if (a.argc === 1) {
    writeArrayHeader(out, COMMANDS.length);
    for (const cmd of COMMANDS) writeCommandInfo(out, cmd);
  } else if (a.argIs(1, 'count') && a.argc === 2) writeInteger(out, COMMANDS.length);
  else if (a.argIs(1, 'docs')) writeArrayHeader(out, 0);
  else if (a.argIs(1, 'info')) {
    writeArrayHeader(out, a.argc - 2);
    for (let i = 2; i < a.argc; i++) {
      const cmd = COMMANDS.find((c) => a.argIs(i, c.name));
      if (cmd) writeCommandInfo(out, cmd);
      else writeNullArrayReply(out);
    }
  } else writeError(out, `ERR unknown subcommand '${argPreview(a, 1)}'. Try COMMAND HELP.`);
});
def('config', -2, ['admin'], [0, 0, 0], (c, a, out) => {
  if (!a.argIs(1, 'get')) {
    writeError(out, `ERR unknown subcommand '${argPreview(a, 1)}'. Try CONFIG HELP.`);
    return;
  }
  if (a.argc < 3) return writeError(out, arityError('config|get'));
  const pairs: string[] = [];
  for (const [name, value] of c.config) {
    const nameBytes = Buffer.from(name, 'latin1');
    for (let i = 2; i < a.argc; i++) {
      const o = a.argOffset(i);
      if (globMatch(a.argBuffer.subarray(o, o + a.argLength(i)), nameBytes, true)) {
        pairs.push(name, value);
        break;
      }
    }
  }
  writeArrayHeader(out, pairs.length);
  for (const s of pairs) writeBulkString(out, s);
});
def('client', -2, ['admin'], [0, 0, 0], (c, a, out) => {
  if (a.argIs(1, 'setname') && a.argc === 3) {
    const name = a.arg(2);
    if (name.some((b) => b < 0x21 || b > 0x7e)) return writeError(out, 'ERR Client names cannot contain spaces, newlines or special characters.');
    c.session.name = name.length === 0 ? null : name;
    out.append(OK);
  } else if (a.argIs(1, 'getname') && a.argc === 2) {
    if (c.session.name === null) writeNull(out);
    else writeBulkBytes(out, c.session.name, 0, c.session.name.length);
  } else if (a.argIs(1, 'id') && a.argc === 2) writeInteger(out, c.session.id);
  else if (a.argIs(1, 'setinfo') && a.argc === 4) out.append(OK);
  else writeError(out, `ERR unknown subcommand or wrong number of arguments for '${argPreview(a, 1)}'. Try CLIENT HELP.`);
});

function writeCommandInfo(out: ByteBuffer, cmd: Command): void {
  writeArrayHeader(out, 6);
  writeBulkString(out, cmd.name);
  writeInteger(out, cmd.arity);
  writeArrayHeader(out, cmd.flags.length);
  for (const f of cmd.flags) writeSimpleString(out, f);
  writeInteger(out, cmd.firstKey);
  writeInteger(out, cmd.lastKey);
  writeInteger(out, cmd.step);
}

function writeNullArrayReply(out: ByteBuffer): void {
  out.append('*-1\r\n', 'latin1');
}

// --- strings ----------------------------------------------------------------------------------

def('get', 2, ['readonly', 'fast'], [1, 1, 1], (c, a, out) => {
  const v = c.keys.get(argKey(a, 1));
  if (v === undefined) writeNull(out);
  else writeValueBulk(out, v);
});
def('set', -3, ['write', 'denyoom'], [1, 1, 1], (c, a, out) => {
  let nx = false;
  let xx = false;
  let keepTtl = false;
  let get = false;
  let ttlMs = -1;
  for (let i = 3; i < a.argc; i++) {
    const hasNext = i + 1 < a.argc;
    if (a.argIs(i, 'nx') && !xx) nx = true;
    else if (a.argIs(i, 'xx') && !nx) xx = true;
    else if (a.argIs(i, 'keepttl') && ttlMs < 0) keepTtl = true;
    else if (a.argIs(i, 'get')) get = true;
    else if ((a.argIs(i, 'ex') || a.argIs(i, 'px')) && hasNext && ttlMs < 0 && !keepTtl) {
      // Redis's getExpireMillisecondsOrReply: an int64, > 0, within int64 once in ms and dated.
      const unit = a.argIs(i, 'ex') ? 1000n : 1n;
      i++;
      const n = a.argLength(i) > 20 ? null : int64(a.argLatin1(i));
      if (n === null) return writeError(out, NOT_INTEGER);
      const ms = BigInt(n) * unit;
      if (n <= 0 || BigInt(n) > INT64_MAX / unit || ms > INT64_MAX - BigInt(Date.now())) return writeError(out, "ERR invalid expire time in 'set' command");
      ttlMs = Number(ms);
    } else return writeError(out, SYNTAX);
  }
  const key = argKey(a, 1);
  const old = nx || xx || get ? c.keys.get(key) : undefined;
  if ((nx && old !== undefined) || (xx && old === undefined)) {
    if (get && old !== undefined) writeValueBulk(out, old);
    else writeNull(out);
    return;
  }
  c.keys.set(key, argValue(a, 2), keepTtl);
  if (ttlMs > 0) c.keys.expireAt(key, Date.now() + ttlMs);
  if (!get) out.append(OK);
  else if (old === undefined) writeNull(out);
  else writeValueBulk(out, old);
});
def('mget', -2, ['readonly', 'fast'], [1, -1, 1], (c, a, out) => {
  writeArrayHeader(out, a.argc - 1);
  for (let i = 1; i < a.argc; i++) {
    const v = c.keys.get(argKey(a, i));
    if (v === undefined) writeNull(out);
    else writeValueBulk(out, v);
  }
});
def('mset', -3, ['write', 'denyoom'], [1, -1, 2], (c, a, out) => {
  if (a.argc % 2 === 0) return writeError(out, arityError('mset'));
  for (let i = 1; i < a.argc; i += 2) c.keys.set(argKey(a, i), argValue(a, i + 1));
  out.append(OK);
});
def('del', -2, ['write'], [1, -1, 1], (c, a, out) => {
  let n = 0;
  for (let i = 1; i < a.argc; i++) if (c.keys.delete(argKey(a, i))) n++;
  writeInteger(out, n);
});
def('exists', -2, ['readonly', 'fast'], [1, -1, 1], (c, a, out) => {
  let n = 0;
  for (let i = 1; i < a.argc; i++) if (c.keys.has(argKey(a, i))) n++;
  writeInteger(out, n);
});

function incrBy(c: CommandContext, key: string, by: number | bigint, out: ByteBuffer): void {
  const old = c.keys.get(key);
  const cur = old === undefined ? 0 : typeof old === 'string' ? int64(old) : null; // a Buffer is over 1 MiB: no integer
  if (cur === null) return writeError(out, NOT_INTEGER);
  const next = addInt64(cur, by);
  if (next === null) return writeError(out, OVERFLOW);
  c.keys.set(key, String(next), true);
  writeInteger(out, next);
}

def('incr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, out) => incrBy(c, argKey(a, 1), 1, out));
def('decr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, out) => incrBy(c, argKey(a, 1), -1, out));
for (const [name, sign] of [['incrby', 1], ['decrby', -1]] as const) {
  def(name, 3, ['write', 'denyoom', 'fast'], [1, 1, 1], (c, a, out) => {
    const by = a.argLength(2) > 20 ? null : int64(a.argLatin1(2));
    if (by === null) return writeError(out, NOT_INTEGER);
    if (sign < 0 && by === -9223372036854775808n) return writeError(out, 'ERR decrement would overflow');
    incrBy(c, argKey(a, 1), sign > 0 ? by : typeof by === 'bigint' ? -by : -by, out);
  });
}

// --- expiry -----------------------------------------------------------------------------------

for (const [name, unit] of [['expire', 1000n], ['pexpire', 1n]] as const) {
  def(name, -3, ['write', 'fast'], [1, 1, 1], (c, a, out) => {
    // Redis's order: the options first, then the number (int64), then the overflow checks of
    // expireGenericCommand: seconds to ms, then adding the current time, each within int64.
    let nx = false, xx = false, gt = false, lt = false;
    for (let i = 3; i < a.argc; i++) {
      if (a.argIs(i, 'nx')) nx = true;
      else if (a.argIs(i, 'xx')) xx = true;
      else if (a.argIs(i, 'gt')) gt = true;
      else if (a.argIs(i, 'lt')) lt = true;
      else return writeError(out, `ERR Unsupported option ${argPreview(a, i)}`);
    }
    if (nx && (xx || gt || lt)) return writeError(out, 'ERR NX and XX, GT or LT options at the same time are not compatible');
    if (gt && lt) return writeError(out, 'ERR GT and LT options at the same time are not compatible');
    const n = a.argLength(2) > 20 ? null : int64(a.argLatin1(2));
    if (n === null) return writeError(out, NOT_INTEGER);
    const invalid = `ERR invalid expire time in '${name}' command`;
    let when = BigInt(n);
    if (unit !== 1n) {
      if (when > INT64_MAX / unit || when < INT64_MIN / unit) return writeError(out, invalid);
      when *= unit;
    }
    const now = Date.now();
    if (when > INT64_MAX - BigInt(now)) return writeError(out, invalid);
    const at = Number(when) + now; // beyond 2^53 ms (year 287,000) a few ms of rounding do not matter
    const key = argKey(a, 1);
    const left = c.keys.pttl(key);
    if (left === -2) return writeInteger(out, 0);
    const cur = left === -1 ? Infinity : now + left; // no TTL counts as infinite for GT/LT
    if ((nx && left !== -1) || (xx && left === -1) || (gt && !(at > cur)) || (lt && !(at < cur))) return writeInteger(out, 0);
    c.keys.expireAt(key, at);
    writeInteger(out, 1);
  });
}
def('persist', 2, ['write', 'fast'], [1, 1, 1], (c, a, out) => {
  const key = argKey(a, 1);
  writeInteger(out, c.keys.has(key) && c.keys.persist(key) ? 1 : 0);
});
def('ttl', 2, ['readonly', 'fast'], [1, 1, 1], (c, a, out) => {
  const ms = c.keys.pttl(argKey(a, 1));
  writeInteger(out, ms < 0 ? ms : Math.floor((ms + 500) / 1000));
});
def('pttl', 2, ['readonly', 'fast'], [1, 1, 1], (c, a, out) => writeInteger(out, c.keys.pttl(argKey(a, 1))));
