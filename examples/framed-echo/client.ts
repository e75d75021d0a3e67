// The pipelining client of examples/framed-echo: N framed requests per connection on C
// connections, first pipelined (up to D requests in flight per connection), then one at a time
// (send, wait for the echo, send the next), every byte of every echo checked; prints requests/s
// of both runs and their ratio.
//
//   node dist/examples/framed-echo/client.js --port PORT [--host 127.0.0.1] [--requests 10000]
//        [--conns 1] [--size 64[,SIZE...]] [--depth 64] [--mode lt|et] [--only pipelined|sequential] [--repeat 1]
//
// --repeat R alternates the two runs R times and ends with the medians (the speed-up is the
// median of the per-repeat ratios, each taken from two back-to-back runs).
// Sizes cycle through the list (0 to 32 MiB each). Exit 0 when every echo matched; 1 naming the
// first mismatch or a closed connection.
import { LengthFieldCodec, MAX_FRAME_SIZE_CEILING } from '../../src/codec/index.js';
import type { EventLoop, TcpConnection } from '../../src/index.js';
import { clientLoop, connectTo } from '../shared/client.js';
import { fail, parseClientCli } from '../shared/cli.js';

const NAME = 'framed-echo-client';
const { host, port, mode, values } = parseClientCli({
  name: NAME,
  file: 'framed-echo/client.js',
  about: 'Sends framed requests pipelined, then one at a time, checks every echoed byte, prints both rates.',
  flags: {
    requests: { type: 'string', default: '10000', arg: 'N', help: 'requests per connection' },
    conns: { type: 'string', default: '1', arg: 'N', help: 'connections' },
    size: { type: 'string', default: '64', arg: 'BYTES[,BYTES...]', help: 'request sizes, cycled' },
    depth: { type: 'string', default: '64', arg: 'N', help: 'requests in flight per connection when pipelined' },
    only: { type: 'string', arg: 'pipelined|sequential', help: 'run only one of the two (default: both)' },
    repeat: { type: 'string', default: '1', arg: 'N', help: 'alternate the two runs N times and report medians' },
  },
});
const int = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < min || n > max) fail(NAME, `bad --${flag} '${String(values[flag])}'`);
  return n;
};
const requests = int('requests', 1);
const conns = int('conns', 1, 10_000);
const depth = int('depth', 1);
const repeat = int('repeat', 1, 100);
const sizes = values.size!.split(',').map(Number);
if (sizes.some((s) => !Number.isInteger(s) || s < 0 || s > MAX_FRAME_SIZE_CEILING)) fail(NAME, `--size: integers in [0, ${MAX_FRAME_SIZE_CEILING}]`);
if (values.only !== undefined && values.only !== 'pipelined' && values.only !== 'sequential') fail(NAME, '--only pipelined|sequential');

/** Request i of connection c: its bytes follow from (c, i), so the echo can be checked byte by byte. */
function payload(c: number, i: number): Buffer {
  const size = sizes[i % sizes.length]!;
  const buf = Buffer.allocUnsafe(size);
  let x = (Math.imul(c + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0 || 1;
  let k = 0;
  for (; k + 4 <= size; k += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32
    buf.writeInt32LE(x | 0, k);
  }
  for (; k < size; k++) buf[k] = (x >>> (8 * (k & 3))) & 0xff;
  return buf;
}

/** Runs `requests` requests on one connection with at most `window` in flight. */
function runConnection(loop: EventLoop, c: number, window: number): Promise<void> {
  const codec = new LengthFieldCodec({ endian: 'le' });
  const inFlight: Buffer[] = [];
  let head = 0;
  let sent = 0;
  let received = 0;
  const header = Buffer.alloc(4);
  return new Promise<void>((resolve, reject) => {
    let conn: TcpConnection;
    const pump = (): void => {
      while (sent < requests && sent - received < window) {
        const p = payload(c, sent++);
        header.writeUInt32LE(p.length, 0);
        conn.send(header);
        conn.send(p);
        inFlight.push(p);
      }
    };
    connectTo(loop, host, port, (input) => {
      for (let echo = codec.decode(input); echo !== null; echo = codec.decode(input)) {
        const want = inFlight[head];
        inFlight[head++] = undefined as unknown as Buffer;
        if (want === undefined || Buffer.compare(echo, want) !== 0) {
          reject(new Error(`connection ${c}, request ${received + 1}: echo of ${echo.length} bytes does not match the ${want?.length ?? 0} sent`));
          conn.destroy();
          return;
        }
        if (++received === requests) {
          conn.close();
          resolve();
          return;
        }
      }
      pump();
    }).then(({ conn: connected, closed }) => {
      conn = connected;
      void closed.then((why) => received < requests && reject(new Error(`connection ${c} closed (${why}) after ${received} of ${requests} echoes`)));
      pump();
    }, reject);
  });
}

async function measure(loop: EventLoop, window: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, (_, c) => runConnection(loop, c, window)));
  return performance.now() - t0;
}

const loop = clientLoop(mode);
const total = requests * conns;
const line = (label: string, ms: number): number => {
  const rate = (total / ms) * 1000;
  process.stdout.write(`${label}: ${total} requests on ${conns} connection(s) in ${ms.toFixed(1)} ms = ${Math.round(rate)} req/s, every byte checked\n`);
  return rate;
};
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
try {
  const ratios: number[] = [];
  const rates: { pipelined: number[]; sequential: number[] } = { pipelined: [], sequential: [] };
  for (let r = 0; r < repeat; r++) {
    let pipelined = 0;
    let sequential = 0;
    if (values.only !== 'sequential') rates.pipelined.push((pipelined = line(`pipelined (depth ${depth})`, await measure(loop, depth))));
    if (values.only !== 'pipelined') rates.sequential.push((sequential = line('one at a time', await measure(loop, 1))));
    if (pipelined > 0 && sequential > 0) {
      ratios.push(pipelined / sequential);
      process.stdout.write(`pipelining speed-up: ${(pipelined / sequential).toFixed(2)}x\n`);
    }
  }
  if (repeat > 1 && ratios.length > 0) {
    process.stdout.write(
      `median of ${repeat}: pipelined ${Math.round(median(rates.pipelined))} req/s, one at a time ${Math.round(median(rates.sequential))} req/s, ` +
        `speed-up ${median(ratios).toFixed(2)}x (min ${Math.min(...ratios).toFixed(2)}x, max ${Math.max(...ratios).toFixed(2)}x)\n`,
    );
  }
} catch (err) {
  process.stderr.write(`${NAME}: ${(err as Error).message}\n`);
  process.exit(1);
} finally {
  loop.close();
}
