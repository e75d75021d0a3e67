// scripts/prebuild.mjs refuses what it cannot build instead of shipping less than asked: an
// arch with no known cross toolchain, or arm64 when its cross compiler is not on PATH.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/prebuild.mjs', import.meta.url));

describe('prebuild --arch', () => {
  it('an arch with no known toolchain: exit 1 naming it, nothing built', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--arch', 'sparc'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^prebuild: --arch sparc: no cross toolchain known/);
  });

  it('arm64 asked without aarch64-linux-gnu-g++ on PATH: exit 1 naming the package to install', () => {
    // PATH holds only node's own directory, so no cross compiler can be found
    const r = spawnSync(process.execPath, [SCRIPT, '--arch', 'arm64'], { encoding: 'utf8', env: { ...process.env, PATH: dirname(process.execPath) } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('aarch64-linux-gnu-g++ is not on PATH (Debian: apt-get install g++-aarch64-linux-gnu)');
  });
});
