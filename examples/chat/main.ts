// examples/chat: the IOCP chat-server tutorial's server (login, rooms, room chat) on the
// reactor, with logins checked against Redis.
//
//   node dist/examples/chat/main.js [--host 127.0.0.1] [--port 0] [--mode lt|et] [--driver integrated|exclusive]
//        [--redis 127.0.0.1:6379] [--rooms 10] [--room-size 4] [--verbose]
//        [--cluster [--cluster-name chat] [--session-ttl 10]]
//   node dist/examples/chat/main.js adduser <id> <password> [--redis 127.0.0.1:6379]
//
// The server prints "listening on HOST:PORT" and exits 0 on SIGTERM/SIGINT; it starts whether
// or not Redis is up. adduser stores a salted scrypt hash under `user:<id>` and exits 0 (1 if
// Redis cannot be reached within 3 s). Protocol: protocol.ts; client: client.ts.
// --cluster: every process started with the same Redis and --cluster-name serves one chat
// (sessions, rooms and room chat shared through Redis, cluster.ts); --session-ttl is how many
// seconds a killed process's users stay claimed.
import { EventLoop } from '../../src/index.js';
import { fail, numberFlag, parseServerCli } from '../shared/cli.js';
import { runServer } from '../shared/run.js';
import { MAX_USER_ID_LEN, MAX_USER_PW_LEN } from './protocol.js';
import { RedisClient } from './redis.js';
import type { ChatOptions } from './server.js';
import { addUser } from './users.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'chat';
const { server, values, positionals } = parseServerCli({
  name: NAME,
  file: 'chat/main.js',
  about: 'The chat server (login, rooms, room chat) with logins checked against Redis; `adduser` stores a user. ' + ERROR_POLICY,
  forms: ['adduser <id> <password> [--redis HOST:PORT]'],
  flags: {
    redis: { type: 'string', default: '127.0.0.1:6379', arg: 'HOST:PORT', help: 'the Redis holding the users (any RESP server)' },
    rooms: { type: 'string', default: '10', arg: 'N', help: 'number of rooms' },
    'room-size': { type: 'string', default: '4', arg: 'N', help: 'members per room' },
    verbose: { type: 'boolean', default: false, help: 'log every connection and login' },
    cluster: { type: 'boolean', default: false, help: 'run as one node of a cluster: rooms and sessions shared through Redis pub/sub' },
    'cluster-name': { type: 'string', default: 'chat', arg: 'NAME', help: "prefix of the cluster's Redis keys and channels" },
    'session-ttl': { type: 'string', default: '10', arg: 'SECONDS', help: "seconds a killed process's users stay claimed" },
  },
});

if (positionals[0] === 'adduser') {
  const [, id, password] = positionals;
  if (positionals.length !== 3 || !id || !password) fail(NAME, 'usage: adduser <id> <password> [--redis HOST:PORT]');
  if (Buffer.byteLength(id) > MAX_USER_ID_LEN || id.includes('\0')) fail(NAME, `user id: 1 to ${MAX_USER_ID_LEN} bytes`);
  if (Buffer.byteLength(password) > MAX_USER_PW_LEN || password.includes('\0')) fail(NAME, `password: 1 to ${MAX_USER_PW_LEN} bytes`);
  const loop = new EventLoop({ mode: server.mode });
  loop.run();
  const redis = new RedisClient(loop, values.redis as string);
  try {
    await redis.waitConnected(3000);
    await addUser(redis, id, password);
    process.stdout.write(`added user ${id}\n`);
  } catch (err) {
    process.stderr.write(`${NAME}: adduser: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    redis.close();
    loop.close();
  }
} else {
  if (positionals.length > 0) fail(NAME, `unknown command '${positionals[0]}'`);
  const rooms = numberFlag(NAME, 'rooms', values.rooms);
  const roomSize = numberFlag(NAME, 'room-size', values['room-size']);
  if (!Number.isInteger(rooms) || rooms < 1 || !Number.isInteger(roomSize) || roomSize < 1) fail(NAME, '--rooms and --room-size must be positive integers');
  const clusterName = values['cluster-name'] as string;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(clusterName)) fail(NAME, '--cluster-name: 1 to 64 of A-Z a-z 0-9 . _ -');
  const ttlSec = numberFlag(NAME, 'session-ttl', values['session-ttl']);
  if (!(ttlSec >= 0.3 && ttlSec <= 86_400)) fail(NAME, '--session-ttl: seconds, 0.3 to 86400');
  const cluster = values.cluster === true ? { name: clusterName, sessionTtlMs: Math.round(ttlSec * 1000) } : null;
  const options: ChatOptions = { ...server, redis: values.redis as string, rooms, roomSize, verbose: values.verbose === true, cluster };
  await runServer({ name: NAME, module: new URL('./server.js', import.meta.url), options });
}
