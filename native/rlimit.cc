// rlimit.cc -- the process's open-file limit (RLIMIT_NOFILE), read and set with
// getrlimit(2)/setrlimit(2). Servers that hold tens of thousands of connections
// raise their soft limit to the hard limit at start-up (src/sys/limits.ts).
//
// Only RLIMIT_NOFILE is exposed: the reactor has no business with the other
// resources. RLIM_INFINITY travels as JS Infinity in both directions.
//
// Stateless; the limit is process-wide, so a call from any thread affects all.
#include <sys/resource.h>

#include <cmath>

#include "errors.h"

namespace {

double FromRlim(rlim_t v) { return v == RLIM_INFINITY ? INFINITY : static_cast<double>(v); }

// A limit: a non-negative integer below 2^53, or Infinity (RLIM_INFINITY).
bool ArgRlim(napi_env env, napi_value v, const char* msg, rlim_t* out) {
  double d;
  if (!er::ArgNumber(env, v, msg, &d)) return false;
  if (d == INFINITY) {
    *out = RLIM_INFINITY;
    return true;
  }
  if (!er::IsInteger(d) || d < 0 || d > 9007199254740991.0) return er::ThrowRange(env, msg);
  *out = static_cast<rlim_t>(d);
  return true;
}

// getFdLimit(out: Float64Array) -> 0 | -errno; out = [soft, hard]
napi_value GetFdLimit(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  void* data;
  size_t length;
  if (!er::ArgTyped(env, a[0], napi_float64_array, "out must be a Float64Array", &data, &length)) return nullptr;
  if (length < 2) {
    er::ThrowRange(env, "out must have at least 2 elements");
    return nullptr;
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return er::NegErrno(env);
  double* out = static_cast<double*>(data);
  out[0] = FromRlim(rl.rlim_cur);
  out[1] = FromRlim(rl.rlim_max);
  return er::Int(env, 0);
}

// setFdLimit(soft) -> 0 | -errno (EINVAL: soft above the hard limit). The hard
// limit is left as it is: lowering it cannot be undone by an unprivileged
// process, so this binding never touches it.
napi_value SetFdLimit(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return er::NegErrno(env);
  if (!ArgRlim(env, a[0], "soft must be a non-negative integer or Infinity", &rl.rlim_cur)) return nullptr;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) return er::NegErrno(env);
  return er::Int(env, 0);
}

}  // namespace

void InitRlimit(napi_env env, napi_value exports) {
  er::Export(env, exports, "getFdLimit", GetFdLimit);
  er::Export(env, exports, "setFdLimit", SetFdLimit);
}
