// Writes the CommonJS entry points next to the ESM build, for `require()`:
//   dist/src/index.cjs, entries/sys.cjs, codec/index.cjs, compat/index.cjs   load the one ESM build through
//     require(esm) (Node >= 20.19), so ESM and CJS users share a single module
//     instance (no dual-package hazard);
//   the matching .d.cts files: their types. TypeScript
//     reads a .d.ts as ESM in a "type": "module" package, so a require() needs
//     declarations of its own kind ("Masquerading as ESM" otherwise): each
//     .d.cts re-exports the .d.ts it sits beside.
// Also puts `/// <reference types="node" />` on top of each entry's types: the
// public API hands out Node types (Buffer, MessagePort), and @types/node is a
// peer dependency.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REF = '/// <reference types="node" />\n';

for (const entry of ['dist/src/index', 'dist/src/entries/sys', 'dist/src/codec/index', 'dist/src/compat/index']) {
  const base = join(root, entry);
  if (!existsSync(`${base}.js`)) continue; // not built (yet) by this tsconfig
  const esm = `./${basename(base)}.js`;
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(
    `${base}.cjs`,
    `'use strict';\n// CommonJS entry: the ESM build, loaded with require(esm) (Node >= 20.19).\nmodule.exports = require('${esm}');\n`,
  );
  writeFileSync(`${base}.d.cts`, `${REF}export * from '${esm}';\n`);
  const dts = readFileSync(`${base}.d.ts`, 'utf8');
  if (!dts.startsWith(REF)) writeFileSync(`${base}.d.ts`, REF + dts);
}
