// The chat client: logs in, then reads commands from stdin, one per line —
//   /enter N   enter room N        /leave   leave the room        /quit   disconnect
//   anything else: a chat message to the room (at most 256 bytes; longer is cut)
// — and prints every answer and every message from the room as it arrives.
//
//   node dist/examples/chat/client.js --port PORT --user ID --password PW [--host 127.0.0.1] [--mode lt|et]
//
// At the end of stdin it waits for the answers still due, then exits: 0 if the login succeeded,
// 1 if it failed or the server closed the connection.
import { createInterface } from 'node:readline';
import { ByteBuffer } from '../../src/index.js';
import { PacketReader } from '../../src/codec/index.js';
import { clientLoop, connectOrExit } from '../shared/client.js';
import { fail, parseClientCli } from '../shared/cli.js';
import { CHAT_MSG_FIELD, encode, MAX_CHAT_MSG_LEN, PacketId, packetCodec, Result, truncateUtf8, USER_ID_FIELD } from './protocol.js';

const NAME = 'chat-client';
const { host, port, mode, values } = parseClientCli({
  name: NAME,
  file: 'chat/client.js',
  about: 'Logs in, then reads commands from stdin: /enter N, /leave, /quit, anything else is a message to the room.',
  flags: {
    user: { type: 'string', arg: 'ID', help: 'user id (required)' },
    password: { type: 'string', arg: 'PW', help: 'password (required)' },
  },
});
if (!values.user || !values.password) fail(NAME, '--user and --password are required');

/** Names of the result codes, for the printed lines. */
const RESULT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Result).map(([k, v]) => [v, k]));
const describe = (r: number): string => (r === Result.NONE ? 'ok' : `failed (${r} ${RESULT_NAMES[r] ?? 'unknown code'})`);
const print = (line: string): void => void process.stdout.write(`${line}\n`);

const loop = clientLoop(mode);
const codec = packetCodec();
const reader = new PacketReader(new Uint8Array(0), 'le');
const out = new ByteBuffer();
let due = 0; // requests sent and not answered yet
let loggedIn = false;
let inputDone = false;
let finish!: (code: number) => void;
const finished = new Promise<number>((r) => (finish = r));
const pendingRooms: number[] = [];

const { conn, closed } = await connectOrExit(NAME, loop, host, port, (input) => {
  for (let p = codec.decode(input); p !== null; p = codec.decode(input)) {
    reader.reset(p);
    const id = reader.getUInt16();
    reader.getUInt8();
    switch (id) {
      case PacketId.LOGIN_RESPONSE: {
        const r = reader.getUInt16();
        loggedIn = r === Result.NONE;
        print(`login as ${values.user}: ${describe(r)}`);
        break;
      }
      case PacketId.ROOM_ENTER_RESPONSE: {
        const r = reader.getInt16();
        const rival = reader.getFixedString(USER_ID_FIELD);
        print(`enter room ${pendingRooms.shift()}: ${describe(r)}${r === Result.NONE ? (rival ? `, already there: ${rival}` : ', room was empty') : ''}`);
        break;
      }
      case PacketId.ROOM_LEAVE_RESPONSE:
        print(`leave: ${describe(reader.getInt16())}`);
        break;
      case PacketId.ROOM_CHAT_RESPONSE: {
        const r = reader.getInt16();
        if (r !== Result.NONE) print(`chat: ${describe(r)}`);
        break;
      }
      case PacketId.ROOM_CHAT_NOTIFY: {
        const user = reader.getFixedString(USER_ID_FIELD);
        print(`<${user}> ${reader.getFixedString(CHAT_MSG_FIELD)}`);
        continue; // not an answer to one of ours
      }
      default:
        print(`(unknown packet ${id})`);
        continue;
    }
    due--;
    if (!loggedIn) finish(1);
    else if (inputDone && due === 0) finish(0);
  }
});

const send = (): void => {
  due++;
  conn.send(out.peek());
  out.retrieveAll();
};
encode.loginRequest(out, values.user!, values.password!);
send();

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const text = line.trim();
  if (text === '') return;
  if (text === '/quit') return lines.close();
  if (text === '/leave') encode.roomLeaveRequest(out);
  else if (text.startsWith('/enter')) {
    const room = Number(text.slice(6).trim());
    if (!Number.isInteger(room) || room < -0x80000000 || room > 0x7fffffff) return print('usage: /enter ROOM');
    pendingRooms.push(room);
    encode.roomEnterRequest(out, room);
  } else encode.roomChatRequest(out, truncateUtf8(text, MAX_CHAT_MSG_LEN).replaceAll('\0', ''));
  send();
});
lines.on('close', () => {
  inputDone = true;
  if (due === 0) finish(loggedIn ? 0 : 1);
});

const code = await Promise.race([finished, closed.then((why) => (print(`connection closed (${why})`), 1))]);
lines.close();
conn.close();
loop.close();
process.exit(code);
