// watch.cc -- the integrated driver: an fd (the epoll fd) watched by Node's own
// libuv loop through a uv_poll_t, so a reactor can live on the main thread next
// to timers, promises and node:net. libuv says "readable", we call onReady, and
// JS drains with epollWait(..., 0). One callback per loop turn, not per event.
//
// Calling into JS: from a libuv callback there is no JS frame below us, so we
// open a HandleScope and use napi_make_callback with an async context -- the
// same path Node's own handles take -- so that process.nextTick and promise
// microtasks run right after onReady, and async_hooks see a proper resource.
// (This is the call Napi::FunctionReference::MakeCallback wraps; we make it
// directly because, with C++ exceptions disabled, that wrapper re-throws
// through Napi::Error, which calls napi_fatal_error -- an abort -- when the
// env is terminating and cannot throw.) An exception from onReady goes to
// napi_fatal_exception: it becomes an 'uncaughtException', as from any
// callback, never a crash. During worker termination there is no exception to
// report and we stay quiet.
//
// The watched fd is a private dup of the caller's. libuv aborts the process if
// a polled fd is closed before its handle is stopped (its epoll_ctl fails with
// EBADF inside uv_run); with a dup, the caller may close its fd whenever it
// likes -- the dup keeps the open file alive until watchStop, which closes it
// synchronously, right after uv_close() has told libuv to forget it.
// uv_poll_init sets O_NONBLOCK on the open file, which the dup shares with the
// caller's fd; the close puts that bit back as watchStart found it, so a watch
// leaves no trace on the caller's fd.
//
// Lifetime. A watch lives as long as its JS handle: the handle is a frozen
// object that holds onReady, and we hold onReady only weakly, so nothing native
// keeps the handle reachable. When the handle is garbage-collected without
// watchStop, its finalizer stops the watch (a dropped watch stops holding the
// process open at the next GC). A caller that wants a watch to run must keep
// its handle (Epoll keeps its own while watching).
// The Watch struct is owned by two things, and freed when both let go:
//   * the JS handle (released by its finalizer), so watchStop() and watchRef()
//     on a stopped watch stay valid no-ops;
//   * the uv handle, from uv_poll_init until uv_close's callback -- libuv
//     keeps the uv_poll_t's memory until then.
// watchStop only stops and starts the close; the function reference and async
// context are released in the close callback, which also makes watchStop safe
// from inside onReady (the frame calling onReady still holds them), and a
// finalizer that runs while onReady is on the stack harmless.
//
// Threading and teardown. Each worker thread has its own env and loop; all state
// hangs off a per-env Registry (instance data), never a global. A worker may
// exit with watches still open, so an env cleanup hook closes them and drops
// their JS references while the env is alive; their close callbacks may run
// after the env is gone and then only free memory. Everything else happens on
// the env's own thread, so there are no locks.
#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include <new>
#include <stdio.h>

#include "errors.h"

namespace {

// Marks our handles, so a foreign object (or another addon's wrapped object)
// passed to watchStop is a TypeError instead of a wild pointer.
constexpr napi_type_tag kWatchTag = {0x65706f6c6c726561ULL, 0x63746f7277617463ULL};

constexpr const char kHandleMsg[] = "watch must be a handle returned by watchStart";

struct Registry;

struct Watch {
  uv_poll_t poll;
  int poll_fd = -1;                    // our dup of the caller's fd, polled by libuv
  int saved_flags = -1;                // the open file's flags before uv_poll_init
  napi_env env = nullptr;
  Registry* registry = nullptr;        // null once detached (closed, or env torn down)
  napi_ref on_ready = nullptr;         // weak (the handle holds onReady); null once released
  napi_async_context async = nullptr;  // null once released
  bool closing = false;                // uv_close() has been called
  int owners = 1;                      // the open uv handle (+1 once the JS handle exists)
  Watch* prev = nullptr;
  Watch* next = nullptr;
};

// Per-env list of watches whose uv handle is still open.
struct Registry {
  Watch* head = nullptr;
  bool torn_down = false;
};

void Link(Registry* r, Watch* w) {
  w->registry = r;
  w->next = r->head;
  if (r->head != nullptr) r->head->prev = w;
  r->head = w;
}

void Unlink(Watch* w) {
  Registry* r = w->registry;
  if (w->prev != nullptr) w->prev->next = w->next;
  else r->head = w->next;
  if (w->next != nullptr) w->next->prev = w->prev;
  w->prev = w->next = nullptr;
  w->registry = nullptr;
}

// Needs a live env; not a JS call (no HandleScope needed).
void ReleaseJs(Watch* w) {
  if (w->on_ready != nullptr) napi_delete_reference(w->env, w->on_ready);
  if (w->async != nullptr) napi_async_destroy(w->env, w->async);
  w->on_ready = nullptr;
  w->async = nullptr;
}

void Drop(Watch* w) {
  if (--w->owners == 0) delete w;
}

void OnClose(uv_handle_t* handle) {
  Watch* w = static_cast<Watch*>(handle->data);
  if (w->registry != nullptr) {  // still attached: the env is alive
    ReleaseJs(w);
    Unlink(w);
  }
  Drop(w);
}

// Clears O_NONBLOCK again if it was clear before uv_poll_init set it. Only that
// bit: other flags may have been changed by the caller since.
void RestoreFlags(int fd, int saved_flags) {
  if (saved_flags < 0 || (saved_flags & O_NONBLOCK)) return;
  int now = fcntl(fd, F_GETFL);
  if (now >= 0 && (now & O_NONBLOCK)) fcntl(fd, F_SETFL, now & ~O_NONBLOCK);
}

void BeginClose(Watch* w) {
  if (w->closing) return;
  w->closing = true;
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnClose);
  // uv_close has already removed the fd from libuv's epoll set (synchronously),
  // and libuv never touches it again, so the dup can go now: the fd count is
  // back to what it was as soon as watchStop returns.
  RestoreFlags(w->poll_fd, w->saved_flags);
  close(w->poll_fd);
  w->poll_fd = -1;
}

// Env teardown (worker exit, process exit): the loop will not call us again
// with a usable env, so let go of JS now and leave only memory to the close
// callbacks.
void OnEnvCleanup(void* arg) {
  Registry* r = static_cast<Registry*>(arg);
  r->torn_down = true;
  while (r->head != nullptr) {
    Watch* w = r->head;
    ReleaseJs(w);
    BeginClose(w);
    Unlink(w);
  }
}

void FinalizeRegistry(napi_env, void* data, void*) { delete static_cast<Registry*>(data); }

// The handle was garbage-collected: nobody can call watchStop any more, so stop
// the watch (unless env teardown already did). The uv handle's share keeps the
// struct alive until its close callback.
void FinalizeHandle(napi_env, void* data, void*) {
  Watch* w = static_cast<Watch*>(data);
  if (w->registry != nullptr && !w->registry->torn_down) BeginClose(w);
  Drop(w);
}

// The uv callback. status < 0 means libuv hit POLLERR and stopped the handle;
// we still call onReady, whose epollWait then reports the error.
void OnPoll(uv_poll_t* handle, int, int) {
  Watch* w = static_cast<Watch*>(handle->data);
  if (w->closing || w->on_ready == nullptr) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, result;
  if (napi_get_reference_value(env, w->on_ready, &fn) == napi_ok && fn != nullptr &&
      napi_get_global(env, &recv) == napi_ok &&
      napi_make_callback(env, w->async, recv, fn, 0, nullptr, &result) != napi_ok) {
    bool pending = false;
    napi_value error;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &error) == napi_ok) {
      napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

// A libuv failure in watchStart: an Error shaped like Node's SystemError.
void ThrowUv(napi_env env, const char* syscall, int err) {
  char name[32], desc[128], text[224];
  uv_err_name_r(err, name, sizeof name);
  uv_strerror_r(err, desc, sizeof desc);
  snprintf(text, sizeof text, "%s failed: %s (%s)", syscall, desc, name);
  napi_value code, message, error, errno_value, syscall_value;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok ||
      napi_create_error(env, code, message, &error) != napi_ok) {
    return;
  }
  if (napi_create_int32(env, err, &errno_value) == napi_ok) napi_set_named_property(env, error, "errno", errno_value);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value) == napi_ok) {
    napi_set_named_property(env, error, "syscall", syscall_value);
  }
  napi_throw(env, error);
}

void ThrowIfNothingPending(napi_env env, const char* msg) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, nullptr, msg);
}

bool ArgWatch(napi_env env, napi_value v, Watch** out) {
  napi_valuetype type;
  bool tagged = false;
  void* data = nullptr;
  if (v == nullptr || napi_typeof(env, v, &type) != napi_ok || type != napi_object ||
      napi_check_object_type_tag(env, v, &kWatchTag, &tagged) != napi_ok || !tagged ||
      napi_unwrap(env, v, &data) != napi_ok || data == nullptr) {
    return er::ThrowType(env, kHandleMsg);
  }
  *out = static_cast<Watch*>(data);
  return true;
}

// watchStart(fd, onReady) -> handle
napi_value WatchStart(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  Registry* registry = static_cast<Registry*>(a.data);
  int fd;
  napi_valuetype type;
  if (!er::ArgFd(env, a[0], er::kFdMsg, &fd)) return nullptr;
  if (a[1] == nullptr || napi_typeof(env, a[1], &type) != napi_ok || type != napi_function) {
    er::ThrowType(env, "onReady must be a function");
    return nullptr;
  }
  uv_loop_t* loop;
  if (registry == nullptr || registry->torn_down || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    ThrowIfNothingPending(env, "watchStart: the environment is shutting down");
    return nullptr;
  }

  Watch* w = new (std::nothrow) Watch;
  if (w == nullptr) {
    ThrowUv(env, "watchStart", UV_ENOMEM);
    return nullptr;
  }
  w->poll_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (w->poll_fd < 0) {
    int err = -errno;
    delete w;
    ThrowUv(env, "dup", err);
    return nullptr;
  }
  // Fails with EPERM for a regular file (epoll cannot poll it). It sets
  // O_NONBLOCK on the open file (shared with the caller's fd); BeginClose
  // restores the bit from saved_flags.
  w->saved_flags = fcntl(w->poll_fd, F_GETFL);
  int err = uv_poll_init(loop, &w->poll, w->poll_fd);
  if (err != 0) {
    RestoreFlags(w->poll_fd, w->saved_flags);
    close(w->poll_fd);
    delete w;
    ThrowUv(env, "uv_poll_init", err);
    return nullptr;
  }
  w->poll.data = w;
  w->env = env;
  Link(registry, w);  // from here on, every failure path is BeginClose()

  // The handle: {onReady} (non-enumerable, read-only), frozen, tagged, and
  // wrapping the Watch. It keeps onReady alive; we only hold onReady weakly.
  napi_value handle = nullptr, resource_name;
  bool ok = napi_create_reference(env, a[1], 0, &w->on_ready) == napi_ok &&
            napi_create_string_utf8(env, "EpollReactorWatch", NAPI_AUTO_LENGTH, &resource_name) == napi_ok &&
            napi_async_init(env, nullptr, resource_name, &w->async) == napi_ok &&
            napi_create_object(env, &handle) == napi_ok;
  if (ok && napi_wrap(env, handle, w, FinalizeHandle, nullptr, nullptr) == napi_ok) {
    w->owners++;  // the JS handle now owns a share
    napi_property_descriptor prop = {"onReady", nullptr, nullptr, nullptr, nullptr, a[1], napi_default, nullptr};
    ok = napi_define_properties(env, handle, 1, &prop) == napi_ok &&
         napi_type_tag_object(env, handle, &kWatchTag) == napi_ok && napi_object_freeze(env, handle) == napi_ok;
  } else {
    ok = false;
  }
  if (!ok) {
    BeginClose(w);
    ThrowIfNothingPending(env, "watchStart: cannot create the watch handle");
    return nullptr;
  }
  err = uv_poll_start(&w->poll, UV_READABLE, OnPoll);
  if (err != 0) {
    BeginClose(w);
    ThrowUv(env, "uv_poll_start", err);
    return nullptr;
  }
  return handle;
}

// watchStop(handle): idempotent, and safe from inside onReady.
napi_value WatchStop(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  Watch* w;
  if (!ArgWatch(env, a[0], &w)) return nullptr;
  BeginClose(w);  // no-op when already closing
  return er::Undefined(env);
}

// watchRef(handle, ref): whether the watch keeps the loop (the process) alive.
napi_value WatchRef(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  Watch* w;
  bool ref;
  if (!ArgWatch(env, a[0], &w)) return nullptr;
  if (a[1] == nullptr || napi_get_value_bool(env, a[1], &ref) != napi_ok) {
    er::ThrowType(env, "ref must be a boolean");
    return nullptr;
  }
  if (!w->closing) {
    uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&w->poll);
    if (ref) uv_ref(h);
    else uv_unref(h);
  }
  return er::Undefined(env);
}

}  // namespace

void InitWatch(napi_env env, napi_value exports) {
  Registry* registry = new (std::nothrow) Registry;
  if (registry == nullptr) return;  // watchStart will then throw
  if (napi_set_instance_data(env, registry, FinalizeRegistry, nullptr) != napi_ok) {
    delete registry;
    registry = nullptr;
  } else {
    napi_add_env_cleanup_hook(env, OnEnvCleanup, registry);
  }
  er::Export(env, exports, "watchStart", WatchStart, registry);
  er::Export(env, exports, "watchStop", WatchStop);
  er::Export(env, exports, "watchRef", WatchRef);
}
