// The command line every example shares: the servers' `--host --port --mode lt|et|uring --driver
// integrated|exclusive`, the clients' `--host --port --mode`, plus each example's own flags;
// `--help` prints a usage text generated from the flags (every default shown) and exits 0; a
// bad flag exits 2 with "NAME: message" on stderr. Parsing only — running the server is
// run.ts's job.
import { parseArgs } from 'node:util';
import type { LoopMode } from '../../src/index.js';
/** The options every example server takes. */
export interface ServerArgs {
  host: string;
  port: number;
  mode: LoopMode;
  driver: 'integrated' | 'exclusive';
}

/** One command-line flag: its parseArgs type and default, and one line for --help. */
export interface Flag {
  type: 'string' | 'boolean';
  default?: string | boolean;
  short?: string;
  /** Placeholder of the value in the help text ("N", "BYTES", "lt|et"). Default: the flag in capitals. */
  arg?: string;
  /** What the flag does, one line. */
  help: string;
}

/** An example's own flags, by name (without the leading `--`). */
export type Flags = Record<string, Flag>;

/** How an example presents itself on --help. */
export interface CliSpec {
  /** Program name: the launcher's name for it (`epoll-reactor example NAME`) and the prefix of its messages. */
  name: string;
  /** The compiled file under dist/examples/, e.g. 'calculator/main.js'. */
  file: string;
  /** One or two sentences: what it does. */
  about: string;
  /** Extra usage forms after the program name (e.g. 'adduser <id> <password> [options]'). */
  forms?: string[];
  /** The example's own flags. */
  flags?: Flags;
}

/** Parsed command line: the common server flags, the example's own values, and positionals. */
export interface ParsedCli {
  server: ServerArgs;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** An error as one line: its code first when it has one (`ERR_REACTOR_URING_UNAVAILABLE: io_uring is ...`). */
export function errorLine(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return typeof e?.code === 'string' ? `${e.code}: ${message}` : message;
}

/** Prints `NAME: message` on stderr and exits 2 (the exit code of a usage error). */
export function fail(name: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(2);
}

const HELP_FLAG: Flag = { type: 'boolean', short: 'h', default: false, help: 'print this help and exit' };

const SERVER_FLAGS: Flags = {
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on (IPv4 or IPv6)' },
  port: { type: 'string', default: '0', help: 'port to listen on (0: any free port; the real one is printed)' },
  mode: { type: 'string', default: 'lt', arg: 'lt|et|uring', help: 'level- or edge-triggered epoll, or io_uring' },
  driver: { type: 'string', default: 'integrated', arg: 'integrated|exclusive', help: "inside Node's own loop, or a worker thread blocked in epoll_wait" },
};

const CLIENT_FLAGS: Flags = {
  host: { type: 'string', default: '127.0.0.1', help: 'server address' },
  port: { type: 'string', arg: 'PORT', help: 'server port (required)' },
  mode: { type: 'string', default: 'lt', arg: 'lt|et|uring', help: "the client loop's mode (epoll LT/ET, or io_uring)" },
};

/** The --help text of `spec` with `flags` (the common ones included), every default shown. */
export function helpText(spec: CliSpec, flags: Flags): string {
  const forms = ['[options]', ...(spec.forms ?? [])];
  const lines = forms.map((f, i) => `${i === 0 ? 'usage: ' : '       '}epoll-reactor example ${spec.name} ${f}`);
  lines.push(`  (from a clone: node dist/examples/${spec.file} ...)`, '', spec.about, '', 'options:');
  const rows = Object.entries({ ...flags, help: HELP_FLAG }).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.arg ?? name.toUpperCase()}` : ''}`;
    const dflt = f.type === 'string' && f.default !== undefined ? ` (default: ${String(f.default)})` : '';
    return [left, `${f.help}${dflt}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(width)}${r}`);
  return `${lines.join('\n')}\n`;
}

/** parseArgs over `flags` plus --help; --help prints helpText and exits 0, a parse error exits 2. */
function parse(spec: CliSpec, flags: Flags, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries({ ...flags, help: HELP_FLAG }).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.default !== undefined ? { default: f.default } : {}) }]),
  ) as NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: spec.forms !== undefined, options, strict: true });
  } catch (err) {
    fail(spec.name, `${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(helpText(spec, flags));
    process.exit(0);
  }
  return { values, positionals: parsed.positionals };
}

/**
 * Parses an example server's argv (default process.argv.slice(2)): the common flags and
 * `spec.flags`. --help prints the usage (exit 0); unknown flags and bad values exit 2.
 */
export function parseServerCli(spec: CliSpec, argv = process.argv.slice(2)): ParsedCli {
  const { values, positionals } = parse(spec, { ...SERVER_FLAGS, ...spec.flags }, argv);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(spec.name, `bad --port '${String(values.port)}'`);
  if (!isLoopMode(values.mode)) fail(spec.name, `--mode must be lt, et or uring, not '${String(values.mode)}'`);
  if (values.driver !== 'integrated' && values.driver !== 'exclusive') fail(spec.name, `--driver must be integrated or exclusive`);
  return {
    server: { host: values.host as string, port, mode: values.mode, driver: values.driver },
    values,
    positionals,
  };
}

/** Parsed client command line: where to connect, the client loop's mode, the client's own string values. */
export interface ClientCli {
  host: string;
  port: number;
  mode: LoopMode;
  values: Record<string, string | undefined>;
}

/**
 * Parses an example client's argv: `--host` (default 127.0.0.1), `--port` (required, 1..65535),
 * `--mode lt|et|uring` (default lt) and the client's own flags; --help prints the usage (exit 0), a
 * bad value exits 2.
 */
export function parseClientCli(spec: CliSpec, argv = process.argv.slice(2)): ClientCli {
  const { values } = parse(spec, { ...CLIENT_FLAGS, ...spec.flags }, argv);
  const v = values as Record<string, string | undefined>;
  const port = Number(v.port);
  if (v.port === undefined) fail(spec.name, '--port PORT is required (see --help)');
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(spec.name, `bad --port '${v.port}'`);
  if (!isLoopMode(v.mode)) fail(spec.name, '--mode must be lt, et or uring');
  return { host: v.host!, port, mode: v.mode, values: v };
}

function isLoopMode(mode: unknown): mode is LoopMode {
  return mode === 'lt' || mode === 'et' || mode === 'uring';
}

/** A non-negative number flag, or exit 2. */
export function numberFlag(name: string, flag: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(name, `bad --${flag} '${String(value)}'`);
  return n;
}

/** `HOST:PORT` for a listen or connect address (`[HOST]:PORT` for IPv6). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The peer's address for a log line; '?' if the socket can no longer say. */
export function peerName(conn: { readonly remoteAddress: { toString(): string } | undefined }): string {
  try {
    return conn.remoteAddress?.toString() ?? '?';
  } catch {
    return '?';
  }
}
