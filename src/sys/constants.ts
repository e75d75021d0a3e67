// Kernel constants, with the values the running kernel's headers define (read
// from the addon, never hard-coded here). Masks are non-negative numbers:
// EPOLLET is 2147483648, so `EPOLLIN | EPOLLET` is negative in JS; every API
// that takes a mask accepts both the signed and the unsigned form. Stateless.
import { native } from './addon.js';

const c = native.constants;

function k(name: string): number {
  const v = c[name];
  if (v === undefined) throw new Error(`epoll-reactor: the addon does not define ${name}`);
  return v;
}

// epoll(7)
export const EPOLLIN = k('EPOLLIN');
export const EPOLLPRI = k('EPOLLPRI');
export const EPOLLOUT = k('EPOLLOUT');
export const EPOLLERR = k('EPOLLERR');
export const EPOLLHUP = k('EPOLLHUP');
export const EPOLLRDNORM = k('EPOLLRDNORM');
export const EPOLLRDBAND = k('EPOLLRDBAND');
export const EPOLLWRNORM = k('EPOLLWRNORM');
export const EPOLLWRBAND = k('EPOLLWRBAND');
export const EPOLLMSG = k('EPOLLMSG');
export const EPOLLRDHUP = k('EPOLLRDHUP');
export const EPOLLEXCLUSIVE = k('EPOLLEXCLUSIVE');
export const EPOLLWAKEUP = k('EPOLLWAKEUP');
export const EPOLLONESHOT = k('EPOLLONESHOT');
export const EPOLLET = k('EPOLLET');
export const EPOLL_CTL_ADD = k('EPOLL_CTL_ADD');
export const EPOLL_CTL_MOD = k('EPOLL_CTL_MOD');
export const EPOLL_CTL_DEL = k('EPOLL_CTL_DEL');
export const EPOLL_CLOEXEC = k('EPOLL_CLOEXEC');

// eventfd(2), timerfd_create(2), clocks
export const EFD_CLOEXEC = k('EFD_CLOEXEC');
export const EFD_NONBLOCK = k('EFD_NONBLOCK');
export const EFD_SEMAPHORE = k('EFD_SEMAPHORE');
export const TFD_CLOEXEC = k('TFD_CLOEXEC');
export const TFD_NONBLOCK = k('TFD_NONBLOCK');
export const TFD_TIMER_ABSTIME = k('TFD_TIMER_ABSTIME');
export const CLOCK_REALTIME = k('CLOCK_REALTIME');
export const CLOCK_MONOTONIC = k('CLOCK_MONOTONIC');
export const CLOCK_BOOTTIME = k('CLOCK_BOOTTIME');

// poll(2)
export const POLLIN = k('POLLIN');
export const POLLPRI = k('POLLPRI');
export const POLLOUT = k('POLLOUT');
export const POLLERR = k('POLLERR');
export const POLLHUP = k('POLLHUP');
export const POLLNVAL = k('POLLNVAL');
export const POLLRDHUP = k('POLLRDHUP');

// socket(7), tcp(7)
export const AF_UNSPEC = k('AF_UNSPEC');
export const AF_UNIX = k('AF_UNIX');
export const AF_INET = k('AF_INET');
export const AF_INET6 = k('AF_INET6');
export const SOCK_STREAM = k('SOCK_STREAM');
export const SOCK_DGRAM = k('SOCK_DGRAM');
export const SOCK_NONBLOCK = k('SOCK_NONBLOCK');
export const SOCK_CLOEXEC = k('SOCK_CLOEXEC');
export const SOL_SOCKET = k('SOL_SOCKET');
export const SO_REUSEADDR = k('SO_REUSEADDR');
export const SO_REUSEPORT = k('SO_REUSEPORT');
export const SO_KEEPALIVE = k('SO_KEEPALIVE');
export const SO_ERROR = k('SO_ERROR');
export const SO_RCVBUF = k('SO_RCVBUF');
export const SO_SNDBUF = k('SO_SNDBUF');
export const SO_TYPE = k('SO_TYPE');
export const SO_ACCEPTCONN = k('SO_ACCEPTCONN');
export const IPPROTO_IP = k('IPPROTO_IP');
export const IPPROTO_TCP = k('IPPROTO_TCP');
export const IPPROTO_IPV6 = k('IPPROTO_IPV6');
export const IPV6_V6ONLY = k('IPV6_V6ONLY');
export const TCP_NODELAY = k('TCP_NODELAY');
export const SHUT_RD = k('SHUT_RD');
export const SHUT_WR = k('SHUT_WR');
export const SHUT_RDWR = k('SHUT_RDWR');
export const SOMAXCONN = k('SOMAXCONN');
export const IOV_MAX = k('IOV_MAX');

// errno values the reactor branches on (negated, as the hot calls return them)
export const EAGAIN = k('EAGAIN');
export const EINTR = k('EINTR');
export const EINPROGRESS = k('EINPROGRESS');
export const EMFILE = k('EMFILE');
export const ENFILE = k('ENFILE');
export const ENOBUFS = k('ENOBUFS');
export const ENOMEM = k('ENOMEM');
export const ECONNABORTED = k('ECONNABORTED');
export const ECONNRESET = k('ECONNRESET');
export const EPIPE = k('EPIPE');
export const EBADF = k('EBADF');
export const EINVAL = k('EINVAL');
export const EEXIST = k('EEXIST');
export const ENOENT = k('ENOENT');
export const ETIMEDOUT = k('ETIMEDOUT');
export const ECONNREFUSED = k('ECONNREFUSED');
export const EOPNOTSUPP = k('EOPNOTSUPP');

/** Every constant the addon defines, by name (for scripts and diagnostics). */
export const constants: Readonly<Record<string, number>> = c;
