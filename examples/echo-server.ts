// `node dist/examples/echo-server.js`: the path tests and the benchmark spawn. The server lives
// in examples/echo-server/ (main.ts: command line; echo.ts: the service).
import './echo-server/main.js';
