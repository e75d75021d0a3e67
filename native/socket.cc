// socket.cc -- the BSD socket calls the reactor needs, one syscall each.
//
// Addresses stay raw sockaddr bytes in a Uint8Array: src/net builds and parses
// them (IPv4, IPv6, Unix), so this file has no knowledge of address families
// and needs no per-call conversion. The kernel copies addresses with
// copy_from_user/copy_to_user, so the bytes need no particular alignment.
//
// Stateless; safe in any number of threads.
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"

namespace {

constexpr size_t kMinAddrOut = 128;  // sizeof(struct sockaddr_storage): fits every family

// socket(domain, type, protocol) -> fd | -errno
napi_value Socket(napi_env env, napi_callback_info info) {
  er::Args<3> a(env, info);
  int domain, protocol;
  uint32_t type;
  if (!er::ArgInt32(env, a[0], "domain must be an int32", &domain)) return nullptr;
  if (!er::ArgMask(env, a[1], "type must be an integer in [-2^31, 2^32)", &type)) return nullptr;
  if (!er::ArgInt32(env, a[2], "protocol must be an int32", &protocol)) return nullptr;
  return er::SysResult(env, socket(domain, static_cast<int>(type), protocol));
}

// (fd, addr: Uint8Array) with sizeof(sa_family_t) <= addr.byteLength <= sizeof(sockaddr_storage)
bool ArgFdAddr(napi_env env, const er::Args<2>& a, int* fd, const struct sockaddr** addr, socklen_t* len) {
  void* data;
  size_t length;
  if (!er::ArgFd(env, a[0], er::kFdMsg, fd)) return false;
  if (!er::ArgTyped(env, a[1], napi_uint8_array, "addr must be a Uint8Array", &data, &length)) return false;
  if (length < sizeof(sa_family_t) || length > sizeof(struct sockaddr_storage)) {
    return er::ThrowRange(env, "addr.byteLength must be in [2, 128]");
  }
  *addr = static_cast<const struct sockaddr*>(data);
  *len = static_cast<socklen_t>(length);
  return true;
}

// bind(fd, addr) -> 0 | -errno
napi_value Bind(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  const struct sockaddr* addr;
  socklen_t len;
  if (!ArgFdAddr(env, a, &fd, &addr, &len)) return nullptr;
  return er::SysResult(env, bind(fd, addr, len));
}

// connect(fd, addr) -> 0 | -errno (-EINPROGRESS for a non-blocking socket)
napi_value Connect(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  const struct sockaddr* addr;
  socklen_t len;
  if (!ArgFdAddr(env, a, &fd, &addr, &len)) return nullptr;
  // No EINTR retry: a connect interrupted by a signal continues asynchronously
  // in the kernel, and retrying it would return EALREADY. The caller treats
  // EINTR like EINPROGRESS (wait for writability, then read SO_ERROR).
  return er::SysResult(env, connect(fd, addr, len));
}

// listen(fd, backlog) -> 0 | -errno
napi_value Listen(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd, backlog;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgInt32(env, a[1], "backlog must be an int32", &backlog)) return nullptr;
  return er::SysResult(env, listen(fd, backlog));
}

// accept4(fd, flags) -> new fd | -errno. The peer address is not fetched here:
// most servers never look at it, and getpeername() is there for those that do.
napi_value Accept4(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  uint32_t flags;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgMask(env, a[1], "flags must be an integer in [-2^31, 2^32)", &flags)) return nullptr;
  return er::SysResult(env, accept4(fd, nullptr, nullptr, static_cast<int>(flags)));
}

// getsockname/getpeername(fd, out: Uint8Array of >= 128 bytes) -> addrlen | -errno
template <int (*Call)(int, struct sockaddr*, socklen_t*)>
napi_value GetName(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd;
  void* data;
  size_t length;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgTyped(env, a[1], napi_uint8_array, "out must be a Uint8Array", &data, &length)) return nullptr;
  if (length < kMinAddrOut) {
    er::ThrowRange(env, "out.byteLength must be at least 128");
    return nullptr;
  }
  socklen_t len = static_cast<socklen_t>(kMinAddrOut);
  if (Call(fd, static_cast<struct sockaddr*>(data), &len) < 0) return er::NegErrno(env);
  return er::Int64(env, len);
}

// setsockopt(fd, level, name, value) with an int option -> 0 | -errno
napi_value Setsockopt(napi_env env, napi_callback_info info) {
  er::Args<4> a(env, info);
  int fd, level, name, value;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgInt32(env, a[1], "level must be an int32", &level)) return nullptr;
  if (!er::ArgInt32(env, a[2], "name must be an int32", &name)) return nullptr;
  if (!er::ArgInt32(env, a[3], "value must be an int32", &value)) return nullptr;
  return er::SysResult(env, setsockopt(fd, level, name, &value, sizeof value));
}

// getsockopt(fd, level, name, out: Int32Array) with an int option -> 0 | -errno
napi_value Getsockopt(napi_env env, napi_callback_info info) {
  er::Args<4> a(env, info);
  int fd, level, name;
  void* data;
  size_t length;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgInt32(env, a[1], "level must be an int32", &level)) return nullptr;
  if (!er::ArgInt32(env, a[2], "name must be an int32", &name)) return nullptr;
  if (!er::ArgTyped(env, a[3], napi_int32_array, "out must be an Int32Array", &data, &length)) return nullptr;
  if (length < 1) {
    er::ThrowRange(env, "out must have at least 1 element");
    return nullptr;
  }
  // Through a local: an option wider than an int (SO_LINGER, ...) is truncated
  // by the kernel to optlen instead of writing past the caller's array.
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, level, name, &value, &len) < 0) return er::NegErrno(env);
  static_cast<int32_t*>(data)[0] = value;
  return er::Int(env, 0);
}

// shutdown(fd, how) -> 0 | -errno
napi_value Shutdown(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  int fd, how;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgInt32(env, a[1], "how must be an int32", &how)) return nullptr;
  return er::SysResult(env, shutdown(fd, how));
}

// close(fd) -> 0 | -errno. Never retried: Linux releases the descriptor even
// when close() reports EINTR, and a retry could close an fd that another thread
// has just been given. So EINTR means "closed".
napi_value Close(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  int fd;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (close(fd) < 0 && errno != EINTR) return er::NegErrno(env);
  return er::Int(env, 0);
}

}  // namespace

void InitSocket(napi_env env, napi_value exports) {
  er::Export(env, exports, "socket", Socket);
  er::Export(env, exports, "bind", Bind);
  er::Export(env, exports, "connect", Connect);
  er::Export(env, exports, "listen", Listen);
  er::Export(env, exports, "accept4", Accept4);
  er::Export(env, exports, "getsockname", GetName<getsockname>);
  er::Export(env, exports, "getpeername", GetName<getpeername>);
  er::Export(env, exports, "setsockopt", Setsockopt);
  er::Export(env, exports, "getsockopt", Getsockopt);
  er::Export(env, exports, "shutdown", Shutdown);
  er::Export(env, exports, "close", Close);
}
