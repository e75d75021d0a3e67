// src/codec knows no sockets: its files import only src/buffer, src/errors.ts and each other
// (no loop, no tcp, no node: I/O modules), and the reactor's layers never import the codecs.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('codec layering', () => {
  it('src/codec imports only ../buffer, ../errors.js and ./ files', () => {
    const files = tsFiles(join(SRC, 'codec'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const bad = files.flatMap((f) =>
      importsOf(f)
        .filter((spec) => !(spec.startsWith('./') || spec.startsWith('../buffer/') || spec === '../errors.js'))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(bad).toEqual([]);
  });

  it('no other layer of src imports src/codec (src/index.ts re-exports it)', () => {
    const files = tsFiles(SRC).filter((f) => !f.includes(`${join(SRC, 'codec')}/`) && f !== join(SRC, 'index.ts'));
    const bad = files.flatMap((f) => importsOf(f).filter((spec) => spec.includes('codec')).map((spec) => `${f}: ${spec}`));
    expect(bad).toEqual([]);
  });
});
