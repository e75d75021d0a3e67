// The Bun anchor of `bench http`, run by bun (not node): Bun.serve answering the
// same routes as examples/http-server (GET /plaintext "Hello, World!", GET /json),
// keep-alive and pipelining as Bun does them. `--host H --port P`, prints
// "listening on HOST:PORT", exits 0 on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';

declare const Bun: {
  serve(o: { hostname: string; port: number; fetch(req: Request): Response }): { hostname: string; port: number };
};

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

const server = Bun.serve({
  hostname: values.host!,
  port: Number(values.port),
  fetch(req) {
    // req.url is absolute; the path starts after the authority.
    const path = req.url.slice(req.url.indexOf('/', req.url.indexOf('//') + 2));
    if (path === '/plaintext') return new Response('Hello, World!', { headers: { Server: 'bun', 'Content-Type': 'text/plain' } });
    if (path === '/json') return Response.json({ message: 'Hello, World!' }, { headers: { Server: 'bun' } });
    return new Response('Not Found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  },
});
process.stdout.write(`listening on ${server.hostname}:${server.port}\n`);
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
