// A throwaway Redis for tests: a free loopback port, no persistence (`--save '' --appendonly
// no`), ready when it answers PING; stop() is bounded and escalates to SIGKILL. Restartable on
// the same port (to test a client that must reconnect). The real redis-server when it is
// installed; otherwise the project's own examples/resp-server (it speaks RESP, keeps strings in
// memory), so suites that only need GET/SET pass on a machine without Redis.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { dist } from './serverProcess.js';

/** Whether redis-server can be run here (on PATH and executable). */
export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Which server RedisProcess runs: 'redis-server', or 'resp-server' (our example) when Redis is missing. */
export const REDIS_IMPL: 'redis-server' | 'resp-server' = HAS_REDIS_SERVER ? 'redis-server' : 'resp-server';
if (!HAS_REDIS_SERVER) console.log('redis-server not runnable here: using examples/resp-server as the Redis store');

/** A port the kernel just handed out on 127.0.0.1 (free now; tests use it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const timer = setTimeout(() => (sock.destroy(), resolve(false)), 500);
    sock.on('error', () => (clearTimeout(timer), resolve(false)));
    sock.on('data', (d) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.write('PING\r\n');
  });
}

/** One Redis (redis-server, or examples/resp-server without it) on a fixed port. */
export class RedisProcess {
  #child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  /** Starts it and resolves once it answers PING (10 s at most). */
  async start(): Promise<void> {
    const child = HAS_REDIS_SERVER
      ? spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
      : spawn(process.execPath, [dist('resp-server/main.js'), '--port', String(this.port), '--host', '127.0.0.1'], { stdio: 'ignore' });
    this.#child = child;
    let spawnError: Error | null = null;
    child.on('error', (err) => (spawnError = err)); // ENOENT: redis-server is not installed
    const t0 = Date.now();
    while (Date.now() - t0 < 10_000) {
      if (spawnError !== null) throw new Error(`cannot run ${REDIS_IMPL}: ${(spawnError as Error).message}`);
      if (child.exitCode !== null) throw new Error(`${REDIS_IMPL} exited with ${child.exitCode}`);
      if (await ping(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`${REDIS_IMPL} did not answer PING within 10 s`);
  }

  /** Stops it (`signal`, default SIGTERM; SIGKILL after 5 s) and resolves when it has exited. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}
