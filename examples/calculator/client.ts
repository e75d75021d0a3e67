// The calculator client: what the C++ tutorial's 4_client does — N requests (default 10,000)
// written back to back, then N results read — but checking every answer against its own
// reference arithmetic (BigInt, wrapped to int32: independent of the server's code).
//
//   node dist/examples/calculator/client.js --port PORT [--host 127.0.0.1] [--count 10000] [--mode lt|et] [--seed 1]
//
// Prints "N requests, N answers verified in T ms" and exits 0; a wrong answer, a missing one or a
// closed connection exits 1 naming the first bad request.
import { ByteBuffer } from '../../src/index.js';
import { PacketWriter } from '../../src/codec/index.js';
import { clientLoop, connectOrExit } from '../shared/client.js';
import { fail, parseClientCli } from '../shared/cli.js';
import { BODY_LENGTH, ERROR_RESULT } from './protocol.js';

const NAME = 'calculator-client';
const OPS = ['+', '-', '*', '/', '%', '?'];

/** The expected answer, computed in BigInt and wrapped to int32 like C on x86. */
export function reference(op: string, a: number, b: number): number {
  const A = BigInt(a);
  const B = BigInt(b);
  let r: bigint;
  switch (op) {
    case '+': r = A + B; break;
    case '-': r = A - B; break;
    case '*': r = A * B; break;
    case '/': if (B === 0n) return ERROR_RESULT; r = A / B; break; // BigInt division truncates toward zero
    case '%': if (B === 0n) return ERROR_RESULT; r = A % B; break;
    default: return ERROR_RESULT;
  }
  return Number(BigInt.asIntN(32, r));
}

const { host, port, mode, values } = parseClientCli({
  name: NAME,
  file: 'calculator/client.js',
  about: 'Sends N requests back to back, reads N answers, and checks every one against its own arithmetic.',
  flags: {
    count: { type: 'string', default: '10000', arg: 'N', help: 'requests to send' },
    seed: { type: 'string', default: '1', arg: 'N', help: 'seed of the random operands' },
  },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count <= 0) fail(NAME, `bad --count '${values.count}'`);

// Operands: edge values (0, ±1, INT32 limits) mixed with seeded random int32s.
let state = Number(values.seed) >>> 0 || 1;
const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
const EDGES = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 46341, -7];
const operand = (): number => (next() % 4 === 0 ? EDGES[next() % EDGES.length]! : next() | 0);

const requests: Array<{ op: string; a: number; b: number }> = [];
const wire = new ByteBuffer(count * 13);
const packet = new PacketWriter(wire, 'le');
for (let i = 0; i < count; i++) {
  const op = OPS[next() % OPS.length]!;
  const a = operand();
  const b = next() % 8 === 0 ? 0 : operand();
  requests.push({ op, a, b });
  packet.putInt32(BODY_LENGTH).putByte(op).putInt32(a).putInt32(b);
}

const loop = clientLoop(mode);
const answers = new ByteBuffer(count * 4);
let done!: () => void;
const allIn = new Promise<void>((r) => (done = r));
const t0 = performance.now();
const { conn, closed } = await connectOrExit(NAME, loop, host, port, (input) => {
  answers.append(input.peek());
  input.retrieveAll();
  if (answers.readableBytes >= count * 4) done();
});
conn.send(wire.peek()); // every request, back to back, before reading any answer
const outcome = await Promise.race([allIn.then(() => 'ok'), closed.then((why) => `connection closed (${why})`)]);
const ms = performance.now() - t0;
conn.close();
loop.close();
if (outcome !== 'ok') {
  process.stderr.write(`${NAME}: ${outcome} after ${answers.readableBytes / 4 | 0} of ${count} answers\n`);
  process.exit(1);
}
const view = Buffer.from(answers.peek());
for (let i = 0; i < count; i++) {
  const { op, a, b } = requests[i]!;
  const got = view.readInt32LE(i * 4);
  const want = reference(op, a, b);
  if (got !== want) {
    process.stderr.write(`${NAME}: request ${i + 1}: ${a} ${op} ${b} answered ${got}, expected ${want}\n`);
    process.exit(1);
  }
}
if (answers.readableBytes !== count * 4) {
  process.stderr.write(`${NAME}: ${answers.readableBytes - count * 4} bytes more than ${count} answers\n`);
  process.exit(1);
}
process.stdout.write(`${count} requests, ${count} answers verified in ${ms.toFixed(1)} ms\n`);
