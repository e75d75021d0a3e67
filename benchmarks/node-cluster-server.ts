// The node:cluster baseline of the scaling run: the multi-core answer a Node user already has.
// The primary forks N workers, each running the node:net echo (`socket.pipe(socket)`, TCP_NODELAY)
// on one shared port; the primary accepts and hands connections to the workers round-robin
// (cluster's default policy on Linux). Same interface as examples/echo-server:
// `--host H --port P --workers N`, prints "listening on HOST:PORT" once every worker listens,
// exits 0 on SIGTERM/SIGINT (after killing its workers).
import cluster from 'node:cluster';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    workers: { type: 'string', default: '2' },
  },
});

if (cluster.isPrimary) {
  const n = Number(values.workers);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`node-cluster-server: bad --workers '${values.workers}'\n`);
    process.exit(2);
  }
  let listening = 0;
  let stopping = false;
  cluster.on('listening', (_worker, address) => {
    if (++listening === n) process.stdout.write(`listening on ${values.host}:${address.port}\n`);
  });
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    process.stderr.write(`node-cluster-server: worker ${worker.id} exited (${code})\n`);
    process.exit(1);
  });
  for (let i = 0; i < n; i++) cluster.fork();
  const stop = (): void => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  server.listen(Number(values.port), values.host);
}
