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
/** epoll event bit: the fd is readable (or a listening socket has a pending connection). */
export const EPOLLIN = k('EPOLLIN');
/** epoll event bit: an exceptional condition, e.g. TCP urgent (out-of-band) data. */
export const EPOLLPRI = k('EPOLLPRI');
/** epoll event bit: the fd is writable. */
export const EPOLLOUT = k('EPOLLOUT');
/** epoll event bit: an error condition on the fd; always reported, need not be requested. */
export const EPOLLERR = k('EPOLLERR');
/** epoll event bit: hang-up on the fd; always reported, need not be requested. */
export const EPOLLHUP = k('EPOLLHUP');
/** epoll event bit: normal data readable (same as EPOLLIN for sockets). */
export const EPOLLRDNORM = k('EPOLLRDNORM');
/** epoll event bit: priority-band data readable. */
export const EPOLLRDBAND = k('EPOLLRDBAND');
/** epoll event bit: normal data writable (same as EPOLLOUT for sockets). */
export const EPOLLWRNORM = k('EPOLLWRNORM');
/** epoll event bit: priority-band data writable. */
export const EPOLLWRBAND = k('EPOLLWRBAND');
/** epoll event bit: defined by the kernel headers but never reported. */
export const EPOLLMSG = k('EPOLLMSG');
/** epoll event bit: the peer closed its writing half (or the whole connection). */
export const EPOLLRDHUP = k('EPOLLRDHUP');
/** epoll flag: wake only one of several epoll instances watching the same fd (EPOLL_CTL_ADD only). */
export const EPOLLEXCLUSIVE = k('EPOLLEXCLUSIVE');
/** epoll flag: hold a wakeup source while the event is pending (needs CAP_BLOCK_SUSPEND). */
export const EPOLLWAKEUP = k('EPOLLWAKEUP');
/** epoll flag: disable the watch after one event; re-arm it with EPOLL_CTL_MOD. */
export const EPOLLONESHOT = k('EPOLLONESHOT');
/** epoll flag: edge-triggered notification (report a readiness change once, not while it lasts). */
export const EPOLLET = k('EPOLLET');
/** epoll_ctl(2) operation: add an fd to the interest list. */
export const EPOLL_CTL_ADD = k('EPOLL_CTL_ADD');
/** epoll_ctl(2) operation: change the event mask of a watched fd. */
export const EPOLL_CTL_MOD = k('EPOLL_CTL_MOD');
/** epoll_ctl(2) operation: remove an fd from the interest list. */
export const EPOLL_CTL_DEL = k('EPOLL_CTL_DEL');
/** epoll_create1(2) flag: close the epoll fd on exec. */
export const EPOLL_CLOEXEC = k('EPOLL_CLOEXEC');

// eventfd(2), timerfd_create(2), clocks
/** eventfd(2) flag: close the eventfd on exec. */
export const EFD_CLOEXEC = k('EFD_CLOEXEC');
/** eventfd(2) flag: reads and writes never block (fail with EAGAIN instead). */
export const EFD_NONBLOCK = k('EFD_NONBLOCK');
/** eventfd(2) flag: each read returns 1 and decrements the counter by 1. */
export const EFD_SEMAPHORE = k('EFD_SEMAPHORE');
/** timerfd_create(2) flag: close the timerfd on exec. */
export const TFD_CLOEXEC = k('TFD_CLOEXEC');
/** timerfd_create(2) flag: reads never block (fail with EAGAIN instead). */
export const TFD_NONBLOCK = k('TFD_NONBLOCK');
/** timerfd_settime(2) flag: the initial expiration is an absolute clock time. */
export const TFD_TIMER_ABSTIME = k('TFD_TIMER_ABSTIME');
/** Clock id: settable wall-clock time. */
export const CLOCK_REALTIME = k('CLOCK_REALTIME');
/** Clock id: monotonic time that does not count suspend. */
export const CLOCK_MONOTONIC = k('CLOCK_MONOTONIC');
/** Clock id: monotonic time that also counts time spent suspended. */
export const CLOCK_BOOTTIME = k('CLOCK_BOOTTIME');

// poll(2)
/** poll(2) event bit: data to read. */
export const POLLIN = k('POLLIN');
/** poll(2) event bit: an exceptional condition (e.g. TCP urgent data). */
export const POLLPRI = k('POLLPRI');
/** poll(2) event bit: writing is possible. */
export const POLLOUT = k('POLLOUT');
/** poll(2) event bit: an error condition (output only). */
export const POLLERR = k('POLLERR');
/** poll(2) event bit: hang-up (output only). */
export const POLLHUP = k('POLLHUP');
/** poll(2) event bit: the fd is not open (output only). */
export const POLLNVAL = k('POLLNVAL');
/** poll(2) event bit: the peer closed its writing half of the connection. */
export const POLLRDHUP = k('POLLRDHUP');

// socket(7), tcp(7)
/** Address family: unspecified (any family). */
export const AF_UNSPEC = k('AF_UNSPEC');
/** Address family: Unix-domain (local) sockets. */
export const AF_UNIX = k('AF_UNIX');
/** Address family: IPv4. */
export const AF_INET = k('AF_INET');
/** Address family: IPv6. */
export const AF_INET6 = k('AF_INET6');
/** Socket type: reliable byte stream (TCP for the inet families). */
export const SOCK_STREAM = k('SOCK_STREAM');
/** Socket type: datagrams (UDP for the inet families). */
export const SOCK_DGRAM = k('SOCK_DGRAM');
/** socket(2)/accept4(2) flag: create the fd in non-blocking mode. */
export const SOCK_NONBLOCK = k('SOCK_NONBLOCK');
/** socket(2)/accept4(2) flag: close the fd on exec. */
export const SOCK_CLOEXEC = k('SOCK_CLOEXEC');
/** setsockopt(2) level for the generic socket options (SO_*). */
export const SOL_SOCKET = k('SOL_SOCKET');
/** Socket option: allow binding a local address still in TIME_WAIT. */
export const SO_REUSEADDR = k('SO_REUSEADDR');
/** Socket option: let several sockets bind the same address and port; the kernel spreads connections among them. */
export const SO_REUSEPORT = k('SO_REUSEPORT');
/** Socket option: send TCP keep-alive probes on an idle connection. */
export const SO_KEEPALIVE = k('SO_KEEPALIVE');
/** Socket option (read-only): fetch and clear the pending socket error, e.g. the outcome of a non-blocking connect. */
export const SO_ERROR = k('SO_ERROR');
/** Socket option: receive buffer size in bytes (the kernel doubles the value set). */
export const SO_RCVBUF = k('SO_RCVBUF');
/** Socket option: send buffer size in bytes (the kernel doubles the value set). */
export const SO_SNDBUF = k('SO_SNDBUF');
/** Socket option (read-only): the socket type, e.g. SOCK_STREAM. */
export const SO_TYPE = k('SO_TYPE');
/** Socket option (read-only): 1 if the socket is listening. */
export const SO_ACCEPTCONN = k('SO_ACCEPTCONN');
/** setsockopt(2) level and protocol number for IPv4 options. */
export const IPPROTO_IP = k('IPPROTO_IP');
/** setsockopt(2) level and protocol number for TCP options (TCP_*). */
export const IPPROTO_TCP = k('IPPROTO_TCP');
/** setsockopt(2) level and protocol number for IPv6 options (IPV6_*). */
export const IPPROTO_IPV6 = k('IPPROTO_IPV6');
/** IPv6 socket option: accept IPv6 connections only, not IPv4-mapped ones. */
export const IPV6_V6ONLY = k('IPV6_V6ONLY');
/** TCP option: disable Nagle's algorithm, so small writes are sent at once. */
export const TCP_NODELAY = k('TCP_NODELAY');
/** shutdown(2) how: stop receiving. */
export const SHUT_RD = k('SHUT_RD');
/** shutdown(2) how: stop sending (the peer reads end of stream). */
export const SHUT_WR = k('SHUT_WR');
/** shutdown(2) how: stop both receiving and sending. */
export const SHUT_RDWR = k('SHUT_RDWR');
/** The default upper bound for a listen(2) backlog, from the kernel headers. */
export const SOMAXCONN = k('SOMAXCONN');
/** The most iovec entries one readv(2)/writev(2) call accepts. */
export const IOV_MAX = k('IOV_MAX');

// errno values the reactor branches on (negated, as the hot calls return them)
/** errno: the operation would block (no data, or no buffer space) on a non-blocking fd. */
export const EAGAIN = k('EAGAIN');
/** errno: the call was interrupted by a signal before it completed. */
export const EINTR = k('EINTR');
/** errno: a non-blocking connect(2) has started and will complete later. */
export const EINPROGRESS = k('EINPROGRESS');
/** errno: the process has reached its open-fd limit (RLIMIT_NOFILE). */
export const EMFILE = k('EMFILE');
/** errno: the system-wide open-file limit has been reached. */
export const ENFILE = k('ENFILE');
/** errno: no buffer space available in the kernel. */
export const ENOBUFS = k('ENOBUFS');
/** errno: the operation was cancelled (an io_uring request ended by a cancel). */
export const ECANCELED = k('ECANCELED');
/** errno: out of kernel memory. */
export const ENOMEM = k('ENOMEM');
/** errno: a pending connection was aborted before accept(2) took it. */
export const ECONNABORTED = k('ECONNABORTED');
/** errno: the peer reset the connection. */
export const ECONNRESET = k('ECONNRESET');
/** errno: write on a connection whose other end is closed (or shut down for writing). */
export const EPIPE = k('EPIPE');
/** errno: the fd is not open (or not open for the operation). */
export const EBADF = k('EBADF');
/** errno: an argument is invalid. */
export const EINVAL = k('EINVAL');
/** errno: already exists, e.g. EPOLL_CTL_ADD of an fd already watched. */
export const EEXIST = k('EEXIST');
/** errno: not found, e.g. EPOLL_CTL_MOD/DEL of an fd not watched, or a missing path. */
export const ENOENT = k('ENOENT');
/** errno: the connection timed out. */
export const ETIMEDOUT = k('ETIMEDOUT');
/** errno: nothing listens at the remote address (connection refused). */
export const ECONNREFUSED = k('ECONNREFUSED');
/** errno: the operation is not supported on this fd or socket. */
export const EOPNOTSUPP = k('EOPNOTSUPP');

/** Every constant the addon defines, by name (for scripts and diagnostics). */
export const constants: Readonly<Record<string, number>> = c;
