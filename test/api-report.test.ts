// The committed API report (etc/api/*.api.md) matches the surface the build emits for every
// entry point, so any change to what users can import is a reviewed diff. When the change
// is intended: `npm run build:ts && npm run api:update`, then commit etc/api/.
// (The suites' global setup builds dist/ first.)
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('API report', () => {
  it('etc/api/ matches the emitted declarations of every entry point', () => {
    const r = spawnSync(process.execPath, ['scripts/api-report.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 90_000);
});
