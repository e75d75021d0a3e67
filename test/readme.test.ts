// The README's raw-API example must run as written (from a consumer project,
// through the package's exports map) and print what its comments say.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function codeBlockAfter(heading: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  expect(at).toBeGreaterThanOrEqual(0);
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`no js block after ${heading}`);
  return m[1]!;
}

describe('README', () => {
  it('the raw API example runs as written and prints what its comments promise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-readme-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(ROOT, join(dir, 'node_modules', 'epoll-reactor'), 'dir');
      writeFileSync(join(dir, 'example.mjs'), codeBlockAfter('## The raw API'));
      const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
      expect(out).toBe('true true 7\n[]\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens with the two commands a new user types', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock).toContain('npm install && npx epoll-reactor bench --quick');
    expect(firstBlock).toContain('npm test');
  });
});
