// Compiles the C side of the benchmark (reference echo server, load generator)
// with the system compiler on first use, and again whenever a source is newer
// than its binary. No make needed: one `cc` per binary (all its .c files), the same flags the
// Makefile uses, warnings shown.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { C_SOURCES, binDir } from './paths.js';

export interface CBinaries {
  echoServer: string;
  /** The C io_uring reference server (liburing), or why it could not be built. */
  echoUring: { path: string } | { skipped: string };
  loadgen: string;
  /** The connection holder of the idle-memory and connections commands. */
  connhold: string;
}

/** Per binary: its sources (the .c files are compiled, every file counts for staleness). */
const TARGETS = {
  echoServer: { out: 'echo_server', sources: ['echo_server.c', 'listener.h'] },
  loadgen: { out: 'loadgen', sources: ['loadgen.c', 'loadgen_worker.c', 'loadgen.h', 'hist.h', 'stream.h'] },
  connhold: { out: 'connhold', sources: ['connhold.c', 'keyed_stream.h', 'stream.h'] },
} as const;

const CFLAGS = ['-O2', '-g', '-Wall', '-Wextra', '-std=gnu11', '-D_GNU_SOURCE', '-pthread'];

function findCompiler(): string {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang']) {
    if (cc && spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0) return cc;
  }
  throw new Error(
    'the echo benchmark compiles its C reference server and load generator on first run, ' +
      'but no C compiler was found (tried $CC, cc, gcc, clang). Install one, e.g. `sudo apt-get install gcc`.',
  );
}

function stale(binary: string, sources: readonly string[]): boolean {
  if (!existsSync(binary)) return true;
  const built = statSync(binary).mtimeMs;
  return sources.some((s) => statSync(join(C_SOURCES, s)).mtimeMs > built);
}

/** The io_uring reference links liburing, which a machine may lack: then its row is skipped, with this reason. */
const URING = { out: 'echo_uring', sources: ['echo_uring.c', 'listener.h'], libs: ['-luring'] } as const;

/** Builds echo_uring if stale; a missing liburing is a reason to skip its row, not an error. */
function ensureUring(dir: string, log: (line: string) => void, cc: () => string): CBinaries['echoUring'] {
  const out = join(dir, URING.out);
  if (!stale(out, URING.sources)) return { path: out };
  const compiler = cc();
  log(`compiling ${URING.out} (${compiler}, liburing)`);
  const r = spawnSync(compiler, [...CFLAGS, '-o', out, join(C_SOURCES, URING.sources[0]), ...URING.libs], { encoding: 'utf8' });
  if (r.status === 0) return { path: out };
  if (/liburing\.h|-luring|cannot find -luring/.test(r.stderr ?? '')) {
    return { skipped: 'liburing is not installed (Debian/Ubuntu: apt-get install liburing-dev)' };
  }
  throw new Error(`compiling ${URING.out} failed:\n${r.stderr || r.error?.message}`);
}

/** Paths of the C binaries, building the stale ones; `log` gets one line per build. */
export function ensureCBinaries(log: (line: string) => void): CBinaries {
  const dir = binDir();
  const result = {} as Record<Exclude<keyof CBinaries, 'echoUring'>, string>;
  let cc: string | undefined;
  for (const [key, t] of Object.entries(TARGETS) as Array<[keyof typeof TARGETS, (typeof TARGETS)[keyof typeof TARGETS]]>) {
    const out = join(dir, t.out);
    if (stale(out, t.sources)) {
      cc ??= findCompiler();
      log(`compiling ${t.out} (${cc})`);
      const units = t.sources.filter((s) => s.endsWith('.c')).map((s) => join(C_SOURCES, s));
      const r = spawnSync(cc, [...CFLAGS, '-o', out, ...units], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`compiling ${t.out} failed:\n${r.stderr || r.error?.message}`);
      if (r.stderr.trim()) log(r.stderr.trim());
    }
    result[key] = out;
  }
  return { ...result, echoUring: ensureUring(dir, log, () => (cc ??= findCompiler())) };
}
