#!/usr/bin/env node
// The `epoll-reactor` command (the package's bin). `example NAME` runs an example (example.ts);
// every other command is a benchmark (program.ts, which alone needs commander and cli-table3), so
// running an example needs only the package itself.
//
// commander and cli-table3 are development dependencies (a clone's `npm install` has them; an
// app that installs the package does not): without them, --help still answers, and a bench
// command fails with one coded line naming what to install.
const argv = process.argv.slice(2);
const BENCH_TOOLS = ['commander', 'cli-table3'];

/** The bench tool `err` says is missing, if that is what it is. */
function missingTool(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || typeof e.message !== 'string') return undefined;
  const message = e.message;
  return BENCH_TOOLS.find((tool) => message.includes(`'${tool}'`));
}

const SHORT_HELP = `Usage: epoll-reactor <command>

Commands:
  example <name> [options]  run an example server or client (epoll-reactor example --help lists them)
  bench [options]           the benchmarks; they need the development tools commander and
                            cli-table3: run them from a clone (npm install && npx epoll-reactor bench --quick)
`;

try {
  if (argv[0] === 'example') await (await import('./example.js')).runExample(argv.slice(1));
  else await import('./program.js');
} catch (err) {
  const tool = missingTool(err);
  if (tool !== undefined && (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')) {
    process.stdout.write(SHORT_HELP);
    process.exit(0);
  }
  const message =
    tool !== undefined
      ? `ERR_REACTOR_BENCH_TOOLS_MISSING: the bench commands need ${BENCH_TOOLS.join(' and ')} (development dependencies; '${tool}' is not installed): run them from a clone of the repository after npm install, or npm install --no-save ${BENCH_TOOLS.join(' ')}`
      : err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`epoll-reactor: ${message}\n`);
  process.exit(1);
}
