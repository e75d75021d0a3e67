// Every command a user can type answers --help with its defaults and exits 0: the bin's commands
// and subcommands (found from its own --help, so a new command is covered the day it lands), every
// example through the launcher (`epoll-reactor example NAME --help`) and from a clone (`node
// dist/examples/...`), and the npm-script benchmarks. Every example server prints "listening on"
// as its first line, and exits non-zero with one line on stderr when its port is taken.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EXAMPLES } from '../benchmarks/examples.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}dist/benchmarks/cli.js`;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Command names listed under "Commands:" in a commander help text. */
function commandsIn(help: string): string[] {
  const at = help.indexOf('Commands:');
  if (at < 0) return [];
  const section = help.slice(at).split('\n\n')[0]!; // up to the first blank line
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

describe('epoll-reactor (the bin) --help', () => {
  const top = run([BIN, '--help']);
  it('lists its commands and the example launcher, exit 0', () => {
    expect(top.status).toBe(0);
    expect(commandsIn(top.stdout)).toEqual(expect.arrayContaining(['bench', 'scaling', 'idle-memory', 'connections', 'soak', 'build-tools']));
    expect(top.stdout).toContain('epoll-reactor example <name>');
  });

  const commands = commandsIn(top.stdout);
  const sub = run([BIN, 'bench', '--help']);
  const paths = [...commands.map((c) => [c]), ...commandsIn(sub.stdout).map((c) => ['bench', c])];
  it.each(paths.map((p) => [p.join(' '), p] as const))('%s --help: usage with defaults, exit 0', (_label, path) => {
    const r = run([BIN, ...path, '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: epoll-reactor ${path.join(' ')}`));
    if (/--\w+ <\w+>/.test(r.stdout) && path[0] !== 'build-tools') expect(r.stdout).toContain('(default:');
  });

  it('connections defaults to a count a laptop runs in seconds; 50,000 is behind --full', () => {
    const r = run([BIN, 'connections', '--help']);
    expect(r.stdout).toMatch(/--connections <n>[\s\S]*\(default: 5000\)/);
    expect(r.stdout).toMatch(/--full\s[\s\S]*50000 connections/);
  });
});

const names = Object.keys(EXAMPLES);

describe('examples --help', () => {
  it('the launcher lists every example, exit 0', () => {
    const r = run([BIN, 'example', '--help']);
    expect(r.status).toBe(0);
    for (const n of names) expect(r.stdout).toContain(`  ${n} `);
  });

  it('the launcher refuses an unknown example with exit 2 and the list', () => {
    const r = run([BIN, 'example', 'no-such-example']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^epoll-reactor example: unknown example 'no-such-example'\n/);
  });

  it.each(names)('%s: usage with every default, exit 0, through the launcher and from a clone', (name) => {
    const viaLauncher = run([BIN, 'example', name, '--help']);
    expect(viaLauncher.stderr).toBe('');
    expect(viaLauncher.status).toBe(0);
    expect(viaLauncher.stdout).toMatch(new RegExp(`^usage: epoll-reactor example ${name} \\[options\\]`));
    // every flag with a value shows its default (or says it is required / has none)
    for (const line of viaLauncher.stdout.split('\n').filter((l) => /^\s+(-\w, )?--[\w-]+ \S/.test(l))) {
      expect(line).toMatch(/\(default|required\)/);
    }
    const file = fileURLToPath(new URL(EXAMPLES[name]!.file, new URL('../dist/benchmarks/', import.meta.url)));
    const direct = run([file, '--help']);
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(viaLauncher.stdout);
  });

  it.each(names)('%s: an unknown flag is one line on stderr and exit 2, no stack trace', (name) => {
    const r = run([BIN, 'example', name, '--no-such-flag']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${name}: .*--no-such-flag`));
  });
});

describe('npm-script benchmarks --help', () => {
  it.each(['raw-epoll.js', 'compat-epoll.js'])('%s --help: exit 0 with defaults', (file) => {
    const r = run([`${ROOT}dist/benchmarks/${file}`, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: /);
    expect(r.stdout).toContain('default');
  });
});

/** Starts `node file args` and resolves with its exit code, stdout and stderr once it exits (or with its first stdout line). */
function firstLineOrExit(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) child.kill('SIGTERM'); // a running server: its first line is enough
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const servers = names.filter((n) => !n.endsWith('-client'));

describe('example servers', () => {
  it.each(servers)('%s prints "listening on" first', async (name) => {
    const file = fileURLToPath(new URL(EXAMPLES[name]!.file, new URL('../dist/benchmarks/', import.meta.url)));
    const r = await firstLineOrExit(file, ['--port', '0']);
    expect(r.stdout.split('\n')[0]).toMatch(/^listening on 127\.0\.0\.1:\d+$/);
  });

  it.each(servers)('%s on a taken port: exit non-zero, one line naming EADDRINUSE', async (name) => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const file = fileURLToPath(new URL(EXAMPLES[name]!.file, new URL('../dist/benchmarks/', import.meta.url)));
      const r = await firstLineOrExit(file, ['--port', String(port)]);
      expect(r.stdout).not.toContain('listening on');
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^${name}: .*EADDRINUSE`));
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
