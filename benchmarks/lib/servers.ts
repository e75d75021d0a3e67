// The servers under test: how to start each one (pinned to a CPU), learn its
// port from its "listening on HOST:PORT" line, stop it with SIGTERM, and read
// the syscall counters it prints at exit (reactor: the loop's LoopStats; C
// reference: its own counters; node:net: none).
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { CBinaries } from './cbuild.js';
import { BUN_ECHO_SERVER, bunBinary, SKIP_NO_BUN } from './bun.js';
import { DIST } from './paths.js';
import { cpuSecondsExact, preemptions, spawnPinned, waitExit } from './pinned.js';

export interface ServerSpec {
  name: string;
  argv: string[];
  /** Sums the server's own syscall counters from the stderr it printed at exit. */
  selfSyscalls(stderr: string): number | null;
  /** Set when the server cannot run here (an anchor or a library not installed): the row prints this instead. */
  skip?: string;
}

function lastJson(stderr: string): Record<string, unknown> | null {
  const lines = stderr.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // not ours
    }
  }
  return null;
}

function reactorSyscalls(stderr: string): number | null {
  const stats = lastJson(stderr)?.stats as Record<string, number> | undefined;
  return typeof stats?.syscalls === 'number' ? stats.syscalls : null;
}

function cSyscalls(stderr: string): number | null {
  const j = lastJson(stderr) as Record<string, number> | null;
  if (j && typeof j.io_uring_enters === 'number') return j.io_uring_enters + j.accepts!; // echo_uring: + setsockopt per accept
  if (!j || typeof j.epoll_waits !== 'number') return null;
  return j.epoll_waits + j.reads + j.writes + j.accepts + j.epoll_ctls;
}

export type ReactorDriver = 'integrated' | 'exclusive';

/** The Bun anchor: Bun.listen echo, run by the npm package's bun binary; skipped when absent. */
function bunSpec(): ServerSpec {
  const bun = bunBinary();
  return bun
    ? { name: 'bun', argv: [bun, BUN_ECHO_SERVER], selfSyscalls: () => null }
    : { name: 'bun', argv: [], selfSyscalls: () => null, skip: SKIP_NO_BUN };
}

/**
 * Every server the benchmark knows, by name: the rows of the table (bun only when installed, c-uring
 * only with liburing), the per-fd
 * reactor variants (ablation of the batched turn, on request) and c-poll (idle run).
 */
export function serverSpecs(bins: Pick<CBinaries, 'echoServer' | 'echoUring' | 'loadgen'>, driver: ReactorDriver): Map<string, ServerSpec> {
  const echo = join(DIST, 'examples', 'echo-server.js');
  const reactor = (mode: 'lt' | 'et' | 'uring', io: 'batched' | 'per-fd' = 'batched'): ServerSpec => ({
    name: `reactor-${mode}${io === 'per-fd' ? '-per-fd' : ''}`,
    argv: [process.execPath, echo, '--mode', mode, '--driver', driver, '--io', io, '--stats'],
    selfSyscalls: reactorSyscalls,
  });
  const c = (mode: 'lt' | 'et' | 'poll'): ServerSpec => ({
    name: `c-${mode}`,
    argv: [bins.echoServer, '--mode', mode],
    selfSyscalls: cSyscalls,
  });
  const specs: ServerSpec[] = [
    reactor('lt'),
    reactor('et'),
    reactor('uring'), // the completion model under the same reactor (EventLoop mode 'uring')
    reactor('lt', 'per-fd'), // ablation: one native call per read and per write
    reactor('et', 'per-fd'),
    { name: 'node-net', argv: [process.execPath, join(DIST, 'benchmarks', 'node-net-server.js')], selfSyscalls: () => null },
    bunSpec(),
    c('lt'),
    c('et'),
    c('poll'),
    // io_uring: the C reference (liburing; skipped without it) and the raw Ring API in Node
    // (reactor-uring, above, is the reactor itself in mode 'uring').
    'path' in bins.echoUring
      ? { name: 'c-uring', argv: [bins.echoUring.path], selfSyscalls: cSyscalls }
      : { name: 'c-uring', argv: [], skip: bins.echoUring.skipped, selfSyscalls: () => null },
    { name: 'raw-uring', argv: [process.execPath, join(DIST, 'benchmarks', 'ring-echo-server.js')], selfSyscalls: reactorSyscalls },
  ];
  return new Map(specs.map((s) => [s.name, s]));
}

/** A started server process. */
export class RunningServer {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly #child: ChildProcess;
  readonly #stderr: string[];

  private constructor(spec: ServerSpec, child: ChildProcess, port: number, stderr: string[]) {
    this.spec = spec;
    this.#child = child;
    this.port = port;
    this.#stderr = stderr;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Starts `spec` on CPU `cpu` (or a taskset CPU list; unpinned if undefined) and waits for its port. */
  static start(spec: ServerSpec, cpu: number | string | undefined, timeoutMs = 15_000): Promise<RunningServer> {
    const child = spawnPinned([...spec.argv, '--host', '127.0.0.1', '--port', '0'], cpu);
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    return new Promise((resolve, reject) => {
      let stdout = '';
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${spec.name}: ${why}${stderr.length ? `\n${stderr.join('').trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail(`no "listening on" line within ${timeoutMs} ms`), timeoutMs);
      child.once('error', (err) => fail(err.message));
      child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before listening`));
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /listening on \S*:(\d+)\s*$/m.exec(stdout);
        if (!m) return;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        child.stdout!.removeAllListeners('data').resume();
        resolve(new RunningServer(spec, child, Number(m[1]), stderr));
      });
    });
  }

  /** CPU seconds used so far, all threads, to the nanosecond where schedstat exists. */
  cpuSeconds(): number | null {
    return cpuSecondsExact(this.pid);
  }

  preemptions(): number | null {
    return preemptions(this.pid);
  }

  /** SIGTERM, wait for a clean exit; returns the server's own syscall count, if it reports one. */
  async stop(): Promise<{ exitCode: number | null; selfSyscalls: number | null; stderr: string }> {
    this.#child.kill('SIGTERM');
    const exitCode = await waitExit(this.#child, 10_000);
    const stderr = this.#stderr.join('');
    return { exitCode, selfSyscalls: this.spec.selfSyscalls(stderr), stderr };
  }
}
