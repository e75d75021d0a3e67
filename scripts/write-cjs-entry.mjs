// Writes dist/src/index.cjs, the CommonJS entry point: `require('epoll-reactor')`.
// It loads the one ESM build through require(esm) (Node >= 20.19), so ESM and
// CJS users share a single module instance (no dual-package hazard).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'src', 'index.cjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  "'use strict';\n// CommonJS entry: the ESM build, loaded with require(esm) (Node >= 20.19).\nmodule.exports = require('./index.js');\n",
);
