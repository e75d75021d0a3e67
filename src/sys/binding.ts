// The shape of the native addon (native/*.cc), as TypeScript sees it.
//
// This file is the contract between C++ and TypeScript. The addon is thin and
// has no policy: every call maps to one syscall (or one small loop of them).
//
// Error convention (one rule, everywhere):
//   - wrong argument *types or ranges* -> the addon throws TypeError/RangeError;
//   - kernel errors -> the call RETURNS a negative errno (-EAGAIN, -EEXIST, ...).
//     It never throws for those. The TypeScript layer turns a negative return into
//     a SystemError where that is the right policy (src/sys/errors.ts), and uses
//     the raw number on hot paths (read/write/accept4/epoll_wait) where EAGAIN is
//     normal control flow.
//
// Numbers: fds, lengths and counts are plain integers. Event masks are uint32 but
// are also accepted as int32 (EPOLLIN | EPOLLET is negative in JS): the addon
// takes any integer in [-2^31, 2^32) and uses its low 32 bits.

/** An opaque handle for an integrated-driver watch (a libuv uv_poll_t). */
export interface NativeWatch {
  /** Brand that keeps other objects from passing as a handle; never present at run time. */
  readonly __nativeWatch: unique symbol;
}

/** An opaque handle for an io_uring instance (native/ring.cc); owned by one Ring. */
export interface NativeRing {
  /** Brand that keeps other objects from passing as a handle; never present at run time. */
  readonly __nativeRing: unique symbol;
}

/** The native addon's functions: thin syscall wrappers returning a result or -errno. */
export interface NativeBinding {
  // --- epoll (native/epoll.cc) -------------------------------------------------
  /** epoll_create1(EPOLL_CLOEXEC) -> fd | -errno */
  epollCreate(): number;
  /**
   * epoll_ctl(epfd, op, fd, {events, data.u64 = token << 32 | fd}) -> 0 | -errno.
   * Event bits outside the kernel's known set return -EINVAL without a syscall.
   * For EPOLL_CTL_DEL, events and token are ignored.
   */
  epollCtl(epfd: number, op: number, fd: number, events: number, token: number): number;
  /**
   * epoll_wait into `out` (3 uint32 per event: fd, events, token) for at most
   * `maxEvents` events (<= out.length / 3). timeoutMs: -1 blocks, 0 polls,
   * > 0 waits up to that many ms. EINTR is retried with the remaining time.
   * -> count | -errno
   */
  epollWait(epfd: number, out: Uint32Array, maxEvents: number, timeoutMs: number): number;

  // --- integrated driver (native/watch.cc) ------------------------------------
  /**
   * Watch `fd` for readability from Node's own libuv loop (uv_poll_t, level
   * triggered). `onReady` is called on the JS thread (through MakeCallback, so
   * microtasks run after it) each loop iteration while the fd is readable.
   * An exception thrown by onReady becomes an uncaught exception.
   * The watch lives as long as the returned handle: a handle garbage-collected
   * without watchStop stops its watch (until that GC it still runs and keeps
   * the process alive). Keep the handle while you want events.
   * The fd's O_NONBLOCK flag (set by libuv) is restored by watchStop.
   */
  watchStart(fd: number, onReady: () => void): NativeWatch;
  /** Stop and release the watch; restores the fd's O_NONBLOCK bit. Idempotent. */
  watchStop(watch: NativeWatch): void;
  /** uv_ref / uv_unref: whether the watch keeps the process alive (default true). */
  watchRef(watch: NativeWatch, ref: boolean): void;

  // --- eventfd (native/eventfd.cc) --------------------------------------------
  /** eventfd(initval, flags) -> fd | -errno */
  eventfdCreate(initval: number, flags: number): number;
  /** read 8 bytes -> counter value (exact below 2^53) | -errno */
  eventfdRead(fd: number): number;
  /** write 8 bytes (value 1 .. 2^53-1) -> 0 | -errno */
  eventfdWrite(fd: number, value: number): number;

  // --- timerfd (native/timerfd.cc) --------------------------------------------
  /** timerfd_create(clockid, flags) -> fd | -errno */
  timerfdCreate(clockid: number, flags: number): number;
  /**
   * timerfd_settime(fd, flags, {it_value = valueMs, it_interval = intervalMs}).
   * Milliseconds may be fractional (ns resolution). valueMs 0 disarms. -> 0 | -errno
   */
  timerfdSettime(fd: number, flags: number, valueMs: number, intervalMs: number): number;
  /** timerfd_gettime -> 0 | -errno; out[0] = ms to next expiry, out[1] = interval ms */
  timerfdGettime(fd: number, out: Float64Array): number;
  /** read 8 bytes -> number of expirations | -errno */
  timerfdRead(fd: number): number;

  // --- poll(2) (native/poll.cc) -----------------------------------------------
  /**
   * poll(2) in place. `fds` is an array of struct pollfd viewed as int32 pairs:
   * fds[2i] = fd, fds[2i+1] = events (low 16 bits) | revents << 16 (high 16 bits,
   * written by the kernel). -> number of fds with revents != 0 | -errno
   */
  poll(fds: Int32Array, nfds: number, timeoutMs: number): number;

  // --- sockets (native/socket.cc) ---------------------------------------------
  /** socket(domain, type, protocol) -> fd | -errno (type may carry SOCK_NONBLOCK|SOCK_CLOEXEC) */
  socket(domain: number, type: number, protocol: number): number;
  /** bind(fd, addr) where addr holds raw sockaddr bytes; addr.byteLength is addrlen */
  bind(fd: number, addr: Uint8Array): number;
  /** connect(fd, addr) -> 0 | -errno (-EINPROGRESS for a non-blocking socket) */
  connect(fd: number, addr: Uint8Array): number;
  /** listen(fd, backlog) -> 0 | -errno */
  listen(fd: number, backlog: number): number;
  /** accept4(fd, NULL, NULL, flags) -> new fd | -errno */
  accept4(fd: number, flags: number): number;
  /** getsockname into out (>= 128 bytes) -> addrlen | -errno */
  getsockname(fd: number, out: Uint8Array): number;
  /** getpeername into out (>= 128 bytes) -> addrlen | -errno */
  getpeername(fd: number, out: Uint8Array): number;
  /** setsockopt with an int value -> 0 | -errno */
  setsockopt(fd: number, level: number, name: number, value: number): number;
  /** getsockopt of an int option -> 0 | -errno; out[0] = value */
  getsockopt(fd: number, level: number, name: number, out: Int32Array): number;
  /** shutdown(fd, how) -> 0 | -errno */
  shutdown(fd: number, how: number): number;
  /** close(fd) -> 0 | -errno. EINTR counts as closed (Linux always frees the fd). */
  close(fd: number): number;

  // --- byte I/O (native/io.cc) ------------------------------------------------
  /** read(fd, buf + offset, length) -> bytes (0 = EOF) | -errno */
  read(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** write(fd, buf + offset, length) -> bytes | -errno */
  write(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** readv(fd, bufs) over each view's whole extent (at most IOV_MAX views) -> bytes | -errno */
  readv(fd: number, bufs: readonly Uint8Array[]): number;
  /** writev(fd, bufs) over each view's whole extent (at most IOV_MAX views) -> bytes | -errno */
  writev(fd: number, bufs: readonly Uint8Array[]): number;
  /**
   * The reactor's hot read: readv with exactly two iovecs, {a + aOff, aLen} then
   * {b + bOff, bLen}, without building views in JS. -> bytes | -errno
   */
  readv2(fd: number, a: Uint8Array, aOff: number, aLen: number, b: Uint8Array, bOff: number, bLen: number): number;

  // --- batched turn (native/batch.cc) ----------------------------------------
  /**
   * epollWait, then one read(2) of up to readCap bytes into consecutive slices of
   * `arena` for each event whose token has bit 31 (AUTO_READ) set and that reports
   * input (IN/RDHUP/HUP, not ERR). results[i]: bytes, 0 (EOF), -errno, or
   * NOT_READ (-2^31). Slice i starts at the sum of the positive results before it.
   * -> count | -errno
   */
  epollWaitRead(
    epfd: number,
    out: Uint32Array,
    maxEvents: number,
    timeoutMs: number,
    results: Int32Array,
    arena: Uint8Array,
    readCap: number,
  ): number;
  /** Where `array`'s bytes start within their memory page (address % 4096). */
  pageOffset(array: Uint8Array): number;
  /**
   * For each [fd, offset, length] entry: write(fd, arena + offset, length); length
   * becomes bytes | -errno. Every entry is read once (a SharedArrayBuffer table
   * changed by another thread cannot pass one value to the check and another to
   * the write) and checked before the first write. -> count | -ENOMEM
   */
  writeMany(table: Int32Array, count: number, arena: Uint8Array): number;

  // --- open-file limit (native/rlimit.cc) -------------------------------------
  /** getrlimit(RLIMIT_NOFILE) -> 0 | -errno; out[0] = soft, out[1] = hard (Infinity = RLIM_INFINITY) */
  getFdLimit(out: Float64Array): number;
  /** setrlimit(RLIMIT_NOFILE) of the soft limit only (the hard one is kept) -> 0 | -errno (EINVAL above the hard limit) */
  setFdLimit(soft: number): number;

  // --- io_uring (native/ring.cc; kernel UAPI, no liburing) --------------------
  // Every prep* fills one SQE (no syscall) and returns 0, or 1 when a full SQ had
  // to be submitted first (one io_uring_enter), or -errno (-EBADF once closed).
  // userData: an integer in [0, 2^53-1], returned split in two int32 words.
  /** io_uring_setup + mmaps -> handle | -errno. flags: IORING_SETUP_* (SQPOLL/IOPOLL/CQSIZE/SQE128/CQE32 -> -EINVAL); cqEntries 0 = default. */
  ringSetup(entries: number, flags: number, cqEntries: number): NativeRing | number;
  /** out = [fd, features, sqEntries, cqEntries, enters (io_uring_enter calls, mod 2^32; if out.length >= 5)] -> 0 | -EBADF */
  ringInfo(ring: NativeRing, out: Uint32Array): number;
  /** Unregister buffer rings, close the ring fd, unmap. Idempotent -> 0 */
  ringClose(ring: NativeRing): number;
  /**
   * The turn: submit queued SQEs, wait for >= waitNr completions (timeoutMs -1: no limit),
   * copy up to maxCqes into out (4 int32 per CQE: user_data lo, user_data hi, res, flags).
   * -> count | -errno
   */
  ringEnter(ring: NativeRing, waitNr: number, timeoutMs: number, out: Int32Array, maxCqes: number): number;
  /** A no-op SQE (its CQE carries userData, res 0): wakes or probes the ring. */
  ringPrepNop(ring: NativeRing, userData: number): number;
  /** Multishot accept4(SOCK_NONBLOCK | SOCK_CLOEXEC): res = new fd per CQE. */
  ringPrepAcceptMultishot(ring: NativeRing, fd: number, userData: number): number;
  /** Multishot recv into provided buffers of group bgid (0..63). */
  ringPrepRecvMultishot(ring: NativeRing, fd: number, bgid: number, userData: number): number;
  /** send(fd, buf[offset, offset+length), msgFlags | MSG_NOSIGNAL); buf must stay alive and unchanged until the CQE. */
  ringPrepSend(ring: NativeRing, fd: number, buf: Uint8Array, offset: number, length: number, msgFlags: number, userData: number): number;
  /** close(fd) through the ring. */
  ringPrepClose(ring: NativeRing, fd: number, userData: number): number;
  /** Cancel every request whose user_data is target. */
  ringPrepCancel(ring: NativeRing, target: number, userData: number): number;
  /** Cancel every request on fd. */
  ringPrepCancelFd(ring: NativeRing, fd: number, userData: number): number;
  /** -ETIME after ms, or 0 after `count` other completions (0: time only). */
  ringPrepTimeout(ring: NativeRing, ms: number, count: number, userData: number): number;
  /** Multishot poll: res = revents per readiness change (an eventfd: the cross-thread wake-up). */
  ringPrepPollMultishot(ring: NativeRing, fd: number, pollMask: number, userData: number): number;
  /** Register `count` (power of two) buffers of `size` bytes from arena as group bgid -> 0 | -errno */
  ringBufRingSetup(ring: NativeRing, bgid: number, arena: Uint8Array, count: number, size: number): number;
  /** Give buffer bid of group bgid back to the kernel -> 0 | -errno */
  ringBufReturn(ring: NativeRing, bgid: number, bid: number): number;
  /** Give back every buffer of group bgid named by the first `count` CQEs in out (ringEnter's array), one tail update -> buffers returned | -errno */
  ringBufReturnCompleted(ring: NativeRing, bgid: number, out: Int32Array, count: number): number;
  /** Submit queued SQEs without waiting or reaping -> submitted | -errno (no syscall when none is queued) */
  ringSubmit(ring: NativeRing): number;

  // --- constants (native/addon.cc) --------------------------------------------
  /** Kernel values of EPOLL*, EFD_*, TFD_*, CLOCK_*, POLL*, AF_*, SOCK_*, SOL_*, SO_*, IPPROTO_*, TCP_*, SHUT_*, E* (errno) */
  readonly constants: Readonly<Record<string, number>>;
}
