// eventfd.cc -- eventfd(2): the reactor's cross-thread wakeup (a Waker, as in
// mio) and a cheap semaphore. The counter is a uint64 in the kernel; JS sees it
// as a double, exact below 2^53, which is all a wakeup counter ever reaches.
//
// Stateless; safe in any number of threads.
#include <sys/eventfd.h>
#include <unistd.h>

#include "errors.h"

namespace {

// eventfdCreate(initval, flags) -> fd | -errno
napi_value EventfdCreate(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  uint32_t initval, flags;
  if (!er::ArgUint32(env, a[0], "initval must be an integer in [0, 2^32-1]", &initval)) return nullptr;
  if (!er::ArgMask(env, a[1], "flags must be an integer in [-2^31, 2^32)", &flags)) return nullptr;
  return er::SysResult(env, eventfd(initval, static_cast<int>(flags)));
}

// eventfdRead(fd) -> counter value | -errno (-EAGAIN when zero and non-blocking)
napi_value EventfdRead(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  int fd;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  uint64_t value;
  ssize_t n = read(fd, &value, sizeof value);
  if (n < 0) return er::NegErrno(env);
  if (n != sizeof value) return er::Int(env, -EINVAL);  // not an eventfd (a pipe, say)
  return er::Double(env, static_cast<double>(value));
}

// eventfdWrite(fd, value) -> 0 | -errno
napi_value EventfdWrite(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  double d;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgIntIn(env, a[1], 1, 9007199254740991.0, "value must be an integer in [1, 2^53-1]", &d)) return nullptr;
  uint64_t value = static_cast<uint64_t>(d);
  ssize_t n = write(fd, &value, sizeof value);
  if (n < 0) return er::NegErrno(env);
  if (n != sizeof value) return er::Int(env, -EINVAL);
  return er::Int(env, 0);
}

}  // namespace

void InitEventfd(napi_env env, napi_value exports) {
  er::Export(env, exports, "eventfdCreate", EventfdCreate);
  er::Export(env, exports, "eventfdRead", EventfdRead);
  er::Export(env, exports, "eventfdWrite", EventfdWrite);
}
