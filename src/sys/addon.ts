// Loads the native addon, once per thread (each worker thread gets its own
// instance of a N-API module; that is fine, the addon has no shared state).
//
// Lookup order: local builds first, then the prebuilt binary shipped in the
// package (prebuildify's layout, matched with node-gyp-build's own rules):
//   1. $EPOLL_REACTOR_ADDON (an explicit path: the ASan build, a custom build)
//   2. build/Release (node-gyp: `npm run build:native`, or the install script
//      when no prebuild fits this machine)
//   3. build-cmake/Release (cmake-js, `npm run build:cmake`)
//   4. build/Debug
//   5. prebuilds/<platform>-<arch>/*.node, the best match for this runtime and
//      libc (a glibc build is never loaded on musl)
// A missing addon is an error that names the fix, never a bare MODULE_NOT_FOUND:
// with no fitting prebuild the addon must be compiled by the install script,
// and npm 11 skips a dependency's install scripts until the user approves them.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from './binding.js';

const ADDON_FILE = 'epoll_reactor.node';

const require = createRequire(import.meta.url);

/** The parts of node-gyp-build we use: its prebuild matching rules (exported by it for tests). */
interface PrebuildMatcher {
  parseTuple(name: string): { name: string } | undefined;
  matchTuple(platform: string, arch: string): (tuple: unknown) => boolean;
  compareTuples(a: unknown, b: unknown): number;
  parseTags(file: string): { file: string } | undefined;
  matchTags(runtime: string, abi: string): (tags: unknown) => boolean;
  compareTags(runtime: string): (a: unknown, b: unknown) => number;
}

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

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The prebuilt binary under `root/prebuilds` that fits this process (platform,
 * arch, Node runtime, libc), chosen by node-gyp-build's rules; or, when none
 * fits, the directory it looked in (which then does not hold a usable file).
 */
export function prebuildCandidate(root: string, os = `${platform()}-${arch()}`): string {
  const gyp = require('node-gyp-build') as PrebuildMatcher;
  const [plat = '', cpu = ''] = os.split('-');
  const dir = join(root, 'prebuilds');
  const tuple = list(dir)
    .map((name) => gyp.parseTuple(name))
    .filter(gyp.matchTuple(plat, cpu))
    .sort(gyp.compareTuples)[0] as { name: string } | undefined;
  if (tuple === undefined) return join(dir, `${os}`, '*.node');
  const tagged = list(join(dir, tuple.name))
    .map((file) => gyp.parseTags(file))
    .filter(gyp.matchTags('node', process.versions.modules))
    .sort(gyp.compareTags('node'))[0] as { file: string } | undefined;
  return tagged === undefined ? join(dir, tuple.name, '*.node') : join(dir, tuple.name, tagged.file);
}

/** Every place the addon may be, in lookup order. */
export function addonCandidates(root = packageRoot()): string[] {
  const fromEnv = process.env.EPOLL_REACTOR_ADDON;
  return [
    ...(fromEnv ? [fromEnv] : []),
    join(root, 'build', 'Release', ADDON_FILE),
    join(root, 'build-cmake', 'Release', ADDON_FILE),
    join(root, 'build', 'Debug', ADDON_FILE),
    prebuildCandidate(root),
  ];
}

function missingAddonError(candidates: string[]): Error {
  const err = new Error(
    [
      'epoll-reactor: no native addon fits this machine, and none was built. Looked for:',
      ...candidates.map((c) => `  ${c}`),
      `No prebuilt binary in the package fits ${platform()}-${arch()}, so the addon must be compiled`,
      "by the package's install script (node-gyp-build), and newer npm versions skip a",
      "dependency's install scripts until you approve them. Fix:",
      '  npm approve-scripts epoll-reactor   (records it in your package.json "allowScripts")',
      '  npm rebuild epoll-reactor',
      'Building needs python3, make and a C++ compiler (Debian: apt-get install python3 make g++).',
    ].join('\n'),
  );
  (err as NodeJS.ErrnoException).code = 'ERR_EPOLL_REACTOR_NOT_BUILT';
  return err;
}

/** Throws the "Linux only" error on any other platform. */
export function assertLinux(platformName: string = process.platform): void {
  if (platformName !== 'linux') {
    const err = new Error(`epoll-reactor works only on Linux (epoll is a Linux API); this platform is '${platformName}'.`);
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
  return require(resolveAddon()) as NativeBinding;
}

/** The native binding. Loaded when this module is first imported. */
export const native: NativeBinding = load();
