// epoll.cc -- epoll_create1 / epoll_ctl / epoll_wait, nothing more.
//
// The token scheme: data.u64 = token << 32 | fd. The fd comes back with every
// event, so the JS side can index its fd table directly, and the 32-bit token
// (a generation counter in the reactor) lets it drop a stale event for an fd
// that was closed and reused during the same batch -- the problem Redis ae.c
// sidesteps by never closing inside a batch, and mio solves with its Token.
//
// epollWait is the exclusive driver's hot path: it must not allocate. The
// kernel writes into a scratch epoll_event array that is grown only when a
// bigger maxEvents is asked for, then we unpack it into the caller's
// Uint32Array (3 words per event). The array is thread_local because every
// worker thread loads its own instance of the addon and may sit in
// epoll_wait at the same moment as the others; a plain global would be a data
// race. It is freed when its thread exits.
#include <sys/epoll.h>

#include <stdlib.h>

#include "errors.h"
#include "wait.h"

namespace {

// Every bit the kernel accepts in epoll_event.events. Anything else is a caller
// bug that the kernel would silently ignore, so we reject it with EINVAL.
constexpr uint32_t kKnownEvents =
    EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM |
    EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP | EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT |
    static_cast<uint32_t>(EPOLLET);

// epoll_wait fails with EINVAL above this; refuse it up front instead.
constexpr size_t kMaxEvents = INT_MAX / sizeof(struct epoll_event);

struct EventBuffer {
  struct epoll_event* events = nullptr;
  size_t capacity = 0;
  ~EventBuffer() { free(events); }
};

thread_local EventBuffer tls_buffer;

napi_value EpollCreate(napi_env env, napi_callback_info) {
  return er::SysResult(env, epoll_create1(EPOLL_CLOEXEC));
}

// epollCtl(epfd, op, fd, events, token) -> 0 | -errno
napi_value EpollCtl(napi_env env, napi_callback_info info) {
  er::Args<5> a(env, info);
  int epfd, op, fd;
  if (!er::ArgFd(env, a[0], "epfd must be an integer in [0, 2^31-1]", &epfd)) return nullptr;
  if (!er::ArgInt32(env, a[1], "op must be an int32", &op)) return nullptr;
  if (!er::ArgFd(env, a[2], er::kFdMsg, &fd)) return nullptr;

  struct epoll_event ev = {};
  if (op != EPOLL_CTL_DEL) {  // DEL ignores events and token (the kernel wants no event)
    uint32_t events, token;
    if (!er::ArgMask(env, a[3], "events must be an integer in [-2^31, 2^32)", &events)) return nullptr;
    if (!er::ArgUint32(env, a[4], "token must be an integer in [0, 2^32-1]", &token)) return nullptr;
    if (events & ~kKnownEvents) return er::Int(env, -EINVAL);
    ev.events = events;
    ev.data.u64 = static_cast<uint64_t>(token) << 32 | static_cast<uint32_t>(fd);
  }
  return er::SysResult(env, epoll_ctl(epfd, op, fd, &ev));
}

// epollWait(epfd, out: Uint32Array, maxEvents, timeoutMs) -> count | -errno
napi_value EpollWait(napi_env env, napi_callback_info info) {
  er::Args<4> a(env, info);
  int epfd, timeout;
  void* data;
  size_t length, max_events;
  if (!er::ArgFd(env, a[0], "epfd must be an integer in [0, 2^31-1]", &epfd)) return nullptr;
  if (!er::ArgTyped(env, a[1], napi_uint32_array, "out must be a Uint32Array", &data, &length)) return nullptr;
  if (!er::ArgSize(env, a[2], "maxEvents must be an integer in [1, out.length / 3]", &max_events)) return nullptr;
  if (max_events < 1 || max_events > length / 3 || max_events > kMaxEvents) {
    er::ThrowRange(env, "maxEvents must be an integer in [1, out.length / 3]");
    return nullptr;
  }
  if (!er::ArgTimeout(env, a[3], &timeout)) return nullptr;

  return er::Int(env, er::WaitUnpack(epfd, static_cast<uint32_t*>(data), max_events, timeout));
}

}  // namespace

namespace er {

int Wait(int epfd, size_t max_events, int timeout, const struct epoll_event** events) {
  EventBuffer& buf = tls_buffer;
  if (max_events > buf.capacity) {
    void* grown = realloc(buf.events, max_events * sizeof(struct epoll_event));
    if (grown == nullptr) return -ENOMEM;
    buf.events = static_cast<struct epoll_event*>(grown);
    buf.capacity = max_events;
  }
  struct epoll_event* scratch = buf.events;
  int n = RetryEintr(timeout, [&](int ms) {
    return epoll_wait(epfd, scratch, static_cast<int>(max_events), ms);
  });
  if (n < 0) return -errno;
  *events = scratch;
  return n;
}

void Unpack(const struct epoll_event* events, int n, uint32_t* out) {
  for (int i = 0; i < n; i++) {
    const uint64_t u64 = events[i].data.u64;
    out[3 * i] = static_cast<uint32_t>(u64);  // fd
    out[3 * i + 1] = events[i].events;
    out[3 * i + 2] = static_cast<uint32_t>(u64 >> 32);  // token
  }
}

int WaitUnpack(int epfd, uint32_t* out, size_t max_events, int timeout) {
  const struct epoll_event* events = nullptr;
  int n = Wait(epfd, max_events, timeout, &events);
  if (n > 0) Unpack(events, n, out);
  return n;
}

}  // namespace er

void InitEpoll(napi_env env, napi_value exports) {
  er::Export(env, exports, "epollCreate", EpollCreate);
  er::Export(env, exports, "epollCtl", EpollCtl);
  er::Export(env, exports, "epollWait", EpollWait);
}
