// errors.h -- argument checking, return conventions and the EINTR/deadline
// helper shared by every syscall family (epoll.cc, io.cc, socket.cc, ...).
//
// The rule of the whole addon (see src/sys/binding.ts):
//   * a wrong argument *type* throws TypeError, a wrong *range* throws
//     RangeError -- that is a bug in the caller, so it is loud;
//   * a kernel error is RETURNED as -errno and never thrown, because on the hot
//     path EAGAIN is control flow, not an exception.
//
// Everything here uses the raw napi_* C API on purpose: these helpers run on
// every read/write/epoll_wait, and napi_get_value_double() both checks the type
// and extracts the value in one call, without coercion (no valueOf() can run
// user code between two checks) and without creating wrapper objects.
//
// Threading: stateless. Each function only touches its napi_env, which belongs
// to the calling thread, so any number of worker threads may use the addon.
#ifndef EPOLL_REACTOR_ERRORS_H_
#define EPOLL_REACTOR_ERRORS_H_

#include <node_api.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <climits>
#include <cmath>

namespace er {

// ---- throwing ---------------------------------------------------------------
// Every check returns false with a JS exception pending; the napi callback then
// returns nullptr and the exception surfaces when control goes back to JS.

inline bool ThrowType(napi_env env, const char* msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return false;
}

inline bool ThrowRange(napi_env env, const char* msg) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return false;
}

// ---- fetching arguments -----------------------------------------------------

// Fixed-size argument block on the stack. Missing arguments read as undefined
// (napi fills them in), so they fail the type checks below instead of being
// garbage.
template <size_t N>
struct Args {
  napi_value v[N];
  void* data = nullptr;
  Args(napi_env env, napi_callback_info info) {
    size_t argc = N;
    if (napi_get_cb_info(env, info, &argc, v, nullptr, &data) != napi_ok) {
      for (size_t i = 0; i < N; i++) v[i] = nullptr;  // fails every check
    }
  }
  napi_value operator[](size_t i) const { return v[i]; }
};

// A JS number, or TypeError. No coercion: "3" and 3n are rejected.
inline bool ArgNumber(napi_env env, napi_value v, const char* msg, double* out) {
  if (v == nullptr || napi_get_value_double(env, v, out) != napi_ok) return ThrowType(env, msg);
  return true;
}

inline bool IsInteger(double d) { return std::isfinite(d) && std::trunc(d) == d; }

// An integer in [lo, hi], else TypeError (not a number) or RangeError.
inline bool ArgIntIn(napi_env env, napi_value v, double lo, double hi, const char* msg, double* out) {
  if (!ArgNumber(env, v, msg, out)) return false;
  if (!IsInteger(*out) || *out < lo || *out > hi) return ThrowRange(env, msg);
  return true;
}

// A file descriptor: an integer in [0, INT_MAX].
constexpr const char* kFdMsg = "fd must be an integer in [0, 2^31-1]";
inline bool ArgFd(napi_env env, napi_value v, const char* msg, int* out) {
  double d;
  if (!ArgIntIn(env, v, 0, INT_MAX, msg, &d)) return false;
  *out = static_cast<int>(d);
  return true;
}

// A plain C int (level, option name, backlog, how, clockid, ...).
inline bool ArgInt32(napi_env env, napi_value v, const char* msg, int* out) {
  double d;
  if (!ArgIntIn(env, v, INT32_MIN, INT32_MAX, msg, &d)) return false;
  *out = static_cast<int>(d);
  return true;
}

// A bit mask / flags word. JS bit operators produce int32 (EPOLLIN | EPOLLET is
// negative) while the constants are exported as uint32, so accept any integer
// in [-2^31, 2^32) and keep its low 32 bits: both spellings mean the same bits.
inline bool ArgMask(napi_env env, napi_value v, const char* msg, uint32_t* out) {
  double d;
  if (!ArgIntIn(env, v, -2147483648.0, 4294967295.0, msg, &d)) return false;
  *out = d < 0 ? static_cast<uint32_t>(static_cast<int32_t>(d)) : static_cast<uint32_t>(d);
  return true;
}

// An unsigned 32-bit value used as a value, not as bits (epoll token, initval).
inline bool ArgUint32(napi_env env, napi_value v, const char* msg, uint32_t* out) {
  double d;
  if (!ArgIntIn(env, v, 0, 4294967295.0, msg, &d)) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

// A byte offset or length: an integer in [0, 2^53-1]. Bounds against a buffer
// are checked by ArgSpan.
inline bool ArgSize(napi_env env, napi_value v, const char* msg, size_t* out) {
  double d;
  if (!ArgIntIn(env, v, 0, 9007199254740991.0, msg, &d)) return false;
  *out = static_cast<size_t>(d);
  return true;
}

// A timeout in ms for epoll_wait/poll: -1 blocks, otherwise a number in
// [0, INT_MAX]. A fractional timeout is rounded UP: a timer due in 0.3 ms must
// not turn the wait into a busy poll(0) loop.
inline bool ArgTimeout(napi_env env, napi_value v, int* out) {
  static const char kMsg[] = "timeoutMs must be -1 or a number in [0, 2^31-1]";
  double d;
  if (!ArgNumber(env, v, kMsg, &d)) return false;
  if (d == -1) {
    *out = -1;
    return true;
  }
  if (!(d >= 0 && d <= INT_MAX)) return ThrowRange(env, kMsg);  // also rejects NaN
  *out = static_cast<int>(std::ceil(d));
  return true;
}

// A typed array of exactly `type` (a Buffer counts as a Uint8Array). `data`
// already includes the view's byteOffset; `length` is in elements. A detached
// buffer reads as length 0, which every bounds check then rejects or ignores.
inline bool ArgTyped(napi_env env, napi_value v, napi_typedarray_type type, const char* msg,
                     void** data, size_t* length) {
  napi_typedarray_type actual;
  if (v == nullptr ||
      napi_get_typedarray_info(env, v, &actual, length, data, nullptr, nullptr) != napi_ok ||
      actual != type) {
    return ThrowType(env, msg);
  }
  return true;
}

// A Uint8Array plus (offset, length) that must lie inside it: the classic
// (buf, offset, length) triple of read/write, checked so that the kernel can
// never be handed a pointer past the end of a JS buffer.
inline bool ArgSpan(napi_env env, napi_value buf, napi_value off, napi_value len, const char* buf_msg,
                    uint8_t** base, size_t* out_len) {
  void* data;
  size_t byte_length, offset, length;
  if (!ArgTyped(env, buf, napi_uint8_array, buf_msg, &data, &byte_length)) return false;
  if (!ArgSize(env, off, "offset must be a non-negative integer", &offset)) return false;
  if (!ArgSize(env, len, "length must be a non-negative integer", &length)) return false;
  if (offset > byte_length || length > byte_length - offset) {
    return ThrowRange(env, "offset + length exceeds the buffer's byteLength");
  }
  *base = static_cast<uint8_t*>(data) + offset;
  *out_len = length;
  return true;
}

// ---- returning --------------------------------------------------------------

inline napi_value Int(napi_env env, int32_t n) {
  napi_value r;
  napi_create_int32(env, n, &r);
  return r;
}

inline napi_value Int64(napi_env env, int64_t n) {
  napi_value r;
  napi_create_int64(env, n, &r);
  return r;
}

inline napi_value Double(napi_env env, double d) {
  napi_value r;
  napi_create_double(env, d, &r);
  return r;
}

inline napi_value Undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

// -errno. Must be the first thing after the failing syscall: any napi call may
// itself clobber errno.
inline napi_value NegErrno(napi_env env) { return Int(env, -errno); }

// The syscall convention folded into ours: r >= 0 is the result, -1 is -errno.
inline napi_value SysResult(napi_env env, int64_t r) {
  if (r < 0) return NegErrno(env);
  return Int64(env, r);
}

// ---- waiting with a deadline ------------------------------------------------

inline int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Runs wait(timeout_ms) -- an epoll_wait or poll -- retrying EINTR. A signal
// must not shorten the caller's wait (it would look like a spurious timeout)
// nor lengthen it: after EINTR we wait only for what is left of the original
// deadline, measured on CLOCK_MONOTONIC so that wall-clock jumps do not matter.
// -1 blocks forever and 0 polls, so neither needs a deadline.
template <typename Wait>
inline int RetryEintr(int timeout_ms, Wait wait) {
  if (timeout_ms <= 0) {
    for (;;) {
      int n = wait(timeout_ms);
      if (n >= 0 || errno != EINTR) return n;
    }
  }
  const int64_t deadline = MonotonicNs() + static_cast<int64_t>(timeout_ms) * 1000000;
  for (;;) {
    int n = wait(timeout_ms);
    if (n >= 0 || errno != EINTR) return n;
    int64_t left = deadline - MonotonicNs();
    if (left <= 0) return 0;                               // interrupted at the deadline: a timeout
    timeout_ms = static_cast<int>((left + 999999) / 1000000);  // round up, never 0 early
  }
}

// ---- registration -----------------------------------------------------------

// exports[name] = a function backed by the raw napi callback `cb`.
inline void Export(napi_env env, napi_value exports, const char* name, napi_callback cb, void* data = nullptr) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) == napi_ok) {
    napi_set_named_property(env, exports, name, fn);
  }
}

}  // namespace er

#endif  // EPOLL_REACTOR_ERRORS_H_
