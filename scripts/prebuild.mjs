// Builds the prebuilt binaries shipped in the npm tarball: prebuildify (Node-API,
// stripped, tagged with the libc) into prebuilds/<platform>-<arch>/. Run by
// `npm run prebuild`, and by `prepack` (so `npm pack` / `npm publish` always
// ship binaries built from the sources being packed).
//
// Targets: the host's arch, plus linux-arm64 when the host is x64 and Debian's
// cross compiler is installed (apt-get install g++-aarch64-linux-gnu); without
// it the tarball ships linux-x64 only, and arm64 users build from source.
// `--arch ARCH[,ARCH]` builds exactly those, and fails (exit 1) when one needs a
// cross compiler that is not installed. Either way it ends with a banner naming
// every prebuild that will ship, so a pack without arm64 is seen, not buried in
// the build log.
//
// prebuildify runs `node-gyp rebuild` in its working directory and then moves
// the result out of build/Release. Doing that in the package root would wipe
// the developer's own build/ (and break tests running meanwhile), so it builds
// in a staging copy of the native sources, build-prebuild/, and we copy its
// prebuilds/ into the package root.
//
// Headers: node-gyp's usual rules; when nothing else provides them and the
// system has /usr/include/node, we use those (offline; Node-API is
// version-agnostic, and its headers are the same for every arch).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stage = join(root, 'build-prebuild');
const require = createRequire(import.meta.url);

/** GNU cross toolchain prefixes, by Node's arch name. */
const CROSS = { arm64: 'aarch64-linux-gnu', x64: 'x86_64-linux-gnu' };

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, cmd)));
}

function targets() {
  const i = process.argv.indexOf('--arch');
  if (i >= 0) {
    const asked = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
    if (!asked.length) fail('--arch needs a value (x64, arm64, or both comma-separated)');
    for (const arch of asked) {
      if (arch === process.arch) continue;
      if (!CROSS[arch]) fail(`--arch ${arch}: no cross toolchain known for it (known: ${Object.keys(CROSS).join(', ')})`);
      if (!onPath(`${CROSS[arch]}-g++`)) fail(`--arch ${arch} asked, but ${CROSS[arch]}-g++ is not on PATH (Debian: apt-get install g++-${CROSS[arch]})`);
    }
    return asked;
  }
  const list = [process.arch];
  if (process.platform === 'linux' && process.arch === 'x64') {
    if (onPath(`${CROSS.arm64}-g++`)) list.push('arm64');
    else console.error(`prebuild: WARNING no ${CROSS.arm64}-g++ on PATH: NO linux-arm64 prebuild (arm64 installs will compile from source)`);
  }
  return list;
}

function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

function build(arch) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of ['native', 'binding.gyp']) cpSync(join(root, entry), join(stage, entry), { recursive: true });
  // binding.gyp asks node-addon-api for its include dir; prebuildify reads the name.
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'epoll-reactor', private: true }));

  const env = { ...process.env };
  const home = process.env.HOME ?? '/';
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h') && !existsSync(join(home, '.cache', 'node-gyp', process.versions.node))) {
    env.npm_config_nodedir = '/usr';
  }
  const cross = arch !== process.arch ? CROSS[arch] : undefined;
  if (cross) {
    env.CC ??= `${cross}-gcc`;
    env.CXX ??= `${cross}-g++`;
    env.PREBUILD_STRIP_BIN ??= `${cross}-strip`;
  }
  const args = [require.resolve('prebuildify/bin.js'), '--napi', '--strip', '--tag-libc', `--target=${process.versions.node}`, `--arch=${arch}`];
  const run = spawnSync(process.execPath, args, { cwd: stage, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) {
    console.error(`prebuild: prebuildify for ${arch} failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
  cpSync(join(stage, 'prebuilds'), join(root, 'prebuilds'), { recursive: true });
  rmSync(stage, { recursive: true, force: true });
  console.error(`prebuild: wrote prebuilds/${process.platform}-${arch}/`);
}

for (const arch of targets()) build(arch);

// The banner: what the tarball will carry (everything under prebuilds/, this run's and earlier).
const dir = join(root, 'prebuilds');
const shipped = existsSync(dir)
  ? readdirSync(dir).flatMap((target) => readdirSync(join(dir, target)).map((f) => `prebuilds/${target}/${f} (${Math.round(statSync(join(dir, target, f)).size / 1024)} KiB)`))
  : [];
const line = '='.repeat(72);
console.error(`${line}\nprebuild: the package will ship ${shipped.length} prebuild(s):\n${shipped.map((f) => `  ${f}`).join('\n') || '  (none)'}`);
if (!shipped.some((f) => f.includes('linux-arm64'))) console.error('  NOT shipped: linux-arm64 (installs there compile from source)');
console.error(line);
