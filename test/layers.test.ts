// The import direction of src/: each layer may import only layers to its left
//   sys -> poll -> net -> buffer -> loop -> tcp -> threads -> compat
// (compat, the `epoll-reactor/compat` entry, sits last: nothing in src/ imports it)
// codec may import buffer and errors only; src/errors.ts imports nothing;
// src/index.ts, src/entries/* and src/{codec,compat}/index.ts (the package's entry points) only
// re-export; nothing imports examples/ or
// benchmarks/. A back-edge (say loop importing tcp) fails this test.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const ORDER = ['sys', 'poll', 'net', 'buffer', 'loop', 'tcp', 'threads', 'compat'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of every import/export-from in `source` (type-only ones too). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) out.push((m[1] ?? m[2])!);
  return out;
}

/** The layer of a path under src/: 'sys', …, 'errors', 'index', or 'outside'. */
function layerOf(path: string): string {
  const rel = relative(SRC, path).replace(/\.[jt]s$/, ''); // imports name the .js of a .ts
  if (rel.startsWith('..')) return 'outside';
  return rel.split('/')[0]!; // 'errors' and 'index' for the two top-level files
}

/** Why `from` may not import `to` (null when allowed). */
export function violation(from: string, to: string, fromFile: string): string | null {
  if (to === 'outside') return 'imports outside src/';
  if (from === 'index' || from === 'entries') return null; // entry points (src/index.ts, src/entries/*) re-export any layer
  if (fromFile.endsWith('/index.ts') && to === from) return null;
  if (from === 'errors') return 'src/errors.ts imports nothing';
  if (to === 'errors') return null;
  if (to === 'index') return 'imports an index (import the module itself)';
  if (to === 'entries') return 'imports an entry point (import the module itself)';
  if (from === 'codec') return to === 'buffer' || to === 'codec' ? null : `codec may import buffer and errors only, not ${to}`;
  const a = ORDER.indexOf(from);
  const b = ORDER.indexOf(to);
  if (a < 0) return `unknown layer ${from}`;
  if (b < 0) return `${from} may not import ${to}`;
  return b <= a ? null : `back-edge ${from} -> ${to}`;
}

describe('layers', () => {
  it('every import in src/ goes one way', () => {
    const bad: string[] = [];
    const all = files(SRC);
    expect(all.length).toBeGreaterThan(30);
    for (const file of all) {
      const from = layerOf(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue; // node: builtins and packages
        const why = violation(from, layerOf(resolve(dirname(file), spec)), file);
        if (why !== null) bad.push(`${relative(SRC, file)} imports ${spec}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the checker itself sees back-edges, codec and errors rules', () => {
    expect(importsOf("import { a } from '../tcp/x.js';\nexport { b } from './y.js';\nimport type { C } from \"../loop/c.js\";")).toEqual([
      '../tcp/x.js',
      './y.js',
      '../loop/c.js',
    ]);
    expect(violation('loop', 'tcp', '/s/loop/EventLoop.ts')).toMatch(/back-edge/);
    expect(violation('tcp', 'loop', '/s/tcp/TcpConnection.ts')).toBeNull();
    expect(violation('poll', 'sys', '/s/poll/Epoll.ts')).toBeNull();
    expect(violation('sys', 'poll', '/s/sys/addon.ts')).toMatch(/back-edge/);
    expect(violation('codec', 'loop', '/s/codec/x.ts')).toMatch(/codec/);
    expect(violation('codec', 'buffer', '/s/codec/x.ts')).toBeNull();
    expect(violation('errors', 'sys', '/s/errors.ts')).toMatch(/nothing/);
    expect(violation('tcp', 'outside', '/s/tcp/x.ts')).toMatch(/outside/);
    expect(violation('entries', 'net', '/s/entries/sys.ts')).toBeNull();
    expect(violation('tcp', 'entries', '/s/tcp/x.ts')).toMatch(/entry point/);
  });
});
