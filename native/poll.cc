// poll.cc -- poll(2), kept for the epoll-vs-poll study and for scripts.
//
// No copying: the caller's Int32Array *is* the struct pollfd array. Each entry
// is two int32 words: fd, then events (low 16 bits) | revents (high 16 bits).
// That view of `short events; short revents;` as one int32 only holds on a
// little-endian machine, hence the static_asserts. The kernel writes revents
// in place, so the JS side reads results from the same array it filled.
//
// Stateless; safe in any number of threads.
#include <poll.h>
#include <stddef.h>

#include "errors.h"

static_assert(sizeof(struct pollfd) == 8, "struct pollfd must be two int32 words");
static_assert(offsetof(struct pollfd, fd) == 0 && offsetof(struct pollfd, events) == 4 &&
                  offsetof(struct pollfd, revents) == 6,
              "unexpected struct pollfd layout");
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "events in the low and revents in the high 16 bits assumes little-endian");

namespace {

// poll(fds: Int32Array, nfds, timeoutMs) -> number of ready entries | -errno
napi_value Poll(napi_env env, napi_callback_info info) {
  er::Args<3> a(env, info);
  void* data;
  size_t length, nfds;
  int timeout;
  if (!er::ArgTyped(env, a[0], napi_int32_array, "fds must be an Int32Array", &data, &length)) return nullptr;
  if (!er::ArgSize(env, a[1], "nfds must be an integer in [0, fds.length / 2]", &nfds)) return nullptr;
  if (nfds > length / 2) {
    er::ThrowRange(env, "nfds must be an integer in [0, fds.length / 2]");
    return nullptr;
  }
  if (!er::ArgTimeout(env, a[2], &timeout)) return nullptr;

  struct pollfd* fds = static_cast<struct pollfd*>(data);
  int n = er::RetryEintr(timeout, [&](int ms) { return poll(fds, static_cast<nfds_t>(nfds), ms); });
  if (n < 0) return er::NegErrno(env);
  return er::Int(env, n);
}

}  // namespace

void InitPoll(napi_env env, napi_value exports) { er::Export(env, exports, "poll", Poll); }
