// The npm tarball as a user gets it. (1) `npm pack --dry-run` lists exactly the
// files a user needs (an allow-list: anything else fails). (2) The packed
// tarball installs into a fresh project with --ignore-scripts on a PATH with no
// compiler, make or python3, and imports (ESM and CJS, main and /compat), runs
// its CLI and type-checks — all from the prebuilt binary; its install script
// (node-gyp-build) accepts the prebuild without compiling; and with no fitting
// binary the import fails with the error that names the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** What may ship. Generic on purpose: new modules under src/, examples/ and benchmarks/ need no edit here. */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^(?:compat|sys|codec)\/package\.json$/,
  /^dist\/src\/(?:[\w.-]+\/)*[\w.-]+\.(?:js|cjs|d\.ts|d\.cts)$/,
  /^dist\/(?:examples|benchmarks)\/(?:[\w.-]+\/)*[\w.-]+\.(?:js|d\.ts)$/,
  /^prebuilds\/linux-(?:x64|arm64)\/[\w.-]+\.node$/,
  /^native\/[\w.-]+\.(?:cc|h)$/,
  /^binding\.gyp$/,
  /^CMakeLists\.txt$/,
  /^benchmarks\/c\/(?:[\w.-]+\.[ch]|Makefile)$/,
  /^benchmarks\/raw_epoll\.py$/,
];

/** What must ship. */
const REQUIRED = [
  'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'binding.gyp', 'native/addon.cc',
  'dist/src/index.js', 'dist/src/index.cjs', 'dist/src/index.d.ts', 'dist/src/index.d.cts',
  'dist/src/compat/index.js', 'dist/src/compat/index.cjs', 'dist/src/compat/index.d.ts', 'dist/src/compat/index.d.cts',
  'dist/src/entries/sys.js', 'dist/src/entries/sys.cjs', 'dist/src/entries/sys.d.ts', 'dist/src/entries/sys.d.cts',
  'dist/src/codec/index.js', 'dist/src/codec/index.cjs', 'dist/src/codec/index.d.ts', 'dist/src/codec/index.d.cts',
  'dist/benchmarks/cli.js', 'benchmarks/c/loadgen.c', 'compat/package.json', 'sys/package.json', 'codec/package.json',
];

function npmCli(): string {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && /npm-cli\.js$/.test(fromEnv)) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'npm');
    if (existsSync(p)) return realpathSync(p);
  }
  throw new Error('npm not found on PATH');
}

function packList(): string[] {
  const out = execFileSync(process.execPath, [npmCli(), 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

describe('npm pack: the file list', () => {
  it('ships only allow-listed files, and everything a user needs', () => {
    const files = packList();
    const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    expect(unexpected, 'files that should not be in the tarball').toEqual([]);
    expect(REQUIRED.filter((f) => !files.includes(f)), 'missing from the tarball').toEqual([]);
  });
});

/** Newest mtime among the addon's sources. */
function newestSource(): number {
  const files = [join(ROOT, 'binding.gyp'), ...readdirSync(join(ROOT, 'native')).map((f) => join(ROOT, 'native', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** prebuilds/linux-x64 up to date with the sources, built (in a staging dir, never in build/) when not. */
function ensurePrebuild(): void {
  const dir = join(ROOT, 'prebuilds', `linux-${process.arch}`);
  const built = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  if (built.length > 0 && built.every((f) => statSync(join(dir, f)).mtimeMs >= newestSource())) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'prebuild.mjs'), '--arch', process.arch], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

describe('the packed tarball in a fresh project, no compiler on PATH', () => {
  let work = '';
  let app = '';
  let env: NodeJS.ProcessEnv = {};
  const npm = (...args: string[]) => spawnSync(process.execPath, [npmCli(), ...args], { cwd: app, env, encoding: 'utf8' });
  const node = (file: string) => spawnSync(process.execPath, [file], { cwd: app, env, encoding: 'utf8', timeout: 20_000 });

  beforeAll(() => {
    ensurePrebuild();
    work = mkdtempSync(join(tmpdir(), 'epoll-reactor-pack-'));
    const packed = execFileSync(process.execPath, [npmCli(), 'pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);

    // A PATH with node, npm and a shell, and nothing to compile with.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(npmCli(), join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    env = { HOME: process.env.HOME, PATH: bin, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    for (const tool of ['g++', 'c++', 'cc', 'gcc', 'make', 'python3', 'python']) {
      expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env }).status, `${tool} must not be on PATH`).not.toBe(0);
    }

    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    // @types/node is an optional peer: a TypeScript app installs it itself (the type-check below needs it).
    const r = npm('install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball, '@types/node@^20.19.0');
    if (r.status !== 0) throw new Error(`npm install failed:\n${r.stderr}`);
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const PROGRAM = `
const efd = new EventFd();
const ep = new Epoll();
ep.add(efd.fd, EPOLLIN, 7);
efd.write(1);
const n = ep.wait(1000);
const compat = new Compat((err, fd, events) => {
  console.log(JSON.stringify({ n, token: ep.tokenAt(0), compat: [err, fd === efd.fd, events === EPOLLIN] }));
  compat.remove(fd).close(); ep.close(); efd.close();
});
compat.add(efd.fd, Compat.EPOLLIN);`;
  const EXPECTED = { n: 1, token: 7, compat: [null, true, true] };

  it('installs without building anything, and without the npm `epoll` package', () => {
    const pkg = join(app, 'node_modules', 'epoll-reactor');
    expect(existsSync(join(pkg, 'prebuilds', `linux-${process.arch}`))).toBe(true);
    expect(existsSync(join(pkg, 'build'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'epoll'))).toBe(false);
  });

  it('installs only what the library runs on: no CLI or table library, @types/node an optional peer', () => {
    const r = npm('ls', '--omit=dev', '--all', '--parseable');
    const installed = r.stdout.split('\n').map((p) => p.split('node_modules/').pop() ?? '');
    expect(installed).toContain('node-gyp-build');
    expect(installed).not.toContain('commander');
    expect(installed).not.toContain('cli-table3');
    const meta = JSON.parse(readFileSync(join(app, 'node_modules', 'epoll-reactor', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(meta.dependencies).sort()).toEqual(['node-addon-api', 'node-gyp-build']);
    expect(meta.peerDependenciesMeta?.['@types/node']?.optional).toBe(true);
  });

  it('imports as ESM and requires as CJS, main entry and /compat, from the prebuild', () => {
    writeFileSync(join(app, 'main.mjs'), `import { Epoll, EventFd, EPOLLIN } from 'epoll-reactor';\nimport { Epoll as Compat } from 'epoll-reactor/compat';\n${PROGRAM}`);
    writeFileSync(join(app, 'main.cjs'), `const { Epoll, EventFd, EPOLLIN } = require('epoll-reactor');\nconst { Epoll: Compat } = require('epoll-reactor/compat');\n${PROGRAM}`);
    for (const file of ['main.mjs', 'main.cjs']) {
      const r = node(file);
      expect(r.stderr, file).toBe('');
      expect(JSON.parse(r.stdout), file).toEqual(EXPECTED);
    }
  });

  it('runs its CLI: --help without the bench tools, and a bench command says what to install', () => {
    const bin = join(app, 'node_modules', '.bin', 'epoll-reactor');
    const r = spawnSync(bin, ['--help'], { cwd: app, env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/example/);
    expect(r.stdout).toMatch(/bench/);
    const bench = spawnSync(bin, ['bench', '--quick'], { cwd: app, env, encoding: 'utf8' });
    expect(bench.status).toBe(1);
    expect(bench.stdout).toBe('');
    expect(bench.stderr.trim().split('\n')).toHaveLength(1);
    expect(bench.stderr).toMatch(/ERR_REACTOR_BENCH_TOOLS_MISSING/);
    expect(bench.stderr).toMatch(/npm install/);
  });

  it('runs an example from the installed package: epoll-reactor example NAME (a server and a client)', async () => {
    const bin = join(app, 'node_modules', '.bin', 'epoll-reactor');
    const help = spawnSync(bin, ['example', 'calculator-client', '--help'], { cwd: app, env, encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: epoll-reactor example calculator-client \[options\]/);
    // the server answers the client: both from the installed tarball
    const server = spawn(bin, ['example', 'calculator', '--port', '0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
        server.stdout!.on('data', (d) => {
          out += d;
          const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
          if (m) (clearTimeout(timer), resolve(Number(m[1])));
        });
      });
      const client = spawnSync(bin, ['example', 'calculator-client', '--port', String(port), '--count', '100'], { cwd: app, env, encoding: 'utf8', timeout: 30_000 });
      expect(client.stderr).toBe('');
      expect(client.stdout).toMatch(/^100 requests, 100 answers verified/);
      expect(client.status).toBe(0);
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('type-checks for import and for require (nodenext), with the @types/node the app installed', () => {
    expect(existsSync(join(app, 'node_modules', '@types', 'node', 'package.json'))).toBe(true);
    const use = `const ep = new Epoll();\nconst n: number = ep.wait(0);\nconst c = new Compat((err: Error | null, fd: number, events: number) => void [err, fd, events, n]);\nc.close();\n`;
    writeFileSync(join(app, 'check.mts'), `import { Epoll } from 'epoll-reactor';\nimport { Epoll as Compat } from 'epoll-reactor/compat';\n${use}`);
    writeFileSync(join(app, 'check.cts'), `import main = require('epoll-reactor');\nimport compat = require('epoll-reactor/compat');\nconst { Epoll } = main;\nconst Compat = compat.Epoll;\n${use}`);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['check.mts', 'check.cts'] }),
    );
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, env, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it("replaces the npm `epoll` package under a library that requires it: an override to a two-line shim (README's recipe)", () => {
    // gpio-lib stands for onoff: it depends on epoll@^4 and calls require('epoll').
    const lib = join(app, 'gpio-lib');
    const shim = join(app, 'epoll-shim');
    mkdirSync(lib);
    mkdirSync(shim);
    writeFileSync(join(lib, 'package.json'), JSON.stringify({ name: 'gpio-lib', version: '1.0.0', main: 'index.js', dependencies: { epoll: '^4.0.2' } }));
    writeFileSync(join(lib, 'index.js'), "const { Epoll } = require('epoll');\nmodule.exports = (fd, cb) => new Epoll(cb).add(fd, Epoll.EPOLLIN);\n");
    writeFileSync(join(shim, 'package.json'), JSON.stringify({ name: 'epoll', version: '4.0.2', main: 'index.js' }));
    writeFileSync(join(shim, 'index.js'), "module.exports = require('epoll-reactor/compat');\n");
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ ...manifest, overrides: { epoll: 'file:./epoll-shim' } }));
    const r = npm('install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', 'file:./gpio-lib');
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(
      join(app, 'gpio.cjs'),
      `const { EventFd } = require('epoll-reactor');
       const efd = new EventFd();
       const watch = require('gpio-lib');
       const ep = watch(efd.fd, (err, fd, events) => { console.log(JSON.stringify([err, fd === efd.fd, events])); ep.remove(fd).close(); efd.close(); });
       efd.write(1);`,
    );
    const run = node('gpio.cjs');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([null, true, 1]);
  }, 60_000);

  it('its install script (node-gyp-build) accepts the prebuild and compiles nothing', () => {
    const r = npm('rebuild', 'epoll-reactor', '--foreground-scripts');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'epoll-reactor', 'build'))).toBe(false);
  }, 60_000);

  it('with no fitting binary, the import fails with the error that names the fix', () => {
    rmSync(join(app, 'node_modules', 'epoll-reactor', 'prebuilds'), { recursive: true, force: true });
    writeFileSync(join(app, 'bare.mjs'), `try { await import('epoll-reactor'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`);
    const r = node('bare.mjs');
    const err = JSON.parse(r.stdout) as { code: string; message: string };
    expect(err.code).toBe('ERR_EPOLL_REACTOR_NOT_BUILT');
    expect(err.message).toContain('npm rebuild epoll-reactor');
    expect(err.message).toContain('npm approve-scripts epoll-reactor');
    expect(err.message).toContain(join('prebuilds', `linux-${process.arch}`));
  });
});
