// timerfd.cc -- timerfd(2): kernel timers delivered as readable fds, so a timer
// is just another epoll source (no separate timer heap in the wait loop).
//
// Times cross the boundary as milliseconds in a double: fractional values carry
// the sub-millisecond part down to the nanosecond, the way the TS layer thinks
// about time. Stateless; safe in any number of threads.
#include <sys/timerfd.h>
#include <unistd.h>

#include "errors.h"

namespace {

constexpr double kMaxMs = 9007199254740991.0;  // 2^53-1 ms: ~285k years, exact in a double

// ms (finite, >= 0) -> timespec. A positive value that would round to zero
// becomes 1 ns: {0, 0} means "disarm" to the kernel, and a tiny delay must not
// silently turn into no timer at all.
bool ArgMsToTimespec(napi_env env, napi_value v, const char* msg, struct timespec* ts) {
  double ms;
  if (!er::ArgNumber(env, v, msg, &ms)) return false;
  if (!(ms >= 0 && ms <= kMaxMs)) return er::ThrowRange(env, msg);  // also rejects NaN, Infinity
  double rem = std::fmod(ms, 1000.0);  // exact
  double sec = (ms - rem) / 1000.0;
  long nsec = static_cast<long>(std::round(rem * 1e6));
  if (nsec >= 1000000000L) {
    sec += 1;
    nsec -= 1000000000L;
  }
  ts->tv_sec = static_cast<time_t>(sec);
  ts->tv_nsec = nsec;
  if (ms > 0 && ts->tv_sec == 0 && ts->tv_nsec == 0) ts->tv_nsec = 1;
  return true;
}

double TimespecToMs(const struct timespec& ts) {
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// timerfdCreate(clockid, flags) -> fd | -errno
napi_value TimerfdCreate(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int clockid;
  uint32_t flags;
  if (!er::ArgInt32(env, a[0], "clockid must be an int32", &clockid)) return nullptr;
  if (!er::ArgMask(env, a[1], "flags must be an integer in [-2^31, 2^32)", &flags)) return nullptr;
  return er::SysResult(env, timerfd_create(clockid, static_cast<int>(flags)));
}

// timerfdSettime(fd, flags, valueMs, intervalMs) -> 0 | -errno
napi_value TimerfdSettime(napi_env env, napi_callback_info info) {
  er::Args<4> a(env, info);
  int fd;
  uint32_t flags;
  struct itimerspec spec;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgMask(env, a[1], "flags must be an integer in [-2^31, 2^32)", &flags)) return nullptr;
  if (!ArgMsToTimespec(env, a[2], "valueMs must be a number in [0, 2^53-1]", &spec.it_value)) return nullptr;
  if (!ArgMsToTimespec(env, a[3], "intervalMs must be a number in [0, 2^53-1]", &spec.it_interval)) {
    return nullptr;
  }
  return er::SysResult(env, timerfd_settime(fd, static_cast<int>(flags), &spec, nullptr));
}

// timerfdGettime(fd, out: Float64Array) -> 0 | -errno; out = [ms to expiry, interval ms]
napi_value TimerfdGettime(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  void* data;
  size_t length;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgTyped(env, a[1], napi_float64_array, "out must be a Float64Array", &data, &length)) return nullptr;
  if (length < 2) {
    er::ThrowRange(env, "out must have at least 2 elements");
    return nullptr;
  }
  struct itimerspec spec;
  if (timerfd_gettime(fd, &spec) < 0) return er::NegErrno(env);
  double* out = static_cast<double*>(data);
  out[0] = TimespecToMs(spec.it_value);
  out[1] = TimespecToMs(spec.it_interval);
  return er::Int(env, 0);
}

// timerfdRead(fd) -> expirations since the last read | -errno
napi_value TimerfdRead(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  int fd;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  uint64_t expirations;
  ssize_t n = read(fd, &expirations, sizeof expirations);
  if (n < 0) return er::NegErrno(env);
  if (n != sizeof expirations) return er::Int(env, -EINVAL);  // not a timerfd
  return er::Double(env, static_cast<double>(expirations));
}

}  // namespace

void InitTimerfd(napi_env env, napi_value exports) {
  er::Export(env, exports, "timerfdCreate", TimerfdCreate);
  er::Export(env, exports, "timerfdSettime", TimerfdSettime);
  er::Export(env, exports, "timerfdGettime", TimerfdGettime);
  er::Export(env, exports, "timerfdRead", TimerfdRead);
}
