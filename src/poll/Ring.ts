// Ring: the raw completion demultiplexer, one io_uring instance -- Epoll's counterpart for the
// completion model. Epoll says "you may read now" and the caller then reads; a Ring is handed
// operations (accept, recv, send, close, ...) and later says "this one finished, here is its
// result" -- for a multishot recv with provided buffers, "here are the bytes, in buffer N".
//
// Ownership: a Ring owns its ring fd, its mappings and the buffer rings registered on it, and
// releases them exactly once (close() is idempotent; a Ring dropped unclosed is released by its
// handle's finalizer). It does NOT own the fds its operations name. A Uint8Array passed to send()
// is kept reachable by the Ring until that send's completion has been read (the kernel reads it
// asynchronously); the caller must not change those bytes meanwhile. Arenas given to
// provideBuffers() are kept until close(). Neither may be transferred (postMessage, structuredClone
// with transfer) nor shrunk (a resizable ArrayBuffer) while the kernel can still use it: the
// kernel holds raw pointers into that memory.
//
// Threading: single-threaded, like Epoll -- use a Ring from the thread that made it. Another
// thread wakes it by writing an EventFd the ring polls (pollMultishot(eventFd, POLLIN, ...)).
//
// The turn: operations queue SQEs in user memory (no syscall); submitAndWait() is the one
// io_uring_enter per turn -- submit everything queued, wait for completions, copy them into
// `completions` (a reused Int32Array: user_data low, user_data high, res, flags per slot), the
// way Epoll.wait fills `events`. watch() is the integrated driver: the ring fd polls readable when
// completions are ready, so Node's own loop can watch it and onReady drains with submitAndWait(0).
//
// Where io_uring is missing (old kernel, kernel.io_uring_disabled, a seccomp profile) the
// constructor throws UringUnavailableError (ERR_REACTOR_URING_UNAVAILABLE) naming the cause.
import { readFileSync } from 'node:fs';
import { AlreadyWatchedError, UringUnavailableError } from '../errors.js';
import { checkInteger, checkOptions, invalidArgType } from '../sys/args.js';
import { native } from '../sys/addon.js';
import type { NativeRing } from '../sys/binding.js';
import { FdWatch } from './FdWatch.js';
import { EBADF } from '../sys/constants.js';
import { SystemError, check, errnoName } from '../sys/SystemError.js';
import { toTimeoutMs } from './timeout.js';

// Read without k(): an addon built against pre-6.0 kernel headers defines none of them (and its
// ringSetup answers ENOSYS), which must not break importing the library.
const u = (name: string): number => native.constants[name] ?? 0;
/** io_uring setup flag: fewer forced task-work interruptions (5.19). */
export const IORING_SETUP_COOP_TASKRUN = u('IORING_SETUP_COOP_TASKRUN');
/** io_uring setup flag (5.19): the kernel flags pending completion work in the SQ ring (IORING_SQ_TASKRUN), so submitAndWait(0) enters exactly when there is some. */
export const IORING_SETUP_TASKRUN_FLAG = u('IORING_SETUP_TASKRUN_FLAG');
/** io_uring setup flag: only one task submits (6.0); lets the kernel skip some locking. */
export const IORING_SETUP_SINGLE_ISSUER = u('IORING_SETUP_SINGLE_ISSUER');
/** io_uring setup flag: run completion work only when the owner enters the kernel (6.1; needs SINGLE_ISSUER; not with watch()). */
export const IORING_SETUP_DEFER_TASKRUN = u('IORING_SETUP_DEFER_TASKRUN');
/** io_uring setup flag: clamp entries to the kernel's maximum instead of failing. */
export const IORING_SETUP_CLAMP = u('IORING_SETUP_CLAMP');
/** io_uring setup flag: keep submitting the batch after one SQE fails. */
export const IORING_SETUP_SUBMIT_ALL = u('IORING_SETUP_SUBMIT_ALL');
/** CQE flag: bits 16..31 of flags hold the provided buffer's id. */
export const IORING_CQE_F_BUFFER = u('IORING_CQE_F_BUFFER');
/** CQE flag: the multishot request stays armed; more CQEs will follow. */
export const IORING_CQE_F_MORE = u('IORING_CQE_F_MORE');
/** io_uring feature bit: SQ and CQ rings share one mapping. */
export const IORING_FEAT_SINGLE_MMAP = u('IORING_FEAT_SINGLE_MMAP');
/** io_uring feature bit: io_uring_enter takes a wait timeout (5.11); submitAndWait needs it. */
export const IORING_FEAT_EXT_ARG = u('IORING_FEAT_EXT_ARG');

/** Default SQ size (entries) of a Ring. */
export const DEFAULT_RING_ENTRIES = 256;

/** Options for `new Ring()`. */
export interface RingOptions {
  /** SQ entries, 1..32768 (rounded up to a power of two by the kernel). Default 256. */
  entries?: number;
  /** CQ entries, 0 (kernel default: 2 x SQ) or up to 65536. Default 8 x entries. */
  cqEntries?: number;
  /** IORING_SETUP_* flags (SINGLE_ISSUER, COOP_TASKRUN, DEFER_TASKRUN, CLAMP, SUBMIT_ALL). Default 0. */
  flags?: number;
  /** Capacity of `completions`: at most this many CQEs per submitAndWait(). Default the CQ size. */
  maxCompletions?: number;
}

/** One io_uring instance: queues operations, and reads their completions into a reused typed array. */
export class Ring {
  /** Reused completion array: [userData low, userData high, res, flags] per slot, valid until the next submitAndWait(). */
  readonly completions: Int32Array;
  /** Capacity of `completions`, in CQEs. */
  readonly maxCompletions: number;
  /** IORING_FEAT_* bits the kernel reported. */
  readonly features: number;
  /** SQ size the kernel chose. */
  readonly sqEntries: number;
  /** CQ size the kernel chose. */
  readonly cqEntries: number;
  #ring: NativeRing;
  #fd: number;
  #count = 0;
  readonly #info = new Uint32Array(5);
  readonly #watch = new FdWatch();
  /** Buffers of sends in flight, by userData, with how many completions are still due. */
  #pinned = new Map<number, { bufs: Uint8Array[]; due: number }>();

  constructor(options: RingOptions = {}) {
    checkOptions(options, 'options', { entries: 'number', cqEntries: 'number', flags: 'number', maxCompletions: 'number' });
    const entries = intOption(options.entries, DEFAULT_RING_ENTRIES, 1, 32768, 'entries');
    const cqEntries = intOption(options.cqEntries, Math.min(65536, entries * 8), 0, 65536, 'cqEntries');
    const flags = intOption(options.flags, 0, -2147483648, 4294967295, 'flags');
    const handle = native.ringSetup(entries, flags, cqEntries);
    if (typeof handle === 'number') throw setupError(-handle);
    const info = this.#info;
    native.ringInfo(handle, info);
    this.#ring = handle;
    this.#fd = info[0]!;
    this.features = info[1]!;
    this.sqEntries = info[2]!;
    this.cqEntries = info[3]!;
    if ((this.features & IORING_FEAT_EXT_ARG) === 0) {
      native.ringClose(handle);
      throw new UringUnavailableError('ENOSYS', 'the kernel is older than 5.11 (no IORING_FEAT_EXT_ARG: io_uring_enter cannot wait with a timeout)');
    }
    this.maxCompletions = intOption(options.maxCompletions, this.cqEntries, 1, 1 << 20, 'maxCompletions');
    this.completions = new Int32Array(this.maxCompletions * 4);
  }

  /** The ring fd (close-on-exec; polls readable while completions are ready). Throws EBADF once closed. */
  get fd(): number {
    return this.#live('fileno');
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** io_uring_enter calls this ring made so far (submit-and-wait and full-SQ submits; wraps at 2^32): syscalls per message, counted without tracing. */
  get enters(): number {
    native.ringInfo(this.#ring, this.#info);
    return this.#info[4]!;
  }

  /** Number of completions the last submitAndWait() returned. */
  get count(): number {
    return this.#count;
  }

  /** Queue a no-op (completes with res 0). The prep methods return 1 when a full SQ had to be submitted first (an extra syscall), else 0. */
  nop(userData: number): number {
    return this.#prep(native.ringPrepNop(this.#ring, userData));
  }

  /** Queue a multishot accept on a listening socket: one completion per connection, res = its fd (non-blocking, close-on-exec). */
  acceptMultishot(listenFd: number, userData: number): number {
    return this.#prep(native.ringPrepAcceptMultishot(this.#ring, listenFd, userData));
  }

  /**
   * Queue a multishot recv on `fd` into the provided buffers of group `bgid`: one completion per
   * chunk (res = bytes, bufferIdAt(i) = the buffer), res 0 at EOF, -ENOBUFS when the group ran
   * dry (the recv has ended then: return buffers and queue it again).
   */
  recvMultishot(fd: number, bgid: number, userData: number): number {
    return this.#prep(native.ringPrepRecvMultishot(this.#ring, fd, bgid, userData));
  }

  /** Queue send(fd, buf[offset, offset + length)) (MSG_NOSIGNAL added). buf is kept reachable until the completion; do not change those bytes before it. */
  send(fd: number, buf: Uint8Array, offset: number, length: number, userData: number, msgFlags = 0): number {
    const r = this.#prep(native.ringPrepSend(this.#ring, fd, buf, offset, length, msgFlags, userData));
    const pin = this.#pinned.get(userData);
    if (pin === undefined) this.#pinned.set(userData, { bufs: [buf], due: 1 });
    else {
      pin.bufs.push(buf);
      pin.due++;
    }
    return r;
  }

  /** Queue close(fd) (res 0 or -errno). */
  closeFd(fd: number, userData: number): number {
    return this.#prep(native.ringPrepClose(this.#ring, fd, userData));
  }

  /** Queue a cancel of every request whose userData is `target` (res = how many were found, 0 for none). */
  cancel(target: number, userData: number): number {
    return this.#prep(native.ringPrepCancel(this.#ring, target, userData));
  }

  /** Queue a cancel of every request on `fd`. */
  cancelFd(fd: number, userData: number): number {
    return this.#prep(native.ringPrepCancelFd(this.#ring, fd, userData));
  }

  /** Queue a timeout: completes with -ETIME after `ms`, or with 0 once `count` other completions were posted (0: time only). */
  timeout(ms: number, userData: number, count = 0): number {
    return this.#prep(native.ringPrepTimeout(this.#ring, ms, count, userData));
  }

  /** Queue a multishot poll: one completion (res = revents) per readiness of fd. On an EventFd: the wake-up from another thread. */
  pollMultishot(fd: number, pollMask: number, userData: number): number {
    return this.#prep(native.ringPrepPollMultishot(this.#ring, fd, pollMask, userData));
  }

  /** Register `count` (a power of two) buffers of `size` bytes, carved from `arena`, as provided-buffer group `bgid` (0..63). */
  provideBuffers(bgid: number, arena: Uint8Array, count: number, size: number): void {
    check(native.ringBufRingSetup(this.#ring, bgid, arena, count, size), 'io_uring_register', `(PBUF_RING group ${String(bgid)})`);
  }

  /** Give buffer `bid` of group `bgid` back to the kernel, once its bytes were copied out. */
  returnBuffer(bgid: number, bid: number): void {
    const r = native.ringBufReturn(this.#ring, bgid, bid);
    if (r < 0) throw new SystemError(-r, 'io_uring_buf_ring', `(group ${String(bgid)} buffer ${String(bid)})`);
  }

  /**
   * Hand the queued operations to the kernel now, without waiting or taking completions (one
   * io_uring_enter; none when nothing is queued). Returns how many were submitted.
   */
  submit(): number {
    const n = native.ringSubmit(this.#ring);
    if (n < 0) throw new SystemError(-n, 'io_uring_enter', n === -EBADF ? '(ring is closed)' : '');
    return n;
  }

  /**
   * Give back, in one call, every buffer of group `bgid` that completions [from, from + count)
   * of the last submitAndWait() hold (those flagged IORING_CQE_F_BUFFER): for a caller that has
   * copied all of their bytes out. Returns how many buffers went back.
   */
  returnCompletedBuffers(bgid: number, count = this.#count, from = 0): number {
    if (!(Number.isInteger(from) && from >= 0 && Number.isInteger(count) && count >= 0 && from + count <= this.#count)) {
      throw new RangeError(`completions [${String(from)}, ${String(from)} + ${String(count)}) are not within the ${this.#count} of the last submitAndWait()`);
    }
    const r = native.ringBufReturnCompleted(this.#ring, bgid, from === 0 ? this.completions : this.completions.subarray(4 * from), count);
    if (r < 0) throw new SystemError(-r, 'io_uring_buf_ring', `(group ${String(bgid)})`);
    return r;
  }

  /**
   * The one io_uring_enter of a turn: submit everything queued, wait until at least `waitNr`
   * completions are ready or `timeoutMs` passed (-1 or Infinity: no limit; fractions round up),
   * and copy up to maxCompletions of them into `completions`. Returns how many. With waitNr 0 and
   * nothing queued it makes no syscall unless the kernel has deferred work.
   */
  submitAndWait(waitNr = 1, timeoutMs = -1): number {
    const n = native.ringEnter(this.#ring, waitNr, toTimeoutMs(timeoutMs), this.completions, this.maxCompletions);
    if (n < 0) {
      this.#count = 0;
      throw new SystemError(-n, 'io_uring_enter');
    }
    this.#count = n;
    if (this.#pinned.size > 0) this.#unpin(n);
    return n;
  }

  /** userData of completion i of the last submitAndWait(). */
  userDataAt(i: number): number {
    const s = this.#slot(i);
    return (this.completions[s + 1]! >>> 0) * 0x100000000 + (this.completions[s]! >>> 0);
  }

  /** Result of completion i: >= 0 on success (bytes, an fd, ...), -errno on failure. */
  resAt(i: number): number {
    return this.completions[this.#slot(i) + 2]!;
  }

  /** IORING_CQE_F_* flags of completion i (uint32). */
  flagsAt(i: number): number {
    return this.completions[this.#slot(i) + 3]! >>> 0;
  }

  /** Whether completion i's multishot request stays armed (IORING_CQE_F_MORE). */
  moreAt(i: number): boolean {
    return (this.flagsAt(i) & IORING_CQE_F_MORE) !== 0;
  }

  /** The provided buffer that holds completion i's bytes, or -1 when none was used. */
  bufferIdAt(i: number): number {
    const flags = this.flagsAt(i);
    return (flags & IORING_CQE_F_BUFFER) !== 0 ? flags >>> 16 : -1;
  }

  /**
   * Integrated driver: call `onReady(this)` from Node's event loop whenever the ring has
   * completions (the ring fd is level-triggered readable while the CQ is not empty). Drain with
   * submitAndWait(0). Not with IORING_SETUP_DEFER_TASKRUN (completions then wait for an enter).
   */
  watch(onReady: (ring: Ring) => void): this {
    if (typeof onReady !== 'function') throw invalidArgType('onReady', 'of type function', onReady);
    const fd = this.#live('watch');
    if (this.#watch.active) throw new AlreadyWatchedError();
    this.#watch.start(fd, () => onReady(this));
    return this;
  }

  /** Stop the integrated driver. Safe when not watching, and from inside onReady. */
  unwatch(): void {
    this.#watch.stop();
  }

  /** Whether the integrated driver is on. */
  get watching(): boolean {
    return this.#watch.active;
  }

  /** The watch keeps the Node process alive (the default, like timer.ref()). Remembered: called before watch(), it applies when the watch starts. */
  ref(): this {
    this.#watch.ref();
    return this;
  }

  /** Let the process exit while the watch runs. Remembered: called before watch(), the watch starts unref'd. */
  unref(): this {
    this.#watch.unref();
    return this;
  }

  /** Close the ring: its pending requests are cancelled by the kernel, buffer rings unregistered, the fd closed. A second call is a no-op. */
  close(): void {
    if (this.#fd < 0) return;
    this.unwatch();
    this.#fd = -1;
    this.#count = 0;
    native.ringClose(this.#ring);
    this.#pinned.clear();
  }

  #prep(r: number): number {
    if (r < 0) throw new SystemError(-r, 'io_uring_enter', r === -EBADF ? '(ring is closed)' : '(submitting a full SQ)');
    return r;
  }

  #unpin(n: number): void {
    const c = this.completions;
    for (let i = 0; i < n; i++) {
      const ud = (c[4 * i + 1]! >>> 0) * 0x100000000 + (c[4 * i]! >>> 0);
      const pin = this.#pinned.get(ud);
      if (pin !== undefined && --pin.due === 0) this.#pinned.delete(ud);
    }
  }

  #live(syscall: string): number {
    if (this.#fd < 0) throw new SystemError(EBADF, syscall, '(ring is closed)');
    return this.#fd;
  }

  #slot(i: number): number {
    if (!(i >= 0 && i < this.#count)) {
      throw new RangeError(`completion index ${String(i)} out of range 0..${this.#count - 1}`);
    }
    return 4 * i;
  }
}

function intOption(value: number | undefined, fallback: number, lo: number, hi: number, name: string): number {
  return value === undefined ? fallback : checkInteger(value, `options.${name}`, lo, hi);
}

/** io_uring_setup's errno as the error a user can act on. */
function setupError(errno: number): Error {
  const name = errnoName(errno);
  if (name === 'ENOSYS') {
    return new UringUnavailableError(name, 'the kernel has no io_uring (older than 5.1, or built without CONFIG_IO_URING), a seccomp profile answers ENOSYS for it, or this addon was built against kernel headers older than 6.0');
  }
  if (name === 'EPERM' || name === 'EACCES') return new UringUnavailableError(name, permissionCause());
  if (name === 'ENOMEM') {
    return new UringUnavailableError(name, 'the ring could not be allocated: on kernels before 5.12 rings count against RLIMIT_MEMLOCK (raise `ulimit -l`)');
  }
  return new SystemError(errno, 'io_uring_setup');
}

function permissionCause(): string {
  let disabled = '';
  try {
    disabled = readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim();
  } catch {
    // absent before Linux 6.6: then only seccomp or an LSM can refuse
  }
  if (disabled === '2') return 'kernel.io_uring_disabled=2 disables io_uring for every process (sysctl kernel.io_uring_disabled=0 enables it)';
  if (disabled === '1') return 'kernel.io_uring_disabled=1 and this process is neither in kernel.io_uring_group nor CAP_SYS_ADMIN';
  return 'io_uring_setup was refused although the kernel allows io_uring: a seccomp profile (Docker\'s default blocks io_uring) or a security module denies it';
}
