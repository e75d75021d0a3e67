// Docs that cannot rot. Every js/ts code block in README.md and docs/**/*.md is run as written,
// from a consumer project that installed the package (node_modules/epoll-reactor links to this
// checkout), and must exit 0; a block whose fence says `no-run` (```ts no-run — it needs
// hardware, another file or a long run) is type-checked instead, like every other block. Every
// command a shell block shows (`npx epoll-reactor ...`, `node dist/...`, `npm run ...`) exists and
// answers --help. The benchmark tables match what scripts/render-bench-tables.mjs makes of the
// committed JSON.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name);
      if (e.isDirectory() && rel !== join('docs', 'api')) walk(rel);
      else if (e.isFile() && e.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out;
}

interface Block {
  file: string;
  line: number;
  lang: string;
  noRun: boolean;
  code: string;
}

function blocks(file: string): Block[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Block[] = [];
  const re = /^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ file, line: text.slice(0, m.index).split('\n').length, lang: m[1]!, noRun: /\bno-run\b/.test(m[2]!), code: m[3]! });
  }
  return out;
}

const all = markdownFiles().flatMap(blocks);
const code = all.filter((b) => ['js', 'mjs', 'cjs', 'ts'].includes(b.lang));
const shell = all.filter((b) => ['sh', 'bash', 'shell'].includes(b.lang));
const label = (b: Block): string => `${b.file}:${b.line} (${b.lang}${b.noRun ? ' no-run' : ''})`;
/** File name of a block in the consumer project: CommonJS when it calls require(). */
const fileOf = (b: Block, i: number): string => `block${i}.${b.lang === 'ts' ? 'mts' : /\brequire\(/.test(b.code) ? 'cjs' : 'mjs'}`;

/** A consumer project with the package installed (linked) and every code block written out. */
function consumer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-docs-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'epoll-reactor'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  code.forEach((b, i) => writeFileSync(join(dir, fileOf(b, i)), b.code));
  return dir;
}

describe('docs code blocks', () => {
  it('there are blocks to check, in README and docs/', () => {
    expect(code.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(4);
    expect(code.filter((b) => b.file.startsWith('docs')).length).toBeGreaterThanOrEqual(4);
  });

  it('every block type-checks against the installed package', () => {
    const dir = consumer();
    try {
      const files = code.map((b, i) => join(dir, fileOf(b, i)));
      const program = ts.createProgram(files, {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        strict: true,
        noEmit: true,
        allowJs: true,
        checkJs: true,
        skipLibCheck: true,
        types: ['node'],
      });
      const diags = ts.getPreEmitDiagnostics(program).map((d) => {
        const i = files.indexOf(d.file?.fileName ?? '');
        const where = i >= 0 ? `${label(code[i]!)} +${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line}` : relative(dir, d.file?.fileName ?? '?');
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      // JS blocks are checked for what they call (names, arguments), not for implicit any
      expect(diags.filter((d) => !/implicitly has an? '?any'? type|implicitly has type 'any'/.test(d))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const runnable = code.map((b, i) => [label(b), b, i] as const).filter(([, b]) => !b.noRun);
  it.each(runnable)('%s runs as written and exits 0', (_l, b, i) => {
    const dir = consumer();
    try {
      let file = fileOf(b, i);
      if (b.lang === 'ts') {
        const js = ts.transpileModule(b.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
        file = `block${i}.mjs`;
        writeFileSync(join(dir, file), js);
      }
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the README raw-API block prints what its comments promise', () => {
    const raw = code.find((b) => b.file === 'README.md' && b.code.includes('new Epoll()'))!;
    const dir = consumer();
    try {
      const out = execFileSync(process.execPath, [fileOf(raw, code.indexOf(raw))], { cwd: dir, encoding: 'utf8' });
      expect(out).toBe('true true 7\n[]\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The commands shell blocks show, as the argv that asks them for --help. */
function helpInvocations(): Array<[string, string[]]> {
  const bin = join(ROOT, 'dist', 'benchmarks', 'cli.js');
  const COMMANDS = new Set(['bench', 'resp', 'http', 'chat', 'scaling', 'idle-memory', 'connections', 'soak', 'build-tools', 'cpu-guard']);
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const out = new Map<string, string[]>();
  for (const b of shell) {
    for (const raw of b.code.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim().replace(/^\$ /, '');
      const words = line.split(/\s+/);
      if (words[0] === 'npx' && words[1] === 'epoll-reactor') {
        const path: string[] = [];
        for (let k = 2; k < words.length; k++) {
          if (words[k] === 'example') {
            path.push('example');
            if (words[k + 1] && !words[k + 1]!.startsWith('-')) path.push(words[k + 1]!);
            break;
          }
          if (!COMMANDS.has(words[k]!)) break;
          path.push(words[k]!);
        }
        out.set(`epoll-reactor ${path.join(' ')}`, [bin, ...path, '--help']);
      } else if (words[0] === 'node' && words[1]?.startsWith('dist/')) {
        out.set(`node ${words[1]}`, [join(ROOT, words[1]!), '--help']);
      } else if (words[0] === 'npm' && words[1] === 'run') {
        expect(scripts[words[2]!], `${b.file}:${b.line}: npm run ${words[2]} is not a script`).toBeDefined();
      }
    }
  }
  return [...out.entries()];
}

describe('docs commands', () => {
  const cmds = helpInvocations();
  it('the docs show commands', () => expect(cmds.length).toBeGreaterThan(5));
  it.each(cmds)('%s --help exits 0', (_name, argv) => {
    const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('README opens with the two commands a new user types', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const first = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(first).toContain('npm install && npx epoll-reactor bench --quick');
    expect(first).toContain('npm test');
  });

  it('README: at most 250 lines, no tracker language', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme).not.toMatch(/\bissue \d+|the seeds|other engineers|load average/i);
  });

  it('generated tables (benchmarks from their JSON, error codes from src/errors.ts) match: node scripts/render-bench-tables.mjs', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'render-bench-tables.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
