// batch.cc -- the reactor's batched turn: many fds, one JS<->C++ crossing.
//
// A reactor turn on the plain binding crosses into C++ once for epoll_wait and
// then twice per ready connection (a read, a write). Each crossing costs more
// than the JS around it (argument checks, typed-array lookups), so a loop with
// hundreds of ready fds spends a visible share of its time at the border.
// These two calls move the per-fd syscalls to this side:
//
//   epollWaitRead(epfd, out, maxEvents, timeoutMs, results, arena, readCap)
//       epoll_wait (exactly as epollWait), then one read(2) of up to readCap
//       bytes for every event whose token carries kAutoRead and that reports
//       input (IN/RDHUP/HUP, without ERR), into consecutive slices of `arena`.
//       results[i] = bytes read, 0 at EOF, -errno, or kNotRead when the event
//       was not read here (no flag, ERR set, or fewer than readCap bytes of
//       arena left); the caller finds slice i by summing the positive results
//       before it. Returns the event count or -errno.
//   writeMany(table, count, arena)
//       for entry i of table (Int32Array, [fd, offset, length] each): one
//       write(2) of arena[offset, offset+length); table[3i+2] becomes the bytes
//       written or -errno. Returns count (-ENOMEM if the copy below cannot be
//       allocated).
//
// JS memory is read exactly once. The typed arrays may live on a
// SharedArrayBuffer that another thread writes while we run, so a value that
// was checked must never be fetched again from JS memory: writeMany copies the
// whole table into a thread-local scratch (one relaxed atomic load per word),
// validates the copy and writes from the copy; epollWaitRead decides what to
// read from the kernel's own event array, never from `out`. The JS arrays are
// only written after that (results, lengths, unpacked events).
//
// Policy (which fds, how much, what a short read means) stays in JS: this file
// only loops over syscalls. Stateless; safe in any number of threads.
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "errors.h"
#include "wait.h"

namespace {

constexpr uint32_t kAutoRead = 0x80000000u;
constexpr int32_t kNotRead = INT32_MIN;
constexpr uint32_t kInputEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP;

ssize_t ReadRetry(int fd, uint8_t* p, size_t n) {
  ssize_t r;
  do r = read(fd, p, n);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : r;
}

ssize_t WriteRetry(int fd, const uint8_t* p, size_t n) {
  ssize_t r;
  do r = write(fd, p, n);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : r;
}

napi_value EpollWaitRead(napi_env env, napi_callback_info info) {
  er::Args<7> a(env, info);
  int epfd, timeout;
  void *out_data, *res_data, *arena_data;
  size_t out_len, res_len, arena_len, max_events, read_cap;
  if (!er::ArgFd(env, a[0], "epfd must be an integer in [0, 2^31-1]", &epfd)) return nullptr;
  if (!er::ArgTyped(env, a[1], napi_uint32_array, "out must be a Uint32Array", &out_data, &out_len)) return nullptr;
  if (!er::ArgSize(env, a[2], "maxEvents must be an integer in [1, out.length / 3]", &max_events)) return nullptr;
  if (!er::ArgTimeout(env, a[3], &timeout)) return nullptr;
  if (!er::ArgTyped(env, a[4], napi_int32_array, "results must be an Int32Array", &res_data, &res_len)) return nullptr;
  if (!er::ArgTyped(env, a[5], napi_uint8_array, "arena must be a Uint8Array", &arena_data, &arena_len)) return nullptr;
  if (!er::ArgSize(env, a[6], "readCap must be an integer in [1, arena.length]", &read_cap)) return nullptr;
  if (max_events < 1 || max_events > out_len / 3 || max_events > res_len || max_events > INT_MAX / 16) {
    er::ThrowRange(env, "maxEvents must be an integer in [1, min(out.length / 3, results.length)]");
    return nullptr;
  }
  if (read_cap < 1 || read_cap > arena_len) {
    er::ThrowRange(env, "readCap must be an integer in [1, arena.length]");
    return nullptr;
  }

  const struct epoll_event* events = nullptr;
  int n = er::Wait(epfd, max_events, timeout, &events);
  if (n <= 0) return er::Int(env, n);
  er::Unpack(events, n, static_cast<uint32_t*>(out_data));

  int32_t* results = static_cast<int32_t*>(res_data);
  uint8_t* arena = static_cast<uint8_t*>(arena_data);
  size_t used = 0;
  for (int i = 0; i < n; i++) {
    const uint64_t u64 = events[i].data.u64;
    const uint32_t token = static_cast<uint32_t>(u64 >> 32);
    if (!(token & kAutoRead) || !(events[i].events & kInputEvents) || (events[i].events & EPOLLERR) ||
        arena_len - used < read_cap) {
      results[i] = kNotRead;
      continue;
    }
    ssize_t r = ReadRetry(static_cast<int>(static_cast<uint32_t>(u64)), arena + used, read_cap);
    results[i] = static_cast<int32_t>(r);
    if (r > 0) used += static_cast<size_t>(r);
  }
  return er::Int(env, n);
}

// writeMany's private copy of the table, grown on demand and reused (no
// allocation per call once it is big enough); one per thread, as every worker
// thread may be inside writeMany at the same moment.
struct Entry {
  int32_t fd, offset, length;
};

struct EntryBuffer {
  Entry* entries = nullptr;
  size_t capacity = 0;
  ~EntryBuffer() { free(entries); }
  Entry* Reserve(size_t n) {
    if (n > capacity) {
      void* grown = realloc(entries, n * sizeof(Entry));
      if (grown == nullptr) return nullptr;
      entries = static_cast<Entry*>(grown);
      capacity = n;
    }
    return entries;
  }
};

thread_local EntryBuffer tls_entries;

// One load of a word another thread may be storing to: relaxed atomic, so the
// value is some value that was stored (no torn or repeated read).
inline int32_t LoadOnce(const int32_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

napi_value WriteMany(napi_env env, napi_callback_info info) {
  er::Args<3> a(env, info);
  void *table_data, *arena_data;
  size_t table_len, arena_len, count;
  if (!er::ArgTyped(env, a[0], napi_int32_array, "table must be an Int32Array", &table_data, &table_len)) return nullptr;
  if (!er::ArgSize(env, a[1], "count must be an integer in [0, table.length / 3]", &count)) return nullptr;
  if (!er::ArgTyped(env, a[2], napi_uint8_array, "arena must be a Uint8Array", &arena_data, &arena_len)) return nullptr;
  if (count > table_len / 3) {
    er::ThrowRange(env, "count must be an integer in [0, table.length / 3]");
    return nullptr;
  }
  int32_t* table = static_cast<int32_t*>(table_data);
  const uint8_t* arena = static_cast<const uint8_t*>(arena_data);
  Entry* entries = tls_entries.Reserve(count > 0 ? count : 1);
  if (entries == nullptr) return er::Int(env, -ENOMEM);
  for (size_t i = 0; i < count; i++) {
    entries[i] = {LoadOnce(&table[3 * i]), LoadOnce(&table[3 * i + 1]), LoadOnce(&table[3 * i + 2])};
  }
  // Validate every entry before the first write: a bad entry is a caller bug,
  // and no byte should leave for the good entries before it is reported.
  for (size_t i = 0; i < count; i++) {
    const Entry& e = entries[i];
    if (e.fd < 0 || e.offset < 0 || e.length < 0 ||
        static_cast<size_t>(e.offset) + static_cast<size_t>(e.length) > arena_len) {
      er::ThrowRange(env, "table entry out of range: want fd >= 0 and [offset, offset+length) inside arena");
      return nullptr;
    }
  }
  for (size_t i = 0; i < count; i++) {
    const Entry& e = entries[i];
    const ssize_t r = WriteRetry(e.fd, arena + e.offset, static_cast<size_t>(e.length));
    __atomic_store_n(&table[3 * i + 2], static_cast<int32_t>(r), __ATOMIC_RELAXED);
  }
  return er::Int(env, static_cast<int32_t>(count));
}

}  // namespace

void InitBatch(napi_env env, napi_value exports) {
  er::Export(env, exports, "epollWaitRead", EpollWaitRead);
  er::Export(env, exports, "writeMany", WriteMany);
}
