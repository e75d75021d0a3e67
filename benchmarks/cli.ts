#!/usr/bin/env node
// The `epoll-reactor` command (the package's bin). `example NAME` runs an example (example.ts);
// every other command is a benchmark (program.ts, which alone needs commander and cli-table3), so
// running an example needs only the package itself.
const argv = process.argv.slice(2);
try {
  if (argv[0] === 'example') await (await import('./example.js')).runExample(argv.slice(1));
  else await import('./program.js');
} catch (err) {
  process.stderr.write(`epoll-reactor: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
