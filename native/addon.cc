// addon.cc -- module registration and the `constants` object.
//
// One Init, called once per env: the main thread and every worker thread that
// loads the addon each get their own exports (N-API modules are context
// aware). Each syscall family registers its own functions; no family keeps
// process-wide mutable state (epoll.cc uses a thread_local scratch array,
// watch.cc owns the per-env instance data slot).
//
// The constants are the kernel's/glibc's values, read from the system headers
// at compile time, so the TS layer never hard-codes a number. The object is
// frozen: it is shared by every importer in the thread.
#include <napi.h>

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <linux/io_uring.h>

void InitEpoll(napi_env env, napi_value exports);
void InitWatch(napi_env env, napi_value exports);
void InitEventfd(napi_env env, napi_value exports);
void InitTimerfd(napi_env env, napi_value exports);
void InitPoll(napi_env env, napi_value exports);
void InitSocket(napi_env env, napi_value exports);
void InitIo(napi_env env, napi_value exports);
void InitBatch(napi_env env, napi_value exports);
void InitRlimit(napi_env env, napi_value exports);
void InitRing(napi_env env, napi_value exports);

namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  // Through double: EPOLLET is 1u << 31 and must read as 2147483648, not as a
  // negative int32 (the addon accepts both spellings of a mask anyway).
#define K(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  // epoll
  K(EPOLLIN); K(EPOLLOUT); K(EPOLLPRI); K(EPOLLERR); K(EPOLLHUP); K(EPOLLRDNORM); K(EPOLLRDBAND);
  K(EPOLLWRNORM); K(EPOLLWRBAND); K(EPOLLMSG); K(EPOLLRDHUP); K(EPOLLEXCLUSIVE); K(EPOLLWAKEUP);
  K(EPOLLONESHOT); K(EPOLLET);
  K(EPOLL_CTL_ADD); K(EPOLL_CTL_MOD); K(EPOLL_CTL_DEL); K(EPOLL_CLOEXEC);
  // eventfd, timerfd, clocks
  K(EFD_CLOEXEC); K(EFD_NONBLOCK); K(EFD_SEMAPHORE);
  K(TFD_CLOEXEC); K(TFD_NONBLOCK); K(TFD_TIMER_ABSTIME); K(TFD_TIMER_CANCEL_ON_SET);
  K(CLOCK_REALTIME); K(CLOCK_MONOTONIC); K(CLOCK_BOOTTIME);
  // poll(2)
  K(POLLIN); K(POLLPRI); K(POLLOUT); K(POLLERR); K(POLLHUP); K(POLLNVAL); K(POLLRDHUP);
  K(POLLRDNORM); K(POLLWRNORM);
  // sockets
  K(AF_INET); K(AF_INET6); K(AF_UNIX); K(AF_UNSPEC);
  K(SOCK_STREAM); K(SOCK_DGRAM); K(SOCK_NONBLOCK); K(SOCK_CLOEXEC);
  K(SOL_SOCKET); K(SO_REUSEADDR); K(SO_REUSEPORT); K(SO_KEEPALIVE); K(SO_ERROR); K(SO_RCVBUF);
  K(SO_SNDBUF); K(SO_TYPE); K(SO_ACCEPTCONN); K(SO_LINGER); K(SO_RCVLOWAT); K(SO_SNDLOWAT);
  K(IPPROTO_TCP); K(IPPROTO_IP); K(IPPROTO_IPV6); K(IPV6_V6ONLY);
  K(TCP_NODELAY); K(TCP_KEEPIDLE); K(TCP_KEEPINTVL); K(TCP_KEEPCNT); K(TCP_QUICKACK);
  K(SHUT_RD); K(SHUT_WR); K(SHUT_RDWR); K(SOMAXCONN); K(IOV_MAX);
  // errno
  K(EPERM); K(ENOENT); K(ESRCH); K(EINTR); K(EIO); K(ENXIO); K(E2BIG); K(EBADF); K(ECHILD);
  K(EAGAIN); K(EWOULDBLOCK); K(ENOMEM); K(EACCES); K(EFAULT); K(EBUSY); K(EEXIST); K(EXDEV);
  K(ENODEV); K(ENOTDIR); K(EISDIR); K(EINVAL); K(ENFILE); K(EMFILE); K(ENOTTY); K(ETXTBSY);
  K(EFBIG); K(ENOSPC); K(ESPIPE); K(EROFS); K(EMLINK); K(EPIPE); K(EDOM); K(ERANGE);
  K(EDEADLK); K(ENAMETOOLONG); K(ENOLCK); K(ENOSYS); K(ENOTEMPTY); K(ELOOP); K(ENOTSOCK);
  K(EDESTADDRREQ); K(EMSGSIZE); K(EPROTOTYPE); K(ENOPROTOOPT); K(EPROTONOSUPPORT);
  K(EOPNOTSUPP); K(ENOTSUP); K(EAFNOSUPPORT); K(EADDRINUSE); K(EADDRNOTAVAIL); K(ENETDOWN);
  K(ENETUNREACH); K(ENETRESET); K(ECONNABORTED); K(ECONNRESET); K(ENOBUFS); K(EISCONN);
  K(ENOTCONN); K(ESHUTDOWN); K(ETIMEDOUT); K(ECONNREFUSED); K(EHOSTDOWN); K(EHOSTUNREACH);
  K(EALREADY); K(EINPROGRESS); K(ECANCELED); K(EPROTO); K(EOVERFLOW); K(ETIME);
  // io_uring (native/ring.cc): the setup flags a socket ring may use, CQE flags, features
#ifdef IORING_SETUP_SINGLE_ISSUER
  K(IORING_SETUP_CLAMP); K(IORING_SETUP_SUBMIT_ALL); K(IORING_SETUP_COOP_TASKRUN);
  K(IORING_SETUP_TASKRUN_FLAG); K(IORING_SETUP_SINGLE_ISSUER); K(IORING_SETUP_DEFER_TASKRUN);
  K(IORING_CQE_F_BUFFER); K(IORING_CQE_F_MORE); K(IORING_CQE_F_SOCK_NONEMPTY); K(IORING_CQE_BUFFER_SHIFT);
  K(IORING_FEAT_SINGLE_MMAP); K(IORING_FEAT_NODROP); K(IORING_FEAT_FAST_POLL); K(IORING_FEAT_EXT_ARG);
#endif
#undef K
  c.Freeze();
  return c;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitEpoll(env, exports);
  InitWatch(env, exports);
  InitEventfd(env, exports);
  InitTimerfd(env, exports);
  InitPoll(env, exports);
  InitSocket(env, exports);
  InitIo(env, exports);
  InitBatch(env, exports);
  InitRlimit(env, exports);
  InitRing(env, exports);
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(epoll_reactor, Init)
