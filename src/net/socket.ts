// Socket helpers: create, bind, listen, connect and inspect non-blocking TCP
// (and Unix stream) sockets. Every socket made here is SOCK_NONBLOCK |
// SOCK_CLOEXEC from birth (no window where a fork could inherit it).
//
// Ownership: functions that return an fd hand its ownership to the caller
// (close it with closeSocket). On failure they close what they opened, so an
// exception never leaks an fd. No event loops here; stateless.
import { native } from '../sys/addon.js';
import {
  EINPROGRESS,
  EOPNOTSUPP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  TCP_NODELAY,
} from '../sys/constants.js';
import { SystemError, check } from '../sys/SystemError.js';
import { SocketAddress } from './SocketAddress.js';
import { invalidArgType, type OptionSchema } from '../sys/args.js';

/** An address: a SocketAddress, or a string SocketAddress.parse() accepts. */
export type AddressLike = SocketAddress | string;

/** `addr` as a SocketAddress (a string is parsed with SocketAddress.parse()); anything else is ERR_INVALID_ARG_TYPE. */
export function toAddress(addr: AddressLike, name = 'address'): SocketAddress {
  if (typeof addr === 'string') return SocketAddress.parse(addr);
  if (addr instanceof SocketAddress) return addr;
  throw invalidArgType(
    name,
    "a SocketAddress or a string ('127.0.0.1:8080', '[::1]:8080', 'unix:/path'; a port alone is not an address)",
    addr,
  );
}

/** The keys of ListenOptions and their kinds (checkOptions). */
export const LISTEN_OPTIONS = { backlog: 'number', reuseAddr: 'boolean', reusePort: 'boolean', ipv6Only: 'boolean' } as const satisfies OptionSchema;

/** Socket options listen() applies before bind(2) and listen(2). */
export interface ListenOptions {
  /** listen(2) backlog. Default SOMAXCONN (the kernel caps it at net.core.somaxconn). */
  backlog?: number;
  /** SO_REUSEADDR. Default true (restart without waiting out TIME_WAIT). */
  reuseAddr?: boolean;
  /** SO_REUSEPORT: several listeners (one per loop/worker) on one port. Default false. */
  reusePort?: boolean;
  /** IPV6_V6ONLY for IPv6 listeners. Default: the kernel's. */
  ipv6Only?: boolean;
}

/** A new non-blocking stream socket for `family`'s domain. */
export function streamSocket(address: SocketAddress): number {
  const proto = address.family === 'unix' ? 0 : IPPROTO_TCP;
  return check(native.socket(address.domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto), 'socket');
}

/** socket + options + bind + listen. Returns the listening fd. */
export function listen(addr: AddressLike, options: ListenOptions = {}): number {
  const address = toAddress(addr);
  const fd = streamSocket(address);
  try {
    if (address.family !== 'unix') {
      if (options.reuseAddr ?? true) setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'SO_REUSEADDR');
      if (options.reusePort) setIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, 'SO_REUSEPORT');
      if (address.family === 'ipv6' && options.ipv6Only !== undefined) {
        setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, options.ipv6Only ? 1 : 0, 'IPV6_V6ONLY');
      }
    }
    check(native.bind(fd, address.sockaddr), 'bind', address.toString());
    check(native.listen(fd, options.backlog ?? SOMAXCONN), 'listen', address.toString());
    return fd;
  } catch (err) {
    native.close(fd);
    throw err;
  }
}

/**
 * Start a non-blocking connect. Returns the fd and whether the connection is
 * still in progress (then wait for EPOLLOUT and read connectError()).
 */
export function connect(addr: AddressLike): {
  /** The new non-blocking socket. */
  fd: number;
  /** true: EINPROGRESS, the connection completes later; false: already connected. */
  inProgress: boolean;
} {
  const address = toAddress(addr);
  const fd = streamSocket(address);
  const r = native.connect(fd, address.sockaddr);
  if (r === 0) return { fd, inProgress: false };
  if (r === -EINPROGRESS) return { fd, inProgress: true };
  native.close(fd);
  throw new SystemError(-r, 'connect', address.toString());
}

/** SO_ERROR: 0 when a non-blocking connect succeeded, else the positive errno (and clears it). */
export function socketError(fd: number): number {
  const out = new Int32Array(1);
  check(native.getsockopt(fd, SOL_SOCKET, SO_ERROR, out), 'getsockopt', '(SO_ERROR)');
  return out[0]!;
}

const nameBuf = new Uint8Array(128);

/** getsockname(2) as a SocketAddress. */
export function localAddress(fd: number): SocketAddress {
  const len = check(native.getsockname(fd, nameBuf), 'getsockname');
  return SocketAddress.fromSockaddr(nameBuf, len);
}

/** getpeername(2) as a SocketAddress. */
export function peerAddress(fd: number): SocketAddress {
  const len = check(native.getpeername(fd, nameBuf), 'getpeername');
  return SocketAddress.fromSockaddr(nameBuf, len);
}

/** setsockopt(2) with an int value; throws SystemError (naming `label`) on failure. */
export function setIntOption(fd: number, level: number, name: number, value: number, label = `${level}/${name}`): void {
  check(native.setsockopt(fd, level, name, value), 'setsockopt', `(${label})`);
}

/** getsockopt(2) of an int option; throws SystemError (naming `label`) on failure. */
export function getIntOption(fd: number, level: number, name: number, label = `${level}/${name}`): number {
  const out = new Int32Array(1);
  check(native.getsockopt(fd, level, name, out), 'getsockopt', `(${label})`);
  return out[0]!;
}

/**
 * TCP_NODELAY. A no-op on a Unix stream socket (the kernel answers EOPNOTSUPP:
 * there is no Nagle to turn off), as Node's socket.setNoDelay() is on a pipe,
 * so code written for TCP works unchanged on a Unix path.
 */
export function setNoDelay(fd: number, on = true): void {
  const r = native.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
  if (r === -EOPNOTSUPP) return;
  check(r, 'setsockopt', '(TCP_NODELAY)');
}

/** SO_KEEPALIVE on (default) or off. */
export function setKeepAlive(fd: number, on = true): void {
  setIntOption(fd, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0, 'SO_KEEPALIVE');
}

/** SO_RCVBUF (`recv`) and SO_SNDBUF (`send`), each only when given. */
export function setBufferSizes(fd: number, sizes: { recv?: number; send?: number }): void {
  if (sizes.recv !== undefined) setIntOption(fd, SOL_SOCKET, SO_RCVBUF, sizes.recv, 'SO_RCVBUF');
  if (sizes.send !== undefined) setIntOption(fd, SOL_SOCKET, SO_SNDBUF, sizes.send, 'SO_SNDBUF');
}

/** close(2), throwing on EBADF (a double close is a bug worth hearing about). */
export function closeSocket(fd: number): void {
  check(native.close(fd), 'close', `(fd ${fd})`);
}
