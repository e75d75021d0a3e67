// `epoll-reactor example NAME [args...]`: runs an example from the installed package, in this
// process (the example installs its own signal handlers, exactly as when run with node directly).
// `epoll-reactor example` (or --help) lists them. Imports nothing but node: and the examples.
import { EXAMPLES } from './examples.js';

function list(): string {
  const width = Math.max(...Object.keys(EXAMPLES).map((n) => n.length)) + 2;
  return [
    'usage: epoll-reactor example <name> [options]',
    '       epoll-reactor example <name> --help     its options and defaults',
    '',
    'examples:',
    ...Object.entries(EXAMPLES).map(([name, e]) => `  ${name.padEnd(width)}${e.about}`),
    '',
  ].join('\n');
}

/** Runs example `argv[0]` with the rest of argv as its arguments. */
export async function runExample(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(list());
    return;
  }
  const entry = Object.hasOwn(EXAMPLES, name) ? EXAMPLES[name] : undefined;
  if (entry === undefined) {
    process.stderr.write(`epoll-reactor example: unknown example '${name}'\n${list()}`);
    process.exit(2);
  }
  const url = new URL(entry.file, import.meta.url);
  // The example reads process.argv.slice(2), as when started with `node file args...`.
  process.argv = [process.argv[0]!, url.pathname, ...args];
  await import(url.href);
}
