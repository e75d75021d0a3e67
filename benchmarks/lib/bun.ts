// Where the Bun anchor comes from: the npm `bun` package (a devDependency) ships
// the runtime's binary inside it. This file finds that binary and says, once,
// whether it runs; the bench rows that need it print SKIP_NO_BUN when it does not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DIST } from './paths.js';

/** What a bench table shows in place of a Bun row when the package is not installed. */
export const SKIP_NO_BUN = 'skipped: bun not installed';

/** The compiled Bun servers (they run under bun, not node). */
export const BUN_ECHO_SERVER = join(DIST, 'benchmarks', 'bun', 'echo-server.js');
export const BUN_HTTP_SERVER = join(DIST, 'benchmarks', 'bun', 'http-server.js');

let found: string | null | undefined;

/**
 * The bun binary from the installed npm package (its postinstall puts the platform
 * binary at bin/bun.exe; the platform package's bin/bun is the fallback), or null
 * when the package is absent or its binary does not run here.
 */
export function bunBinary(): string | null {
  if (found !== undefined) return found;
  found = null;
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('bun/package.json'));
  } catch {
    return found;
  }
  const candidates = [join(pkgDir, 'bin', 'bun.exe'), join(pkgDir, '..', '@oven', `bun-linux-${process.arch === 'arm64' ? 'aarch64' : 'x64'}`, 'bin', 'bun')];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const r = spawnSync(c, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0 && /^\d+\.\d+/.test(r.stdout.trim())) {
      found = c;
      break;
    }
  }
  return found;
}
