// Builds dist/ once before the suites run, so tests that spawn the compiled
// examples (node dist/examples/echo-server.js) never run a stale build.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function setup(): void {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/write-cjs-entry.mjs'], { stdio: 'inherit' });
}
