// SocketAddress: an IPv4, IPv6 or Unix-domain address, parsed and formatted in
// TypeScript and handed to the addon as raw `struct sockaddr` bytes.
//
// Keeping sockaddr encoding here (not in C++) keeps the addon policy-free: it
// passes bytes to bind/connect and returns bytes from getsockname/getpeername.
// Layouts are Linux's: sa_family is a host-order u16; ports and IPv4/IPv6
// addresses are network order. Immutable values; no fds, no threads.
//
// Unix addresses in text (toString() and parse() are inverses):
//   '/abs/path.sock'     a filesystem path (absolute)
//   'unix:rel/path.sock' a filesystem path, verbatim after 'unix:' (relative, or any)
//   '@name'              Linux's abstract namespace (as `ss` prints it); `address`
//                        holds it as '\0name', the form Node uses
// A filesystem path cannot contain a NUL byte (the kernel would stop at it and
// bind a truncated path), so one is rejected.
import { isIPv4, isIPv6 } from 'node:net';
import { endianness } from 'node:os';
import { invalidArgValue } from '../sys/args.js';
import { AF_INET, AF_INET6, AF_UNIX } from '../sys/constants.js';
import { argValueError, rangeError } from '../errors.js';

/** The family of a SocketAddress: AF_INET, AF_INET6 or AF_UNIX. */
export type AddressFamily = 'ipv4' | 'ipv6' | 'unix';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const SOCKADDR_IN_LEN = 16;
const SOCKADDR_IN6_LEN = 28;
const SUN_PATH_MAX = 108; // sizeof(sockaddr_un.sun_path), including the NUL

/** An immutable IPv4, IPv6 or Unix-domain socket address, with its `struct sockaddr` bytes for the addon. */
export class SocketAddress {
  readonly #raw: Uint8Array;

  private constructor(
    /** Address family. */
    readonly family: AddressFamily,
    /** Dotted quad, canonical IPv6 text, or the Unix path. */
    readonly address: string,
    /** Port (0 for Unix sockets). */
    readonly port: number,
    /** IPv6 scope id (interface index), 0 otherwise. */
    readonly scopeId: number,
    raw: Uint8Array,
  ) {
    this.#raw = raw;
  }

  /** An IPv4 address from dotted-quad text and a port (0..65535); throws on bad input. */
  static ipv4(address: string, port: number): SocketAddress {
    checkPort(port);
    const bytes = parseIPv4(address);
    if (bytes === null) throw argValueError(`not an IPv4 address: '${address}'`);
    const raw = new Uint8Array(SOCKADDR_IN_LEN);
    const dv = new DataView(raw.buffer);
    dv.setUint16(0, AF_INET, LITTLE_ENDIAN_HOST);
    dv.setUint16(2, port, false);
    raw.set(bytes, 4);
    return new SocketAddress('ipv4', formatIPv4(bytes), port, 0, raw);
  }

  /** An IPv6 address from text (a numeric `%zone` suffix sets the scope id) and a port; throws on bad input. */
  static ipv6(address: string, port: number, scopeId = 0): SocketAddress {
    checkPort(port);
    let text = address;
    const pct = text.indexOf('%');
    if (pct >= 0) {
      const zone = text.slice(pct + 1);
      if (!/^\d+$/.test(zone)) throw argValueError(`only numeric IPv6 zone ids are supported: '${address}'`);
      scopeId = Number(zone);
      text = text.slice(0, pct);
    }
    if (!Number.isInteger(scopeId) || scopeId < 0 || scopeId > 0xffffffff) throw rangeError('bad IPv6 scope id');
    const bytes = parseIPv6(text);
    if (bytes === null) throw argValueError(`not an IPv6 address: '${address}'`);
    const raw = new Uint8Array(SOCKADDR_IN6_LEN);
    const dv = new DataView(raw.buffer);
    dv.setUint16(0, AF_INET6, LITTLE_ENDIAN_HOST);
    dv.setUint16(2, port, false);
    raw.set(bytes, 8);
    dv.setUint32(24, scopeId, LITTLE_ENDIAN_HOST);
    return new SocketAddress('ipv6', formatIPv6(bytes), port, scopeId, raw);
  }

  /**
   * A Unix-domain path; a leading '\0' means Linux's abstract namespace (see
   * abstract()). A NUL anywhere else is a TypeError (code ERR_INVALID_ARG_VALUE).
   */
  static unix(path: string): SocketAddress {
    if (typeof path !== 'string') throw argValueError('Unix socket path must be a string');
    if (path[0] !== '\0' && path.includes('\0')) {
      throw invalidArgValue('path', 'must not contain NUL bytes (the kernel would bind the path cut at the first one)', path);
    }
    const bytes = Buffer.from(path, 'utf8');
    const abstract = bytes[0] === 0;
    if (bytes.length === 0 || bytes.length > SUN_PATH_MAX - (abstract ? 0 : 1)) {
      throw rangeError(`Unix socket path must be 1..${SUN_PATH_MAX - 1} bytes, got ${bytes.length}`);
    }
    const raw = new Uint8Array(2 + bytes.length + (abstract ? 0 : 1));
    new DataView(raw.buffer).setUint16(0, AF_UNIX, LITTLE_ENDIAN_HOST);
    raw.set(bytes, 2);
    return new SocketAddress('unix', path, 0, 0, raw);
  }

  /** A name in Linux's abstract Unix namespace (no file; gone with the last socket). */
  static abstract(name: string): SocketAddress {
    return SocketAddress.unix(`\0${name}`);
  }

  /**
   * Parse 'HOST:PORT', '[V6]:PORT', 'unix:PATH' (PATH verbatim), '/abs/path' or
   * '@abstract-name' (the forms toString() writes).
   * 'localhost' means 127.0.0.1; there is no DNS here (it would block the loop).
   */
  static parse(text: string): SocketAddress {
    if (typeof text !== 'string') throw argValueError('address must be a string');
    if (text.startsWith('unix:')) return SocketAddress.unix(text.slice(5));
    if (text.startsWith('/')) return SocketAddress.unix(text);
    if (text.startsWith('@')) return SocketAddress.abstract(text.slice(1));
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
    if (!m) throw argValueError(`expected HOST:PORT or [IPv6]:PORT, got '${text}'`);
    return SocketAddress.from(m[1] ?? m[2]!, Number(m[3]));
  }

  /** An IP literal (v4 or v6, or 'localhost') and a port. */
  static from(host: string, port: number): SocketAddress {
    if (host === 'localhost') return SocketAddress.ipv4('127.0.0.1', port);
    if (isIPv4(host)) return SocketAddress.ipv4(host, port);
    if (isIPv6(host.split('%')[0]!)) return SocketAddress.ipv6(host, port);
    throw argValueError(`not an IP address: '${host}' (no DNS lookups here; pass an IP literal)`);
  }

  /** Decode raw sockaddr bytes as the kernel wrote them (getsockname/getpeername). */
  static fromSockaddr(raw: Uint8Array, length = raw.byteLength): SocketAddress {
    if (length < 2) throw rangeError('sockaddr too short');
    const dv = new DataView(raw.buffer, raw.byteOffset, length);
    const family = dv.getUint16(0, LITTLE_ENDIAN_HOST);
    if (family === AF_INET && length >= SOCKADDR_IN_LEN) {
      return SocketAddress.ipv4(formatIPv4(raw.subarray(4, 8)), dv.getUint16(2, false));
    }
    if (family === AF_INET6 && length >= SOCKADDR_IN6_LEN) {
      return SocketAddress.ipv6(formatIPv6(raw.subarray(8, 24)), dv.getUint16(2, false), dv.getUint32(24, LITTLE_ENDIAN_HOST));
    }
    if (family === AF_UNIX) {
      let path = raw.subarray(2, length);
      if (path[0] !== 0) {
        const nul = path.indexOf(0);
        if (nul >= 0) path = path.subarray(0, nul);
      }
      return path.length === 0 ? SocketAddress.unnamedUnix() : SocketAddress.unix(Buffer.from(path).toString('utf8'));
    }
    throw rangeError(`unsupported address family ${family} (length ${length})`);
  }

  /** An unbound Unix socket's name (what getpeername says of a socketpair/anonymous peer). */
  private static unnamedUnix(): SocketAddress {
    const raw = new Uint8Array(2);
    new DataView(raw.buffer).setUint16(0, AF_UNIX, LITTLE_ENDIAN_HOST);
    return new SocketAddress('unix', '', 0, 0, raw);
  }

  /** The kernel address family number (AF_INET, AF_INET6, AF_UNIX). */
  get domain(): number {
    return this.family === 'ipv4' ? AF_INET : this.family === 'ipv6' ? AF_INET6 : AF_UNIX;
  }

  /** Raw sockaddr bytes (a fresh copy: callers may not mutate ours). */
  toSockaddr(): Uint8Array {
    return this.#raw.slice();
  }

  /** Raw bytes without copying, for this library's own syscalls. */
  get sockaddr(): Uint8Array {
    return this.#raw;
  }

  /** True for a Unix address in the abstract namespace. */
  get isAbstract(): boolean {
    return this.family === 'unix' && this.address.startsWith('\0');
  }

  /** '127.0.0.1:80', '[::1]:80', '/abs/path', 'unix:rel/path' or '@abstract': what parse() reads back. */
  toString(): string {
    if (this.family === 'unix') {
      if (this.isAbstract) return `@${this.address.slice(1)}`;
      return this.address.startsWith('/') || this.address === '' ? this.address : `unix:${this.address}`;
    }
    const host = this.family === 'ipv6' ? `[${this.address}${this.scopeId ? `%${this.scopeId}` : ''}]` : this.address;
    return `${host}:${this.port}`;
  }

  /** A plain object for JSON.stringify: family, address and port (not the scope id). */
  toJSON(): {
    /** Address family. */
    family: AddressFamily;
    /** Address text or Unix path. */
    address: string;
    /** Port (0 for Unix sockets). */
    port: number;
  } {
    return { family: this.family, address: this.address, port: this.port };
  }

  /** Whether both name the same address: family, address, port and scope id all equal. */
  equals(other: SocketAddress): boolean {
    return this.family === other.family && this.address === other.address && this.port === other.port && this.scopeId === other.scopeId;
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw rangeError(`port must be an integer in 0..65535, got ${String(port)}`);
  }
}

function parseIPv4(text: string): Uint8Array | null {
  if (!isIPv4(text)) return null;
  return Uint8Array.from(text.split('.').map(Number));
}

function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** RFC 4291 text -> 16 bytes (handles '::' and a dotted IPv4 tail). */
function parseIPv6(text: string): Uint8Array | null {
  if (!isIPv6(text)) return null;
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const v4 = text.slice(lastColon + 1);
  if (v4.includes('.')) {
    const b = parseIPv4(v4);
    if (b === null) return null;
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = [...groups(right), ...tail];
  const missing = 8 - l.length - r.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return null;
  const words = [...l, ...new Array<number>(right === undefined ? 0 : missing).fill(0), ...r];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** 16 bytes -> RFC 5952 canonical text (longest zero run compressed, lowercase). */
function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // IPv4-mapped addresses read better as ::ffff:a.b.c.d
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIPv4(b.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
