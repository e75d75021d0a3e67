// The node:http baseline of `bench http`: what a Node user writes without us, answering the
// same routes as examples/http-server (GET /plaintext "Hello, World!", GET /json), with
// keep-alive and pipelining as node:http does them. `--host H --port P`, prints
// "listening on HOST:PORT", exits 0 on SIGTERM/SIGINT.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

const PLAINTEXT = Buffer.from('Hello, World!');

const server = http.createServer((req, res) => {
  if (req.url === '/plaintext') {
    res.writeHead(200, { Server: 'node', 'Content-Type': 'text/plain', 'Content-Length': PLAINTEXT.length });
    res.end(PLAINTEXT);
  } else if (req.url === '/json') {
    const body = JSON.stringify({ message: 'Hello, World!' });
    res.writeHead(200, { Server: 'node', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 9 });
    res.end('Not Found');
  }
});
server.listen(Number(values.port), values.host, () => {
  const a = server.address() as { address: string; port: number };
  process.stdout.write(`listening on ${a.address}:${a.port}\n`);
});
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
