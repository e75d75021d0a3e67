// Where the benchmark finds its pieces: the package root (from this file's
// compiled location, dist/benchmarks/lib/), the C sources, the compiled
// examples, and a writable directory for the C binaries built on first run.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/benchmarks/lib/paths.js -> ../../.. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const C_SOURCES = join(ROOT, 'benchmarks', 'c');
export const DIST = join(ROOT, 'dist');

/**
 * benchmarks/bin/ inside the package when it is writable (a clone), else a
 * per-user cache (an install into a read-only node_modules).
 */
export function binDir(): string {
  const inPackage = join(ROOT, 'benchmarks', 'bin');
  for (const dir of [inPackage, join(homedir(), '.cache', 'epoll-reactor', 'bin')]) {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      return dir;
    } catch {
      // try the next one
    }
  }
  throw new Error(`no writable directory for the benchmark binaries (tried ${inPackage} and ~/.cache/epoll-reactor/bin)`);
}
