// io.cc -- read/write/readv/writev on any fd: the reactor's hot path.
//
// Every call is one syscall straight into (or out of) the caller's memory:
// no copy, no allocation, no Napi::Value wrappers, no exception for EAGAIN.
// readv2 exists so that the reactor can do muduo's "extrabuf" trick -- read
// into the connection buffer's free tail *and* a per-loop 64 KiB scratch area
// in one syscall -- without building a JS array of views every time.
//
// Pointers into JS memory are taken only after every argument has been read,
// and no JS runs between taking them and the syscall (array getters run in a
// first pass in readv/writev), so nothing can detach or move a buffer under us.
//
// Stateless; the iovec arrays live on the stack. Safe in any number of threads.
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include "errors.h"

namespace {

constexpr uint32_t kIovMax = IOV_MAX;  // 1024 on Linux; stack cost 24 KiB in readv/writev
static_assert(kIovMax <= 1024, "iovec arrays are stack allocated");

constexpr const char kBufsMsg[] = "bufs must be an array of Uint8Array";

// read/write(fd, buf, offset, length)
template <bool kWrite>
napi_value ReadWrite(napi_env env, napi_callback_info info) {
  er::Args<4> a(env, info);
  int fd;
  uint8_t* base;
  size_t length;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgSpan(env, a[1], a[2], a[3], "buf must be a Uint8Array", &base, &length)) return nullptr;
  ssize_t n = kWrite ? write(fd, base, length) : read(fd, base, length);
  return er::SysResult(env, n);
}

// A JS array of Uint8Array -> iov[]. Two passes: first fetch every element (an
// accessor on the array or on Array.prototype can run JS, which could detach a
// buffer already resolved), then resolve the views, with no JS in between.
bool ArgIovecs(napi_env env, napi_value array, struct iovec* iov, uint32_t* count) {
  bool is_array = false;
  if (array == nullptr || napi_is_array(env, array, &is_array) != napi_ok || !is_array) {
    return er::ThrowType(env, kBufsMsg);
  }
  uint32_t n;
  if (napi_get_array_length(env, array, &n) != napi_ok) return er::ThrowType(env, kBufsMsg);
  if (n > kIovMax) return er::ThrowRange(env, "bufs may hold at most IOV_MAX (1024) views");

  napi_value elements[kIovMax];
  for (uint32_t i = 0; i < n; i++) {
    if (napi_get_element(env, array, i, &elements[i]) != napi_ok) {
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      return pending ? false : er::ThrowType(env, kBufsMsg);
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    void* data;
    size_t length;
    if (!er::ArgTyped(env, elements[i], napi_uint8_array, kBufsMsg, &data, &length)) return false;
    iov[i].iov_base = data;
    iov[i].iov_len = length;
  }
  *count = n;
  return true;
}

// readv/writev(fd, bufs)
template <bool kWrite>
napi_value ReadvWritev(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  struct iovec iov[kIovMax];
  uint32_t count;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!ArgIovecs(env, a[1], iov, &count)) return nullptr;
  ssize_t n = kWrite ? writev(fd, iov, static_cast<int>(count)) : readv(fd, iov, static_cast<int>(count));
  return er::SysResult(env, n);
}

// readv2(fd, a, aOff, aLen, b, bOff, bLen) -> bytes | -errno
napi_value Readv2(napi_env env, napi_callback_info info) {
  er::Args<7> a(env, info);
  int fd;
  struct iovec iov[2];
  uint8_t* base;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgSpan(env, a[1], a[2], a[3], "a must be a Uint8Array", &base, &iov[0].iov_len)) return nullptr;
  iov[0].iov_base = base;
  if (!er::ArgSpan(env, a[4], a[5], a[6], "b must be a Uint8Array", &base, &iov[1].iov_len)) return nullptr;
  iov[1].iov_base = base;
  return er::SysResult(env, readv(fd, iov, 2));
}

}  // namespace

void InitIo(napi_env env, napi_value exports) {
  er::Export(env, exports, "read", ReadWrite<false>);
  er::Export(env, exports, "write", ReadWrite<true>);
  er::Export(env, exports, "readv", ReadvWritev<false>);
  er::Export(env, exports, "writev", ReadvWritev<true>);
  er::Export(env, exports, "readv2", Readv2);
}
