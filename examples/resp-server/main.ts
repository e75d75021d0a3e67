// examples/resp-server: an in-memory Redis-compatible server (strings and expiry) that
// redis-cli and redis-benchmark use unmodified.
//
//   node dist/examples/resp-server/main.js --host 127.0.0.1 --port 6379 --mode lt|et \
//        --driver integrated|exclusive [--proto-max-bulk-len BYTES] [--max-multibulk-length N]
//        [--client-query-buffer-limit BYTES] [--client-output-buffer-limit BYTES]
//
// Prints "listening on HOST:PORT" once ready; exits 0 on SIGTERM or SIGINT.
import { fail, parseServerCli } from '../shared/cli.js';
import { runServer } from '../shared/run.js';
import type { RespServerOptions } from './server.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'resp-server';
const { server: base, values } = parseServerCli({
  name: NAME,
  file: 'resp-server/main.js',
  about: 'An in-memory Redis-compatible server (strings and expiry) that redis-cli and redis-benchmark use unmodified. ' + ERROR_POLICY,
  flags: {
    'proto-max-bulk-len': { type: 'string', arg: 'BYTES', help: 'largest bulk string (default: 512 MiB, as Redis)' },
    'max-multibulk-length': { type: 'string', arg: 'N', help: 'most arguments in one command (default: 1048576)' },
    'client-query-buffer-limit': { type: 'string', arg: 'BYTES', help: 'largest unparsed input per client (default: 1 GiB)' },
    'client-output-buffer-limit': { type: 'string', arg: 'BYTES', help: 'largest unsent output per client (default: 32 MiB)' },
  },
});

function size(flag: string): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) fail(NAME, `bad --${flag} '${String(v)}'`);
  return n;
}

const options: RespServerOptions = {
  ...base,
  maxBulkLength: size('proto-max-bulk-len'),
  maxMultibulkLength: size('max-multibulk-length'),
  queryBufferLimit: size('client-query-buffer-limit'),
  outputBufferLimit: size('client-output-buffer-limit'),
};
for (const k of Object.keys(options) as Array<keyof RespServerOptions>) if (options[k] === undefined) delete options[k];
await runServer({ name: NAME, module: new URL('./server.js', import.meta.url), options });
