// Loads the native addon, once per thread (each worker thread gets its own
// instance of a N-API module; that is fine, the addon has no shared state).
//
// Lookup order, in the spirit of node-gyp-build:
//   1. $EPOLL_REACTOR_ADDON (an explicit path: the ASan build, a custom build)
//   2. build/Release (node-gyp, what `npm install` produces)
//   3. build-cmake/Release (cmake-js, `npm run build:cmake`)
//   4. build/Debug
// A missing addon is an error that names the fix, never a bare MODULE_NOT_FOUND:
// npm 11 skips a dependency's install scripts until the user approves them, so
// "installed but never built" is a state real users reach.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from './binding.js';

const ADDON_FILE = 'epoll_reactor.node';

/** The package root: the nearest ancestor directory whose package.json is ours. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'epoll-reactor') return dir;
      } catch {
        // an unreadable package.json on the way up is not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('epoll-reactor: cannot find its own package.json');
    dir = parent;
  }
}

/** Every place the addon may be, in lookup order. */
export function addonCandidates(root = packageRoot()): string[] {
  const fromEnv = process.env.EPOLL_REACTOR_ADDON;
  return [
    ...(fromEnv ? [fromEnv] : []),
    join(root, 'build', 'Release', ADDON_FILE),
    join(root, 'build-cmake', 'Release', ADDON_FILE),
    join(root, 'build', 'Debug', ADDON_FILE),
  ];
}

function missingAddonError(candidates: string[]): Error {
  const err = new Error(
    [
      'epoll-reactor: the native addon is not built. Looked for:',
      ...candidates.map((c) => `  ${c}`),
      'The addon is compiled by the package\'s install script (node-gyp), and newer npm',
      'versions skip a dependency\'s install scripts until you approve them. Fix:',
      '  npm approve-scripts epoll-reactor   (records it in your package.json "allowScripts")',
      '  npm rebuild epoll-reactor',
      'Building needs python3, make and a C++ compiler (Debian: apt-get install python3 make g++).',
    ].join('\n'),
  );
  (err as NodeJS.ErrnoException).code = 'ERR_EPOLL_REACTOR_NOT_BUILT';
  return err;
}

/** Throws the "Linux only" error on any other platform. */
export function assertLinux(platform: string = process.platform): void {
  if (platform !== 'linux') {
    const err = new Error(`epoll-reactor works only on Linux (epoll is a Linux API); this platform is '${platform}'.`);
    (err as NodeJS.ErrnoException).code = 'ERR_EPOLL_REACTOR_PLATFORM';
    throw err;
  }
}

/** The first candidate that exists, or the "not built" error naming the fix. */
export function resolveAddon(candidates: string[] = addonCandidates()): string {
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) throw missingAddonError(candidates);
  return found;
}

function load(): NativeBinding {
  assertLinux();
  const require = createRequire(import.meta.url);
  return require(resolveAddon()) as NativeBinding;
}

/** The native binding. Loaded when this module is first imported. */
export const native: NativeBinding = load();
