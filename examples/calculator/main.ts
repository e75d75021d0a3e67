// examples/calculator: the C++ tutorial's calculator server on the reactor.
//
//   node dist/examples/calculator/main.js [--host 127.0.0.1] [--port 0] [--mode lt|et] [--driver integrated|exclusive]
//
// Prints "listening on HOST:PORT"; exits 0 on SIGTERM/SIGINT. Protocol: protocol.ts.
import { parseServerCli } from '../shared/cli.js';
import { runServer } from '../shared/run.js';
import { ERROR_POLICY } from '../shared/errors.js';

const NAME = 'calculator';
const { server } = parseServerCli({
  name: NAME,
  file: 'calculator/main.js',
  about: 'The calculator server: fixed-size binary requests (a op b on int32), one answer each. ' + ERROR_POLICY,
});
await runServer({ name: NAME, module: new URL('./server.js', import.meta.url), options: server });
