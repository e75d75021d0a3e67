// examples/framed-echo: length-prefixed echo (`[len:uint32 LE][payload]`, payload up to 32 MiB).
//
//   node dist/examples/framed-echo/main.js [--host 127.0.0.1] [--port 0] [--mode lt|et] [--driver integrated|exclusive]
//
// Prints "listening on HOST:PORT"; exits 0 on SIGTERM/SIGINT. The pipelining client: client.ts.
import { parseServerCli } from '../shared/cli.js';
import { runServer } from '../shared/run.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'framed-echo';
const { server } = parseServerCli({
  name: NAME,
  file: 'framed-echo/main.js',
  about: 'Echoes length-prefixed frames (a 4-byte little-endian length, then the body), pipelined. ' + ERROR_POLICY,
});
await runServer({ name: NAME, module: new URL('./server.js', import.meta.url), options: server });
