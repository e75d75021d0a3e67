// The command line every example server shares: `--host --port --mode lt|et --driver
// integrated|exclusive`, plus the example's own options; usage text on --help; a bad flag
// exits 2 with "NAME: message" on stderr. The example clients' `--host --port --mode` too.
// Parsing only — running the server is run.ts's job.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The options every example server takes. */
export interface ServerArgs {
  host: string;
  port: number;
  mode: 'lt' | 'et';
  driver: 'integrated' | 'exclusive';
}

/** An example's own flags, in node:util parseArgs form. */
export type ExtraOptions = NonNullable<ParseArgsConfig['options']>;

/** Parsed command line: the common server flags, the example's own values, and positionals. */
export interface ParsedCli {
  server: ServerArgs;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Prints `NAME: message` on stderr and exits 2 (the exit code of a usage error). */
export function fail(name: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(2);
}

/**
 * Parses argv (default process.argv.slice(2)) with the common flags and `extra`. `usage` is the
 * text after "usage: " printed on --help (exit 0). Unknown flags and bad values exit 2.
 */
export function parseServerCli(name: string, usage: string, extra: ExtraOptions = {}, argv = process.argv.slice(2)): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '0' },
        mode: { type: 'string', default: 'lt' },
        driver: { type: 'string', default: 'integrated' },
        help: { type: 'boolean', short: 'h', default: false },
        ...extra,
      },
    });
  } catch (err) {
    fail(name, (err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(`usage: ${usage}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(name, `bad --port '${String(values.port)}'`);
  if (values.mode !== 'lt' && values.mode !== 'et') fail(name, `--mode must be lt or et, not '${String(values.mode)}'`);
  if (values.driver !== 'integrated' && values.driver !== 'exclusive') fail(name, `--driver must be integrated or exclusive`);
  return {
    server: { host: values.host as string, port, mode: values.mode, driver: values.driver },
    values,
    positionals: parsed.positionals,
  };
}

/** Parsed client command line: where to connect, the client loop's mode, the client's own string values. */
export interface ClientCli {
  host: string;
  port: number;
  mode: 'lt' | 'et';
  values: Record<string, string | undefined>;
}

/**
 * Parses an example client's argv: `--host` (default 127.0.0.1), `--port` (required, 1..65535),
 * `--mode lt|et` (default lt) and the client's own string flags `extra`; a bad value exits 2.
 */
export function parseClientCli(name: string, extra: ExtraOptions = {}, argv = process.argv.slice(2)): ClientCli {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      mode: { type: 'string', default: 'lt' },
      ...extra,
    },
  });
  const v = values as Record<string, string | undefined>;
  const port = Number(v.port);
  if (v.port === undefined) fail(name, '--port PORT is required');
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(name, `bad --port '${v.port}'`);
  if (v.mode !== 'lt' && v.mode !== 'et') fail(name, '--mode must be lt or et');
  return { host: v.host!, port, mode: v.mode, values: v };
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
