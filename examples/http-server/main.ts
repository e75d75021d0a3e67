// examples/http-server: HTTP/1.1 with keep-alive and pipelining. GET /plaintext answers
// "Hello, World!" (the TechEmpower plaintext test), GET /json {"message":"Hello, World!"}.
//
//   node dist/examples/http-server/main.js --host 127.0.0.1 --port 8080 --mode lt|et \
//        --driver integrated|exclusive [--max-head-bytes 16384] [--header-timeout 10000]
//        [--keep-alive-timeout 5000] [--loops N]
//
// Prints "listening on HOST:PORT" once ready; exits 0 on SIGTERM or SIGINT. --loops N (N > 1)
// runs N loop threads on a LoopPool (pool.ts; --driver does not apply: pool loops are exclusive).
import { fail, parseServerCli } from '../shared/cli.js';
import { runServer } from '../shared/run.js';
import { runHttpPool } from './pool.js';
import { DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, type HttpServerOptions } from './server.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'http-server';
const { server: base, values } = parseServerCli({
  name: NAME,
  file: 'http-server/main.js',
  about: 'HTTP/1.1 with keep-alive and pipelining: GET /plaintext and GET /json. ' + ERROR_POLICY,
  flags: {
    'max-head-bytes': { type: 'string', default: '16384', arg: 'BYTES', help: 'largest request head (request line and headers); past it: 431' },
    'header-timeout': { type: 'string', default: String(DEFAULT_HEADER_TIMEOUT_MS), arg: 'MS', help: "a request's head (and body) must arrive within this of its first byte, else 408 and close; 0: off" },
    'keep-alive-timeout': { type: 'string', default: String(DEFAULT_KEEP_ALIVE_TIMEOUT_MS), arg: 'MS', help: 'close a keep-alive connection idle this long between requests; 0: off' },
    loops: { type: 'string', default: '1', arg: 'N', help: 'loop threads (N > 1: a LoopPool; --driver does not apply)' },
  },
});
function ms(flag: string): number {
  const n = Number(values[flag]);
  if (!Number.isSafeInteger(n) || n < 0) fail(NAME, `bad --${flag} '${String(values[flag])}'`);
  return n;
}
const maxHeadBytes = Number(values['max-head-bytes']);
if (!Number.isSafeInteger(maxHeadBytes) || maxHeadBytes < 64) fail(NAME, `bad --max-head-bytes '${String(values['max-head-bytes'])}'`);
const loops = Number(values.loops);
if (!Number.isInteger(loops) || loops < 1 || loops > 256) fail(NAME, `bad --loops '${String(values.loops)}'`);
const options: HttpServerOptions = { ...base, maxHeadBytes, headerTimeoutMs: ms('header-timeout'), keepAliveTimeoutMs: ms('keep-alive-timeout') };
if (loops > 1) await runHttpPool(NAME, options, loops);
else await runServer({ name: NAME, module: new URL('./server.js', import.meta.url), options });
