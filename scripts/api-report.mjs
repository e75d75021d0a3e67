// The API report: the emitted public surface of every package entry point, one
// committed file per entry (etc/api/<entry>.api.md), so a change to what users
// can import shows in review as a diff of that file.
//
// Reads the built declarations (dist/src/**/*.d.ts — run `npm run build:ts`
// first) with the TypeScript compiler API and writes, for each export of each
// entry: its kind and name, and for classes and interfaces every member a user
// can reach with its type (private `#` fields are not part of the surface;
// symbol-keyed members are listed by their symbol's name, since the symbol
// itself is not exported). Doc comments and formatting are left out: only the
// shape counts.
//
//   node scripts/api-report.mjs           rewrite etc/api/*.api.md (an intended change)
//   node scripts/api-report.mjs --check   exit 1 and print a diff summary if they differ
//
// `npm run api:update` and `npm run api:check` run these. Stateless.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every entry point: the exports map's subpath, and the report file it is kept in. */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ENTRIES = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object')
  .map(([subpath, target]) => ({
    name: subpath === '.' ? 'epoll-reactor' : `epoll-reactor/${subpath.slice(2)}`,
    file: subpath === '.' ? 'index' : subpath.slice(2),
    dts: join(root, target.import.types),
  }));

const program = ts.createProgram(
  ENTRIES.map((e) => e.dts),
  { strict: true, types: ['node'], noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
);
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true });
const F = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.WriteArrowStyleSignature;

function typeText(type, node) {
  return checker.typeToString(type, node, F).replace(/import\("[^"]*"\)\./g, '');
}

function kindOf(sym) {
  const f = sym.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.TypeAlias && f & ts.SymbolFlags.Variable) return 'const+type';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

const DIST = join(root, 'dist', 'src');
/** Whether a declaration is in this package's built declarations. */
function ours(decl) {
  return decl.getSourceFile().fileName.startsWith(DIST);
}

function memberName(m) {
  const decl = m.valueDeclaration ?? m.declarations?.[0];
  if (decl && decl.name && ts.isComputedPropertyName(decl.name)) return `[${decl.name.expression.getText()}]`;
  return m.getName();
}

function modifiers(m) {
  const decl = m.valueDeclaration ?? m.declarations?.[0];
  const flags = decl ? ts.getCombinedModifierFlags(decl) : 0;
  let s = '';
  if (flags & ts.ModifierFlags.Static) s += 'static ';
  if (flags & ts.ModifierFlags.Readonly) s += 'readonly ';
  if (decl && (ts.isGetAccessor(decl) || ts.isSetAccessor(decl))) {
    const hasSet = m.declarations.some((d) => ts.isSetAccessor(d));
    const hasGet = m.declarations.some((d) => ts.isGetAccessor(d));
    s += hasGet && !hasSet ? 'get ' : hasSet && !hasGet ? 'set ' : 'get/set ';
  }
  if (m.flags & ts.SymbolFlags.Optional) s += '?';
  return s;
}

function membersOf(sym, decl, isStatic) {
  const lines = [];
  const type = isStatic ? checker.getTypeOfSymbolAtLocation(sym, decl) : checker.getDeclaredTypeOfSymbol(sym);
  const props = checker.getPropertiesOfType(type).filter((p) => !(isStatic && p.getName() === 'prototype'));
  for (const p of props) {
    const name = memberName(p);
    if (name.startsWith('#')) continue;
    // Inherited from the platform (Error.captureStackTrace, Error#stack…): not ours, and it moves with @types/node.
    if (!(p.declarations ?? []).some((d) => ours(d))) continue;
    const d = p.valueDeclaration ?? p.declarations?.[0];
    if (d && ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    const t = typeText(checker.getTypeOfSymbolAtLocation(p, decl), decl);
    lines.push(`  ${isStatic ? 'static ' : ''}${modifiers(p).replace(/^static /, '')}${name}: ${t}`);
  }
  if (isStatic) {
    for (const sig of type.getConstructSignatures()) lines.unshift(`  new${checker.signatureToString(sig, decl, F).replace(/import\("[^"]*"\)\./g, '').replace(/ => .*$/, '')}`);
    for (const sig of type.getCallSignatures()) lines.unshift(`  (call)${checker.signatureToString(sig, decl, F).replace(/import\("[^"]*"\)\./g, '')}`);
  } else {
    for (const sig of type.getCallSignatures?.() ?? []) lines.unshift(`  (call)${checker.signatureToString(sig, decl, F).replace(/import\("[^"]*"\)\./g, '')}`);
  }
  return lines.sort();
}

function report(entry) {
  const sf = program.getSourceFile(entry.dts);
  if (!sf) throw new Error(`${entry.dts} not found: run npm run build:ts first`);
  const mod = checker.getSymbolAtLocation(sf);
  const out = [`# API report: ${entry.name}`, '', 'Generated by `npm run api:update` from the built declarations; checked by test/api-report.test.ts.', '', '```ts'];
  const exports = checker.getExportsOfModule(mod).sort((a, b) => a.getName().localeCompare(b.getName()));
  for (const ex of exports) {
    const sym = ex.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(ex) : ex;
    const decl = sym.valueDeclaration ?? sym.declarations?.[0];
    const kind = kindOf(sym);
    const typeOnly = !(sym.flags & ts.SymbolFlags.Value) || ex.declarations?.some((d) => d.isTypeOnly || d.parent?.parent?.isTypeOnly);
    const head = `${typeOnly && kind === 'class' ? 'type-only ' : ''}${kind} ${ex.getName()}`;
    if (kind === 'class') {
      const base = checker.getDeclaredTypeOfSymbol(sym).getBaseTypes?.() ?? [];
      out.push(`${head}${base.length ? ` extends ${base.map((b) => typeText(b, decl)).join(', ')}` : ''} {`);
      out.push(...membersOf(sym, decl, true), ...membersOf(sym, decl, false), '}');
    } else if (kind === 'interface') {
      out.push(`${head} {`, ...membersOf(sym, decl, false), '}');
    } else if (kind === 'type' || kind === 'const+type') {
      const alias = sym.declarations.find((d) => ts.isTypeAliasDeclaration(d));
      const t = alias ? printer.printNode(ts.EmitHint.Unspecified, alias.type, alias.getSourceFile()).replace(/\s+/g, ' ') : typeText(checker.getDeclaredTypeOfSymbol(sym), decl);
      out.push(`${head} = ${t}`);
      if (kind === 'const+type') out.push(`  value: ${typeText(checker.getTypeOfSymbolAtLocation(sym, decl), decl)}`);
    } else {
      out.push(`${head}: ${typeText(checker.getTypeOfSymbolAtLocation(sym, decl), decl)}`);
    }
  }
  out.push('```', '');
  return out.join('\n');
}

const check = process.argv.includes('--check');
const dir = join(root, 'etc', 'api');
mkdirSync(dir, { recursive: true });
const stale = [];
for (const entry of ENTRIES) {
  const path = join(dir, `${entry.file}.api.md`);
  const text = report(entry);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (old === text) continue;
  if (check) {
    const a = new Set((old ?? '').split('\n'));
    const b = new Set(text.split('\n'));
    const removed = [...a].filter((l) => !b.has(l)).slice(0, 20);
    const added = [...b].filter((l) => !a.has(l)).slice(0, 20);
    stale.push(`etc/api/${entry.file}.api.md differs from the built surface of ${entry.name}:\n${removed.map((l) => `- ${l}`).join('\n')}\n${added.map((l) => `+ ${l}`).join('\n')}`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote etc/api/${entry.file}.api.md`);
  }
}
if (stale.length > 0) {
  console.error(`${stale.join('\n\n')}\n\nThe public API changed. If that is intended, run \`npm run build:ts && npm run api:update\` and commit etc/api/.`);
  process.exit(1);
}
