// ring.cc -- io_uring through the kernel's own UAPI (<linux/io_uring.h>): the
// io_uring_setup / io_uring_enter / io_uring_register syscalls and the three
// mmaps (SQ ring, CQ ring, SQE array). No liburing: the addon must build on a
// machine with only Node and a C++ toolchain (docs/DECISIONS.md, "io_uring").
//
// A ring is a napi_external (type-tagged) owning one Ring struct: the ring fd,
// its mappings, and the provided-buffer rings registered on it. ringClose()
// releases all of it; the external's finalizer does the same for a ring that
// was dropped unclosed. Everything else is one prep function per operation --
// each fills one SQE in user memory, no syscall -- and ringEnter, the one
// io_uring_enter per turn: publish the SQ tail, submit, wait for completions,
// copy them into the caller's Int32Array (4 words per CQE: user_data low 32,
// user_data high 32, res, flags) and release the CQ slots. Like epollWait, it
// allocates nothing.
//
// user_data is a JS number, an integer in [0, 2^53-1]; it comes back split in
// two words. A prep on a full SQ submits what is queued first (one extra
// io_uring_enter, reported by a return value of 1 instead of 0).
//
// Provided buffers: ringBufRingSetup registers a ring of `count` buffers of
// `size` bytes carved from a caller's Uint8Array (the arena). The kernel picks
// a buffer per recv completion (flags >> 16 is its id); the caller hands it
// back with ringBufReturn once it has copied the bytes out. The arena is kept
// reachable (napi_ref) until the ring is closed, so the kernel never writes
// into freed memory.
//
// Threading: a ring belongs to the thread that set it up (the JS thread of one
// env); another thread wakes it by writing an eventfd the ring polls
// (ringPrepPollMultishot). No locks: the SQ/CQ protocol is the kernel's
// acquire/release pair, done here with __atomic builtins.
//
// Test knob: EPOLL_REACTOR_URING_SETUP_ERRNO=<EPERM|ENOSYS|ENOMEM|number>
// makes ringSetup fail with that errno without calling the kernel, so the
// "io_uring unavailable" path (kernel.io_uring_disabled=2, a seccomp profile,
// an old kernel) can be exercised on a machine where io_uring works.
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <new>

#include "errors.h"

namespace {

// Multishot recv, provided-buffer rings (an enum, so not testable here) and SINGLE_ISSUER
// arrived with the Linux 6.0 headers;
// older headers build an addon whose ringSetup reports ENOSYS.
#if defined(IORING_RECV_MULTISHOT) && defined(IORING_ACCEPT_MULTISHOT) && defined(IORING_SETUP_SINGLE_ISSUER)
#define ER_HAVE_URING 1
#else
#define ER_HAVE_URING 0
#endif

constexpr napi_type_tag kRingTag = {0x65706f6c6c726561ULL, 0x63746f7272696e67ULL};
constexpr const char* kRingMsg = "ring must be a handle from ringSetup";
constexpr const char* kUdMsg = "userData must be an integer in [0, 2^53-1]";
constexpr unsigned kMaxGroups = 64;

#if ER_HAVE_URING

// The ring's entries. Not `ring->bufs`: the UAPI header declares bufs with
// __DECLARE_FLEX_ARRAY, which in C++ (before Linux 6.9's headers) puts an empty
// struct -- one byte in C++, zero in C -- in front, so `bufs` lands 8 bytes past
// where the kernel reads it. The tail overlays bufs[0].resv, as the header says.
inline struct io_uring_buf* BufEntries(struct io_uring_buf_ring* ring) {
  return reinterpret_cast<struct io_uring_buf*>(ring);
}

struct BufGroup {
  struct io_uring_buf_ring* ring = nullptr;  // mmap'd, page aligned (the kernel requires it)
  size_t ring_bytes = 0;
  uint8_t* arena = nullptr;
  uint32_t count = 0;  // power of two
  uint32_t size = 0;
  napi_ref arena_ref = nullptr;
};

struct Ring {
  int fd = -1;
  uint32_t features = 0;
  uint32_t sq_entries = 0;
  void* sq_map = nullptr;
  size_t sq_map_len = 0;
  void* cq_map = nullptr;  // == sq_map with IORING_FEAT_SINGLE_MMAP
  size_t cq_map_len = 0;
  struct io_uring_sqe* sqes = nullptr;
  size_t sqes_len = 0;
  uint32_t* sq_head = nullptr;
  uint32_t* sq_tail = nullptr;
  uint32_t* sq_flags = nullptr;
  uint32_t* sq_array = nullptr;
  uint32_t sq_mask = 0;
  uint32_t sqe_tail = 0;  // our private tail: SQEs filled, published at enter
  uint32_t* cq_head = nullptr;
  uint32_t* cq_tail = nullptr;
  uint32_t cq_mask = 0;
  struct io_uring_cqe* cqes = nullptr;
  struct __kernel_timespec* timeouts = nullptr;  // one per SQ slot, read by the kernel at submit
  uint32_t enters = 0;                            // io_uring_enter calls made (wraps at 2^32)
  BufGroup groups[kMaxGroups];
};

int Setup(unsigned entries, struct io_uring_params* p) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}

int Enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, void* arg, size_t argsz) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, argsz));
}

int Register(int fd, unsigned op, void* arg, unsigned nr) {
  return static_cast<int>(syscall(__NR_io_uring_register, fd, op, arg, nr));
}

void Release(napi_env env, Ring* r) {
  for (BufGroup& g : r->groups) {
    if (g.ring != nullptr) munmap(g.ring, g.ring_bytes);
    if (g.arena_ref != nullptr && env != nullptr) napi_delete_reference(env, g.arena_ref);
    g = BufGroup();
  }
  // Closing the fd tears the ring down in the kernel (pending requests are cancelled);
  // the mappings stay valid until munmap, so unmapping after close is safe.
  if (r->fd >= 0) close(r->fd);
  r->fd = -1;
  if (r->sqes != nullptr) munmap(r->sqes, r->sqes_len);
  if (r->cq_map != nullptr && r->cq_map != r->sq_map) munmap(r->cq_map, r->cq_map_len);
  if (r->sq_map != nullptr) munmap(r->sq_map, r->sq_map_len);
  free(r->timeouts);
  r->sqes = nullptr;
  r->cq_map = r->sq_map = nullptr;
  r->timeouts = nullptr;
}

void Finalize(napi_env env, void* data, void*) {
  Ring* r = static_cast<Ring*>(data);
  Release(env, r);
  delete r;
}

// The ring behind a handle, or nullptr with a TypeError pending. A closed ring
// (fd -1) is returned too: each caller answers -EBADF for it.
Ring* ArgRing(napi_env env, napi_value v) {
  napi_valuetype t;
  bool tagged = false;
  void* data = nullptr;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(env, v, &kRingTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    er::ThrowType(env, kRingMsg);
    return nullptr;
  }
  return static_cast<Ring*>(data);
}

bool ArgUserData(napi_env env, napi_value v, uint64_t* out) {
  double d;
  if (!er::ArgIntIn(env, v, 0, 9007199254740991.0, kUdMsg, &d)) return false;
  *out = static_cast<uint64_t>(d);
  return true;
}

// SQEs queued but not yet consumed by the kernel.
uint32_t Pending(const Ring* r) { return r->sqe_tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE); }

// Publish our tail and hand the queued SQEs to the kernel. -> submitted | -errno
int Submit(Ring* r, unsigned min_complete, unsigned flags, void* arg, size_t argsz) {
  __atomic_store_n(r->sq_tail, r->sqe_tail, __ATOMIC_RELEASE);
  for (;;) {
    r->enters++;
    int n = Enter(r->fd, Pending(r), min_complete, flags, arg, argsz);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

// The next free SQE, zeroed; submits first when the SQ is full. *flushed says
// whether that cost a syscall.
struct io_uring_sqe* NextSqe(Ring* r, int* flushed) {
  *flushed = 0;
  if (Pending(r) >= r->sq_entries) {
    int n = Submit(r, 0, 0, nullptr, 0);
    if (n < 0) {
      errno = -n;
      return nullptr;
    }
    *flushed = 1;
    if (Pending(r) >= r->sq_entries) {
      errno = EBUSY;
      return nullptr;
    }
  }
  const uint32_t idx = r->sqe_tail & r->sq_mask;
  struct io_uring_sqe* sqe = &r->sqes[idx];
  memset(sqe, 0, sizeof *sqe);
  r->sq_array[idx] = idx;
  r->sqe_tail++;
  return sqe;
}

// Shared prologue of the prep functions: the ring (live), the SQE, or a return value.
#define ER_PREP_BEGIN(N)                                   \
  er::Args<N> a(env, info);                                \
  Ring* r = ArgRing(env, a[0]);                            \
  if (r == nullptr) return nullptr;                        \
  uint64_t ud;                                             \
  if (!ArgUserData(env, a[N - 1], &ud)) return nullptr;
#define ER_PREP_SQE()                                      \
  if (r->fd < 0) return er::Int(env, -EBADF);              \
  int flushed;                                             \
  struct io_uring_sqe* sqe = NextSqe(r, &flushed);         \
  if (sqe == nullptr) return er::NegErrno(env);            \
  sqe->user_data = ud;

uint32_t ParseForcedErrno() {
  const char* v = getenv("EPOLL_REACTOR_URING_SETUP_ERRNO");
  if (v == nullptr || *v == '\0') return 0;
  if (strcmp(v, "EPERM") == 0) return EPERM;
  if (strcmp(v, "ENOSYS") == 0) return ENOSYS;
  if (strcmp(v, "ENOMEM") == 0) return ENOMEM;
  if (strcmp(v, "EINVAL") == 0) return EINVAL;
  long n = strtol(v, nullptr, 10);
  return n > 0 && n < 4096 ? static_cast<uint32_t>(n) : 0;
}

// ringSetup(entries, flags, cqEntries) -> handle | -errno
// flags: IORING_SETUP_* (SQPOLL and IOPOLL are refused: this ring serves
// sockets from the thread that owns it). cqEntries 0 = the kernel's default (2 x entries).
napi_value RingSetup(napi_env env, napi_callback_info info) {
  er::Args<3> a(env, info);
  uint32_t entries, flags, cq_entries;
  if (!er::ArgUint32(env, a[0], "entries must be an integer in [1, 32768]", &entries)) return nullptr;
  if (entries < 1 || entries > 32768) return er::ThrowRange(env, "entries must be an integer in [1, 32768]"), nullptr;
  if (!er::ArgMask(env, a[1], "flags must be an integer in [-2^31, 2^32)", &flags)) return nullptr;
  if (!er::ArgUint32(env, a[2], "cqEntries must be an integer in [0, 65536]", &cq_entries)) return nullptr;
  if (cq_entries > 65536) return er::ThrowRange(env, "cqEntries must be an integer in [0, 65536]"), nullptr;
  if (flags & (IORING_SETUP_SQPOLL | IORING_SETUP_IOPOLL | IORING_SETUP_SQ_AFF | IORING_SETUP_ATTACH_WQ |
               IORING_SETUP_CQSIZE | IORING_SETUP_SQE128 | IORING_SETUP_CQE32)) {
    return er::Int(env, -EINVAL);
  }
  if (uint32_t forced = ParseForcedErrno()) return er::Int(env, -static_cast<int>(forced));

  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  p.flags = flags;
  if (cq_entries != 0) {
    p.flags |= IORING_SETUP_CQSIZE;
    p.cq_entries = cq_entries;
  }
  int fd = Setup(entries, &p);
  if (fd < 0) return er::NegErrno(env);

  Ring* r = new (std::nothrow) Ring();
  if (r == nullptr) {
    close(fd);
    return er::Int(env, -ENOMEM);
  }
  r->fd = fd;
  r->features = p.features;
  r->sq_entries = p.sq_entries;
  r->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
  r->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  const bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && r->cq_map_len > r->sq_map_len) r->sq_map_len = r->cq_map_len;
  int err = 0;
  void* m = mmap(nullptr, r->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (m == MAP_FAILED) err = errno;
  else r->sq_map = m;
  if (err == 0) {
    if (single) {
      r->cq_map = r->sq_map;
    } else {
      m = mmap(nullptr, r->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
      if (m == MAP_FAILED) err = errno;
      else r->cq_map = m;
    }
  }
  if (err == 0) {
    r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
    m = mmap(nullptr, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    if (m == MAP_FAILED) err = errno;
    else r->sqes = static_cast<struct io_uring_sqe*>(m);
  }
  if (err == 0) {
    r->timeouts = static_cast<struct __kernel_timespec*>(calloc(p.sq_entries, sizeof(struct __kernel_timespec)));
    if (r->timeouts == nullptr) err = ENOMEM;
  }
  if (err != 0) {
    Release(nullptr, r);
    delete r;
    return er::Int(env, -err);
  }
  uint8_t* sq = static_cast<uint8_t*>(r->sq_map);
  uint8_t* cq = static_cast<uint8_t*>(r->cq_map);
  r->sq_head = reinterpret_cast<uint32_t*>(sq + p.sq_off.head);
  r->sq_tail = reinterpret_cast<uint32_t*>(sq + p.sq_off.tail);
  r->sq_flags = reinterpret_cast<uint32_t*>(sq + p.sq_off.flags);
  r->sq_mask = *reinterpret_cast<uint32_t*>(sq + p.sq_off.ring_mask);
  r->sq_array = reinterpret_cast<uint32_t*>(sq + p.sq_off.array);
  r->sqe_tail = *r->sq_tail;
  r->cq_head = reinterpret_cast<uint32_t*>(cq + p.cq_off.head);
  r->cq_tail = reinterpret_cast<uint32_t*>(cq + p.cq_off.tail);
  r->cq_mask = *reinterpret_cast<uint32_t*>(cq + p.cq_off.ring_mask);
  r->cqes = reinterpret_cast<struct io_uring_cqe*>(cq + p.cq_off.cqes);

  napi_value handle;
  if (napi_create_external(env, r, Finalize, nullptr, &handle) != napi_ok ||
      napi_type_tag_object(env, handle, &kRingTag) != napi_ok) {
    Release(env, r);
    delete r;
    return nullptr;
  }
  return handle;
}

// ringInfo(ring, out: Uint32Array(>= 4)) -> 0 | -EBADF; out = [fd, features, sqEntries,
// cqEntries, enters (io_uring_enter calls so far, mod 2^32; only when out.length >= 5)]
napi_value RingInfo(napi_env env, napi_callback_info info) {
  er::Args<2> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  void* data;
  size_t length;
  if (!er::ArgTyped(env, a[1], napi_uint32_array, "out must be a Uint32Array of length >= 4", &data, &length)) return nullptr;
  if (length < 4) return er::ThrowRange(env, "out must be a Uint32Array of length >= 4"), nullptr;
  if (r->fd < 0) return er::Int(env, -EBADF);
  uint32_t* out = static_cast<uint32_t*>(data);
  out[0] = static_cast<uint32_t>(r->fd);
  out[1] = r->features;
  out[2] = r->sq_entries;
  out[3] = r->cq_mask + 1;
  if (length >= 5) out[4] = r->enters;
  return er::Int(env, 0);
}

// ringClose(ring) -> 0 (a second close is a no-op)
napi_value RingClose(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  Release(env, r);
  return er::Int(env, 0);
}

// ringEnter(ring, waitNr, timeoutMs, out: Int32Array, maxCqes) -> count | -errno
// Submits every queued SQE and waits until at least waitNr completions are
// ready or timeoutMs passed (-1: no limit; the wait is one io_uring_enter with
// IORING_ENTER_EXT_ARG), then copies up to maxCqes of them into out. No syscall
// at all when nothing is queued, nothing is awaited and the kernel has no
// deferred work for us (the integrated driver's drain after the ring fd polled readable).
napi_value RingEnter(napi_env env, napi_callback_info info) {
  er::Args<5> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  uint32_t wait_nr;
  int timeout;
  void* data;
  size_t length, max_cqes;
  if (!er::ArgUint32(env, a[1], "waitNr must be an integer in [0, 2^32-1]", &wait_nr)) return nullptr;
  if (!er::ArgTimeout(env, a[2], &timeout)) return nullptr;
  if (!er::ArgTyped(env, a[3], napi_int32_array, "out must be an Int32Array", &data, &length)) return nullptr;
  if (!er::ArgSize(env, a[4], "maxCqes must be an integer in [1, out.length / 4]", &max_cqes)) return nullptr;
  if (max_cqes < 1 || max_cqes > length / 4) {
    return er::ThrowRange(env, "maxCqes must be an integer in [1, out.length / 4]"), nullptr;
  }
  if (r->fd < 0) return er::Int(env, -EBADF);

  uint32_t head = *r->cq_head;
  uint32_t ready = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - head;
  const uint32_t kernel_flags = __atomic_load_n(r->sq_flags, __ATOMIC_RELAXED);
  const bool must_enter = Pending(r) != 0 || (kernel_flags & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) != 0;
  if (wait_nr > 0 && ready >= wait_nr) wait_nr = 0;  // already there: only submit
  if (must_enter || wait_nr > 0) {
    struct __kernel_timespec ts;
    struct io_uring_getevents_arg arg;
    memset(&arg, 0, sizeof arg);
    unsigned flags = IORING_ENTER_GETEVENTS;
    void* argp = nullptr;
    size_t argsz = 0;
    int64_t deadline = 0;
    if (wait_nr > 0 && timeout >= 0) {
      flags |= IORING_ENTER_EXT_ARG;
      arg.sigmask_sz = _NSIG / 8;
      arg.ts = reinterpret_cast<uint64_t>(&ts);
      argp = &arg;
      argsz = sizeof arg;
      deadline = er::MonotonicNs() + static_cast<int64_t>(timeout) * 1000000;
    }
    __atomic_store_n(r->sq_tail, r->sqe_tail, __ATOMIC_RELEASE);
    for (;;) {
      if (argp != nullptr) {
        int64_t left = deadline - er::MonotonicNs();
        if (left < 0) left = 0;
        ts.tv_sec = left / 1000000000;
        ts.tv_nsec = left % 1000000000;
      }
      r->enters++;
      int n = Enter(r->fd, Pending(r), wait_nr, flags, argp, argsz);
      if (n >= 0) break;
      if (errno == ETIME) break;  // the wait timed out: deliver what is there
      if (errno == EINTR) {       // a signal: wait only for what is left of the deadline
        if (argp != nullptr && deadline - er::MonotonicNs() <= 0) break;
        continue;
      }
      // EBUSY/EAGAIN: the CQ is full (overflow backlog); harvesting below makes room.
      if ((errno == EBUSY || errno == EAGAIN) && ready > 0) break;
      return er::NegErrno(env);
    }
  }
  head = *r->cq_head;
  ready = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - head;
  const uint32_t n = ready < max_cqes ? ready : static_cast<uint32_t>(max_cqes);
  int32_t* out = static_cast<int32_t*>(data);
  for (uint32_t i = 0; i < n; i++) {
    const struct io_uring_cqe* cqe = &r->cqes[(head + i) & r->cq_mask];
    out[4 * i] = static_cast<int32_t>(static_cast<uint32_t>(cqe->user_data));
    out[4 * i + 1] = static_cast<int32_t>(static_cast<uint32_t>(cqe->user_data >> 32));
    out[4 * i + 2] = cqe->res;
    out[4 * i + 3] = static_cast<int32_t>(cqe->flags);
  }
  __atomic_store_n(r->cq_head, head + n, __ATOMIC_RELEASE);
  return er::Int(env, static_cast<int32_t>(n));
}

// ringPrepNop(ring, userData) -> 0 | 1 (flushed a full SQ) | -errno
napi_value RingPrepNop(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(2)
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_NOP;
  return er::Int(env, flushed);
}

// ringPrepAcceptMultishot(ring, listenFd, userData): one CQE per accepted
// connection (res = the new fd, SOCK_NONBLOCK | SOCK_CLOEXEC) while flags has IORING_CQE_F_MORE.
napi_value RingPrepAcceptMultishot(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(3)
  int fd;
  if (!er::ArgFd(env, a[1], er::kFdMsg, &fd)) return nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_ACCEPT;
  sqe->fd = fd;
  sqe->ioprio = IORING_ACCEPT_MULTISHOT;
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  return er::Int(env, flushed);
}

// ringPrepRecvMultishot(ring, fd, bgid, userData): one CQE per chunk received,
// its bytes in the provided buffer (flags >> 16) of group bgid; res 0 is EOF,
// -ENOBUFS means the group ran dry (the recv ended: re-arm after returning buffers).
napi_value RingPrepRecvMultishot(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(4)
  int fd;
  uint32_t bgid;
  if (!er::ArgFd(env, a[1], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgUint32(env, a[2], "bgid must be an integer in [0, 63]", &bgid)) return nullptr;
  if (bgid >= kMaxGroups) return er::ThrowRange(env, "bgid must be an integer in [0, 63]"), nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_RECV;
  sqe->fd = fd;
  sqe->ioprio = IORING_RECV_MULTISHOT;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = static_cast<uint16_t>(bgid);
  return er::Int(env, flushed);
}

// ringPrepSend(ring, fd, buf, offset, length, msgFlags, userData): the bytes
// must stay untouched (and the buffer reachable) until the completion arrives;
// src/poll/Ring.ts keeps the buffer pinned for that long.
napi_value RingPrepSend(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(7)
  int fd;
  uint8_t* base;
  size_t length;
  uint32_t msg_flags;
  if (!er::ArgFd(env, a[1], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgSpan(env, a[2], a[3], a[4], "buf must be a Uint8Array", &base, &length)) return nullptr;
  if (length > 0x7fffffff) return er::ThrowRange(env, "length must be at most 2^31-1"), nullptr;
  if (!er::ArgMask(env, a[5], "msgFlags must be an integer in [-2^31, 2^32)", &msg_flags)) return nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_SEND;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(base);
  sqe->len = static_cast<uint32_t>(length);
  sqe->msg_flags = msg_flags | MSG_NOSIGNAL;
  return er::Int(env, flushed);
}

// ringPrepClose(ring, fd, userData)
napi_value RingPrepClose(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(3)
  int fd;
  if (!er::ArgFd(env, a[1], er::kFdMsg, &fd)) return nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_CLOSE;
  sqe->fd = fd;
  return er::Int(env, flushed);
}

// ringPrepCancel(ring, targetUserData, userData): cancel the request(s) whose
// user_data is targetUserData (all of them). res = how many were found (0: none).
napi_value RingPrepCancel(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(3)
  uint64_t target;
  if (!ArgUserData(env, a[1], &target)) return nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = target;
  sqe->cancel_flags = IORING_ASYNC_CANCEL_ALL;
  return er::Int(env, flushed);
}

// ringPrepCancelFd(ring, fd, userData): cancel every request on fd.
napi_value RingPrepCancelFd(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(3)
  int fd;
  if (!er::ArgFd(env, a[1], er::kFdMsg, &fd)) return nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = fd;
  sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
  return er::Int(env, flushed);
}

// ringPrepTimeout(ring, ms, count, userData): completes with -ETIME after ms
// milliseconds, or with 0 once `count` other completions were posted (0: time only).
napi_value RingPrepTimeout(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(4)
  double ms;
  uint32_t count;
  if (!er::ArgNumber(env, a[1], "ms must be a number in [0, 2^31-1]", &ms)) return nullptr;
  if (!(ms >= 0 && ms <= 2147483647.0)) return er::ThrowRange(env, "ms must be a number in [0, 2^31-1]"), nullptr;
  if (!er::ArgUint32(env, a[2], "count must be an integer in [0, 2^32-1]", &count)) return nullptr;
  ER_PREP_SQE()
  // The kernel copies the timespec when it consumes the SQE (at enter), so a
  // slot per SQ entry outlives the SQE that points at it.
  struct __kernel_timespec* ts = &r->timeouts[(r->sqe_tail - 1) & r->sq_mask];
  const int64_t ns = static_cast<int64_t>(ms * 1e6);
  ts->tv_sec = ns / 1000000000;
  ts->tv_nsec = ns % 1000000000;
  sqe->opcode = IORING_OP_TIMEOUT;
  sqe->fd = -1;
  sqe->addr = reinterpret_cast<uint64_t>(ts);
  sqe->len = 1;
  sqe->off = count;
  return er::Int(env, flushed);
}

// ringPrepPollMultishot(ring, fd, pollMask, userData): one CQE (res = revents)
// per readiness change of fd -- the cross-thread wake-up when fd is an eventfd
// another thread writes.
napi_value RingPrepPollMultishot(napi_env env, napi_callback_info info) {
  ER_PREP_BEGIN(4)
  int fd;
  uint32_t mask;
  if (!er::ArgFd(env, a[1], er::kFdMsg, &fd)) return nullptr;
  if (!er::ArgMask(env, a[2], "pollMask must be an integer in [-2^31, 2^32)", &mask)) return nullptr;
  ER_PREP_SQE()
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = fd;
  sqe->poll32_events = mask;
  sqe->len = IORING_POLL_ADD_MULTI;
  return er::Int(env, flushed);
}

// ringBufRingSetup(ring, bgid, arena: Uint8Array, count, size) -> 0 | -errno
// count: a power of two in [1, 32768]; count * size <= arena.byteLength.
napi_value RingBufRingSetup(napi_env env, napi_callback_info info) {
  er::Args<5> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  uint32_t bgid, count, size;
  void* data;
  size_t length;
  if (!er::ArgUint32(env, a[1], "bgid must be an integer in [0, 63]", &bgid)) return nullptr;
  if (bgid >= kMaxGroups) return er::ThrowRange(env, "bgid must be an integer in [0, 63]"), nullptr;
  if (!er::ArgTyped(env, a[2], napi_uint8_array, "arena must be a Uint8Array", &data, &length)) return nullptr;
  if (!er::ArgUint32(env, a[3], "count must be a power of two in [1, 32768]", &count)) return nullptr;
  if (count < 1 || count > 32768 || (count & (count - 1)) != 0) {
    return er::ThrowRange(env, "count must be a power of two in [1, 32768]"), nullptr;
  }
  if (!er::ArgUint32(env, a[4], "size must be an integer in [1, 2^31-1]", &size)) return nullptr;
  if (size < 1 || size > 0x7fffffff) return er::ThrowRange(env, "size must be an integer in [1, 2^31-1]"), nullptr;
  if (static_cast<uint64_t>(count) * size > length) {
    return er::ThrowRange(env, "count * size exceeds the arena's byteLength"), nullptr;
  }
  if (r->fd < 0) return er::Int(env, -EBADF);
  BufGroup& g = r->groups[bgid];
  if (g.ring != nullptr) return er::Int(env, -EEXIST);

  const size_t bytes = count * sizeof(struct io_uring_buf);
  void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (m == MAP_FAILED) return er::NegErrno(env);
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof reg);
  reg.ring_addr = reinterpret_cast<uint64_t>(m);
  reg.ring_entries = count;
  reg.bgid = static_cast<uint16_t>(bgid);
  if (Register(r->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
    int err = errno;
    munmap(m, bytes);
    return er::Int(env, -err);
  }
  if (napi_create_reference(env, a[2], 1, &g.arena_ref) != napi_ok) {
    struct io_uring_buf_reg unreg;
    memset(&unreg, 0, sizeof unreg);
    unreg.bgid = static_cast<uint16_t>(bgid);
    Register(r->fd, IORING_UNREGISTER_PBUF_RING, &unreg, 1);
    munmap(m, bytes);
    g.arena_ref = nullptr;
    return nullptr;
  }
  g.ring = static_cast<struct io_uring_buf_ring*>(m);
  g.ring_bytes = bytes;
  g.arena = static_cast<uint8_t*>(data);
  g.count = count;
  g.size = size;
  for (uint32_t i = 0; i < count; i++) {
    struct io_uring_buf* b = &BufEntries(g.ring)[i];
    b->addr = reinterpret_cast<uint64_t>(g.arena + static_cast<size_t>(i) * size);
    b->len = size;
    b->bid = static_cast<uint16_t>(i);
  }
  __atomic_store_n(&g.ring->tail, static_cast<uint16_t>(count), __ATOMIC_RELEASE);
  return er::Int(env, 0);
}

// Put buffer bid of group g at the ring's tail (published by the caller).
inline void PutBuffer(BufGroup& g, uint16_t tail, uint32_t bid) {
  struct io_uring_buf* b = &BufEntries(g.ring)[tail & (g.count - 1)];
  b->addr = reinterpret_cast<uint64_t>(g.arena + static_cast<size_t>(bid) * g.size);
  b->len = g.size;
  b->bid = static_cast<uint16_t>(bid);
}

// ringBufReturn(ring, bgid, bid) -> 0 | -errno: hand buffer bid back to the kernel.
napi_value RingBufReturn(napi_env env, napi_callback_info info) {
  er::Args<3> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  uint32_t bgid, bid;
  if (!er::ArgUint32(env, a[1], "bgid must be an integer in [0, 63]", &bgid)) return nullptr;
  if (bgid >= kMaxGroups) return er::ThrowRange(env, "bgid must be an integer in [0, 63]"), nullptr;
  if (!er::ArgUint32(env, a[2], "bid must be an integer in [0, 65535]", &bid)) return nullptr;
  if (r->fd < 0) return er::Int(env, -EBADF);
  BufGroup& g = r->groups[bgid];
  if (g.ring == nullptr) return er::Int(env, -ENOENT);
  if (bid >= g.count) return er::Int(env, -EINVAL);
  const uint16_t tail = g.ring->tail;  // only we write it
  PutBuffer(g, tail, bid);
  __atomic_store_n(&g.ring->tail, static_cast<uint16_t>(tail + 1), __ATOMIC_RELEASE);
  return er::Int(env, 0);
}

// ringBufReturnCompleted(ring, bgid, out: Int32Array, count) -> buffers returned | -errno
// Hands back every provided buffer that the first `count` CQEs copied into `out` by
// ringEnter name (IORING_CQE_F_BUFFER), with one tail update: the reactor's turn has copied
// every recv's bytes out by the time it ends, so one call returns the whole batch.
napi_value RingBufReturnCompleted(napi_env env, napi_callback_info info) {
  er::Args<4> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  uint32_t bgid;
  void* data;
  size_t length, count;
  if (!er::ArgUint32(env, a[1], "bgid must be an integer in [0, 63]", &bgid)) return nullptr;
  if (bgid >= kMaxGroups) return er::ThrowRange(env, "bgid must be an integer in [0, 63]"), nullptr;
  if (!er::ArgTyped(env, a[2], napi_int32_array, "out must be an Int32Array", &data, &length)) return nullptr;
  if (!er::ArgSize(env, a[3], "count must be an integer in [0, out.length / 4]", &count)) return nullptr;
  if (count > length / 4) return er::ThrowRange(env, "count must be an integer in [0, out.length / 4]"), nullptr;
  if (r->fd < 0) return er::Int(env, -EBADF);
  BufGroup& g = r->groups[bgid];
  if (g.ring == nullptr) return er::Int(env, -ENOENT);
  const int32_t* cqes = static_cast<const int32_t*>(data);
  uint16_t tail = g.ring->tail;  // only we write it
  int32_t returned = 0;
  for (size_t i = 0; i < count; i++) {
    const uint32_t flags = static_cast<uint32_t>(cqes[4 * i + 3]);
    if ((flags & IORING_CQE_F_BUFFER) == 0) continue;
    const uint32_t bid = flags >> IORING_CQE_BUFFER_SHIFT;
    if (bid >= g.count) continue;
    PutBuffer(g, tail++, bid);
    returned++;
  }
  if (returned > 0) __atomic_store_n(&g.ring->tail, tail, __ATOMIC_RELEASE);
  return er::Int(env, returned);
}

// ringSubmit(ring) -> SQEs submitted | -errno: hand queued SQEs to the kernel without
// waiting or taking completions (the integrated driver's end of turn). No syscall when
// nothing is queued.
napi_value RingSubmit(napi_env env, napi_callback_info info) {
  er::Args<1> a(env, info);
  Ring* r = ArgRing(env, a[0]);
  if (r == nullptr) return nullptr;
  if (r->fd < 0) return er::Int(env, -EBADF);
  if (Pending(r) == 0) return er::Int(env, 0);
  return er::Int(env, Submit(r, 0, 0, nullptr, 0));
}

#else  // !ER_HAVE_URING: built against headers without multishot recv/buffer rings

napi_value RingSetup(napi_env env, napi_callback_info) { return er::Int(env, -ENOSYS); }
napi_value RingUnavailable(napi_env env, napi_callback_info) {
  er::ThrowType(env, kRingMsg);
  return nullptr;
}
#define RingInfo RingUnavailable
#define RingClose RingUnavailable
#define RingEnter RingUnavailable
#define RingPrepNop RingUnavailable
#define RingPrepAcceptMultishot RingUnavailable
#define RingPrepRecvMultishot RingUnavailable
#define RingPrepSend RingUnavailable
#define RingPrepClose RingUnavailable
#define RingPrepCancel RingUnavailable
#define RingPrepCancelFd RingUnavailable
#define RingPrepTimeout RingUnavailable
#define RingPrepPollMultishot RingUnavailable
#define RingBufRingSetup RingUnavailable
#define RingBufReturn RingUnavailable
#define RingBufReturnCompleted RingUnavailable
#define RingSubmit RingUnavailable

#endif

}  // namespace

void InitRing(napi_env env, napi_value exports) {
  er::Export(env, exports, "ringSetup", RingSetup);
  er::Export(env, exports, "ringInfo", RingInfo);
  er::Export(env, exports, "ringClose", RingClose);
  er::Export(env, exports, "ringEnter", RingEnter);
  er::Export(env, exports, "ringPrepNop", RingPrepNop);
  er::Export(env, exports, "ringPrepAcceptMultishot", RingPrepAcceptMultishot);
  er::Export(env, exports, "ringPrepRecvMultishot", RingPrepRecvMultishot);
  er::Export(env, exports, "ringPrepSend", RingPrepSend);
  er::Export(env, exports, "ringPrepClose", RingPrepClose);
  er::Export(env, exports, "ringPrepCancel", RingPrepCancel);
  er::Export(env, exports, "ringPrepCancelFd", RingPrepCancelFd);
  er::Export(env, exports, "ringPrepTimeout", RingPrepTimeout);
  er::Export(env, exports, "ringPrepPollMultishot", RingPrepPollMultishot);
  er::Export(env, exports, "ringBufRingSetup", RingBufRingSetup);
  er::Export(env, exports, "ringBufReturn", RingBufReturn);
  er::Export(env, exports, "ringBufReturnCompleted", RingBufReturnCompleted);
  er::Export(env, exports, "ringSubmit", RingSubmit);
}
