// The node:net baseline of the echo benchmark: what a Node user writes without
// us — `socket.pipe(socket)` — with TCP_NODELAY like every other server under
// test. Same interface as examples/echo-server: `--host H --port P`, prints
// "listening on HOST:PORT", exits 0 on SIGTERM/SIGINT.
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy()); // a reset peer closes that connection only
  socket.pipe(socket);
});
server.listen(Number(values.port), values.host, () => {
  const a = server.address() as net.AddressInfo;
  process.stdout.write(`listening on ${a.address}:${a.port}\n`);
});
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
