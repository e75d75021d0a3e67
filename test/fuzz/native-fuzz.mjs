// Seeded fuzzer for the native addon: calls every exported function with
// adversarial arguments (wrong types, NaN, +-Infinity, -0, 2^31, 2^53, detached,
// resizable and shared buffers, out-of-bounds views, offsets and lengths past
// the end, closed and foreign fds, huge counts, hostile arrays whose getters
// detach or shrink buffers mid-call) and stops after a call or time budget.
// A crash is the process dying; a hang is the parent's timeout.
//
// Run by test/fuzz/native.fuzz.test.ts in a child process (so a crash fails one
// test), as: node --expose-gc native-fuzz.mjs DIST_URL SEED MAX_CALLS BUDGET_MS
// with the current directory set to a scratch directory (Unix sockets are bound
// there). Prints one JSON line: { seed, calls, byFunction, unexpected }.
//
// Safety rails, so that the fuzzer tests the addon and not Node: every fd it
// passes is one it opened (non-blocking), one it closed, or a number that cannot
// be open -- never Node's own fds (closing libuv's epoll fd would abort Node for
// reasons that are not the addon's); waits get timeouts of at most a few ms,
// never -1; addresses are loopback, abstract or relative to the scratch dir.
const [distUrl, seedArg, maxCallsArg, budgetArg] = process.argv.slice(2);
const { native } = await import(`${distUrl}/sys/addon.js`);
const { openSync, closeSync } = await import('node:fs');
const K = native.constants;

const seed = Number(seedArg) >>> 0;
const maxCalls = Number(maxCallsArg);
const budgetMs = Number(budgetArg);

// --- seeded randomness (mulberry32) ------------------------------------------
let state = seed || 1;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (arr) => arr[int(arr.length)];
const chance = (p) => rand() < p;

// --- value pools -------------------------------------------------------------
const NUMBERS = [
  0, -0, 1, -1, 2, 3, 7, 8, 16, 64, 255, 256, 1024, 4096, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31),
  -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1.5, 0.5, -0.5, NaN, Infinity, -Infinity,
  Number.MAX_VALUE, Number.MIN_VALUE, 1e-300,
];
// Numbers for fd positions: never a small fd that Node itself may own.
const FD_NUMBERS = [-1, -0, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1.5, 1e9, 1048575];
// Timeouts: never -1 (forever) nor a long valid wait.
const TIMEOUTS = [0, -0, 0.3, 1, NaN, Infinity, -Infinity, -2, -0.5, 2 ** 31, 2 ** 53, '0', undefined, null, 1n];

class HostileError extends Error {
  code = 'FUZZ_HOSTILE';
}
const hostileValueOf = { valueOf() { throw new HostileError('valueOf'); }, toString() { throw new HostileError('toString'); } };
const WRONG_TYPES = [
  undefined, null, true, false, '', '5', 'abc', 5n, -1n, Symbol('s'), {}, [], [1, 2], () => 1, new Date(0),
  hostileValueOf, { valueOf: () => 3 }, Object.create(null), new Proxy({}, { get() { throw new HostileError('proxy'); } }),
  new Float32Array(4), new Uint8ClampedArray(4), new Int8Array(4), new Uint16Array(4), new BigInt64Array(2),
  new DataView(new ArrayBuffer(8)), new ArrayBuffer(8), new SharedArrayBuffer(8), Buffer.alloc(4),
];

const detach = (ab) => {
  structuredClone(ab, { transfer: [ab] });
};

/** A typed array of class C, drawn from every kind of backing store. */
function typed(C, sizeHint = 16) {
  const n = pick([0, 1, 2, 3, sizeHint, sizeHint + 1, 64, 4096 / C.BYTES_PER_ELEMENT]);
  const bytes = n * C.BYTES_PER_ELEMENT;
  switch (int(9)) {
    case 0: {
      const ab = new ArrayBuffer(Math.max(bytes, C.BYTES_PER_ELEMENT));
      const v = new C(ab);
      detach(ab);
      return v; // detached: length 0
    }
    case 1: {
      const ab = new ArrayBuffer(bytes, { maxByteLength: bytes * 4 + 64 });
      return new C(ab); // length-tracking view of a resizable buffer
    }
    case 2: {
      const ab = new ArrayBuffer(bytes + 8 * C.BYTES_PER_ELEMENT, { maxByteLength: bytes * 4 + 64 });
      const v = new C(ab, 0, n + 8);
      ab.resize(int(bytes + 1)); // shrunk below the fixed-length view: out of bounds
      return v;
    }
    case 3:
      return new C(new SharedArrayBuffer(bytes));
    case 4:
      return new C(new SharedArrayBuffer(bytes, { maxByteLength: bytes * 2 + 64 }));
    case 5: {
      const big = new C(n + 4);
      return big.subarray(int(4), int(4) + n); // a view with a byteOffset
    }
    default:
      return new C(n);
  }
}

// --- fds ---------------------------------------------------------------------
const owned = new Set(); // fds we opened and have not closed
const closedFds = []; // numbers we closed (may be reused later by our own opens)
const nb = K.SOCK_NONBLOCK | K.SOCK_CLOEXEC;
const pool = {};

function own(fd) {
  if (fd >= 0) owned.add(fd);
  return fd;
}
function sockaddrIn(port) {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint16(0, K.AF_INET, true);
  new DataView(b.buffer).setUint16(2, port, false);
  b.set([127, 0, 0, 1], 4);
  return b;
}
function refill() {
  const alive = (fd) => fd !== undefined && owned.has(fd);
  if (pool.ring === undefined) {
    const r = native.ringSetup(16, 0, 0); // a number (-errno) where io_uring is unavailable: no pool ring
    if (typeof r === 'object') pool.ring = r;
  }
  if (pool.closedRing === undefined) {
    const r = native.ringSetup(4, 0, 0);
    if (typeof r === 'object') {
      native.ringClose(r);
      pool.closedRing = r;
    }
  }
  if (!alive(pool.ep)) pool.ep = own(native.epollCreate());
  if (!alive(pool.ep2)) pool.ep2 = own(native.epollCreate());
  if (!alive(pool.efd)) pool.efd = own(native.eventfdCreate(1, K.EFD_NONBLOCK | K.EFD_CLOEXEC));
  if (!alive(pool.tfd)) pool.tfd = own(native.timerfdCreate(K.CLOCK_MONOTONIC, K.TFD_NONBLOCK | K.TFD_CLOEXEC));
  if (!alive(pool.devnull)) pool.devnull = own(openSync('/dev/null', 'r+'));
  if (!alive(pool.listener)) {
    const fd = own(native.socket(K.AF_INET, K.SOCK_STREAM | nb, 0));
    native.bind(fd, sockaddrIn(0));
    native.listen(fd, 16);
    pool.listener = fd;
  }
  if (!alive(pool.client) || !alive(pool.server)) {
    const name = new Uint8Array(128);
    const len = native.getsockname(pool.listener, name);
    const c = own(native.socket(K.AF_INET, K.SOCK_STREAM | nb, 0));
    if (len > 0) native.connect(c, name.subarray(0, len));
    pool.client = c;
    let s = native.accept4(pool.listener, nb);
    for (let i = 0; s === -K.EAGAIN && i < 1000; i++) s = native.accept4(pool.listener, nb);
    pool.server = s >= 0 ? own(s) : c;
  }
  if (!alive(pool.unix)) {
    const fd = own(native.socket(K.AF_UNIX, K.SOCK_STREAM | nb, 0));
    pool.unix = fd;
  }
}
function anyFd() {
  if (chance(0.8)) {
    const fds = [...owned];
    if (fds.length) return pick(fds);
  }
  if (chance(0.5) && closedFds.length) return pick(closedFds);
  return pick(FD_NUMBERS);
}
// close() only ever gets one of our open fds or a number that cannot be open: a
// number we closed may since have been reused by a watch's private dup, and
// closing an fd libuv polls makes libuv abort (by design, not the addon's bug).
// (-0 is fd 0 to the addon, and fd 0 may be a watch's dup too once stdin is closed.)
const NEVER_OPEN = FD_NUMBERS.filter((n) => !Object.is(n, -0));
function closableFd() {
  const fds = [...owned];
  return chance(0.7) && fds.length ? pick(fds) : pick(NEVER_OPEN);
}
function closeOwned(fd) {
  if (owned.delete(fd)) {
    closeSync(fd);
    closedFds.push(fd);
  }
}

// --- argument kinds ----------------------------------------------------------
const watches = [];
const foreignHandles = [{}, Object.freeze({ onReady: () => {} }), Object.create(null)];
let nested = 0;

function sockaddr() {
  const family = pick([K.AF_INET, K.AF_INET6, K.AF_UNIX, K.AF_UNSPEC, 12345]);
  const len = pick([0, 1, 2, 3, 16, 28, 110, 128, 129, 200]);
  if (chance(0.3)) return typed(Uint8Array, len); // zero-filled (family AF_UNSPEC) on every kind of buffer
  const b = new Uint8Array(len);
  for (let i = 0; i < b.length; i++) b[i] = int(256);
  if (b.length >= 2) new DataView(b.buffer, b.byteOffset, b.length).setUint16(0, family, true);
  // rails: IP addresses are loopback; Unix paths are abstract or relative
  if (family === K.AF_INET && b.length >= 8) b.set([127, 0, 0, 1], 4);
  if (family === K.AF_INET6 && b.length >= 24) b.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
  if (family === K.AF_UNIX && b.length >= 3) {
    if (chance(0.5)) b[2] = 0;
    else for (let i = 2; i < Math.min(b.length, 12); i++) b[i] = 97 + int(26); // 'a'..'z': a relative name
  }
  if (b.length >= 2 && b[0] === K.AF_UNIX && b[1] === 0 && b.length >= 3 && b[2] === 47) b[2] = 0; // never '/'
  if (b.length >= 2 && !(family === K.AF_INET || family === K.AF_INET6 || family === K.AF_UNIX)) {
    // another family: still no route to anything but loopback (unknown families fail in the kernel)
  }
  return b;
}

/** A readv/writev argument: plain, holey, too long, or hostile (getters that detach/shrink buffers). */
function iovecArray() {
  const n = pick([0, 1, 2, 3, 16, 1024, 1025]);
  const arr = [];
  for (let i = 0; i < Math.min(n, 64); i++) arr.push(chance(0.8) ? typed(Uint8Array) : pick(WRONG_TYPES));
  if (n > 64) arr.length = n; // holes
  switch (int(6)) {
    case 0: {
      // a getter that detaches the buffer behind element 0 once read
      const victim = new ArrayBuffer(64);
      arr[0] = new Uint8Array(victim);
      Object.defineProperty(arr, 1, { get() { detach(victim); return new Uint8Array(8); }, enumerable: true, configurable: true });
      if (arr.length < 2) arr.length = 2;
      return arr;
    }
    case 1: {
      const victim = new ArrayBuffer(4096, { maxByteLength: 8192 });
      arr[0] = new Uint8Array(victim, 0, 4096);
      Object.defineProperty(arr, 1, { get() { victim.resize(0); return new Uint8Array(8); }, enumerable: true, configurable: true });
      if (arr.length < 2) arr.length = 2;
      return arr;
    }
    case 2:
      return new Proxy(arr, { get(t, k) { if (k === '0') throw new HostileError('proxy get'); return Reflect.get(t, k); } });
    case 3:
      Object.defineProperty(arr, 0, { get() { throw new HostileError('getter'); }, configurable: true });
      return arr;
    default:
      return arr;
  }
}

function writeTable() {
  const n = pick([0, 1, 2, 3, 8, 64]);
  const t = chance(0.2) ? new Int32Array(new SharedArrayBuffer(n * 12)) : new Int32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const fd = anyFd();
    t[3 * i] = Number.isInteger(fd) && fd >= 0 && fd < 2 ** 31 ? fd : -1;
    t[3 * i + 1] = pick([0, 1, 8, 4095, 4096, 4097, -1, 2 ** 31 - 1, -(2 ** 31)]);
    t[3 * i + 2] = pick([0, 1, 8, 4095, 4096, 4097, -1, 2 ** 31 - 1, 60000]);
  }
  return t;
}

function callback() {
  return () => {
    // re-entrancy: a watch callback that calls back into the addon
    if (nested > 0) return;
    nested++;
    try {
      fuzzOne(pick(['watchStop', 'epollWait', 'eventfdRead', 'watchRef', 'read', 'close']));
    } finally {
      nested--;
    }
  };
}

const PLAUSIBLE = {
  fd: anyFd,
  epfd: () => (chance(0.8) ? pick([pool.ep, pool.ep2]) : anyFd()),
  int: () => (chance(0.5) ? pick([0, 1, 2, 3, 6, 10, 41]) : pick(NUMBERS)),
  op: () => pick([K.EPOLL_CTL_ADD, K.EPOLL_CTL_MOD, K.EPOLL_CTL_DEL, 0, 4, -1]),
  mask: () => pick([0, K.EPOLLIN, K.EPOLLOUT, K.EPOLLIN | K.EPOLLET, K.EPOLLIN | K.EPOLLOUT | K.EPOLLRDHUP, K.EPOLLET, -1, 0x7fffffff, 2 ** 32 - 1, 1 << 20, K.SOCK_NONBLOCK | K.SOCK_CLOEXEC, K.SOCK_STREAM | K.SOCK_NONBLOCK]),
  u32: () => pick([0, 1, 42, 0x80000000, 2 ** 32 - 1, 0x80000001]),
  size: () => pick([0, 1, 2, 3, 8, 15, 16, 17, 64, 4095, 4096, 4097, 65536, 2 ** 31, 2 ** 53 - 1]),
  count: () => pick([0, 1, 2, 3, 4, 5, 8, 16, 21, 64, 1024, 2 ** 31, 2 ** 53 - 1]),
  timeout: () => pick(TIMEOUTS),
  ms: () => pick([0, 0.000001, 0.5, 1, 3, 1000, 2 ** 53 - 1, 2 ** 53, -0, -1, NaN, Infinity]),
  u8: () => typed(Uint8Array),
  u32arr: () => typed(Uint32Array, 3 * pick([1, 2, 8])),
  i32arr: () => typed(Int32Array),
  f64arr: () => typed(Float64Array, 2),
  pollfds: () => {
    const t = typed(Int32Array, 8);
    for (let i = 0; i + 1 < t.length; i += 2) {
      t[i] = chance(0.7) ? anyFd() | 0 : int(2 ** 31);
      t[i + 1] = int(2 ** 16) * (chance(0.5) ? 1 : 65537);
    }
    return t;
  },
  addr: sockaddr,
  iov: iovecArray,
  table: writeTable,
  fn: callback,
  handle: () => (chance(0.7) && watches.length ? pick(watches) : pick(foreignHandles)),
  bool: () => chance(0.5),
  // io_uring (native/ring.cc): the pool's live ring, a closed one, or a foreign object
  ring: () => (chance(0.85) && pool.ring ? pool.ring : pick([pool.closedRing, ...foreignHandles].filter((h) => h !== undefined))),
  // an fd position that must never name an open fd (ringPrepClose closes asynchronously)
  badfd: () => pick(FD_NUMBERS),
  ud: () => pick([0, 1, 42, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -1, 1.5, NaN]),
  bgid: () => pick([0, 1, 7, 63, 64, -1]),
};

// Argument kinds per function, from src/sys/binding.ts. A function missing here
// is still fuzzed, with random arguments of every kind.
const SPECS = {
  epollCreate: [],
  epollCtl: ['epfd', 'op', 'fd', 'mask', 'u32'],
  epollWait: ['epfd', 'u32arr', 'count', 'timeout'],
  watchStart: ['fd', 'fn'],
  watchStop: ['handle'],
  watchRef: ['handle', 'bool'],
  eventfdCreate: ['u32', 'mask'],
  eventfdRead: ['fd'],
  eventfdWrite: ['fd', 'size'],
  timerfdCreate: ['int', 'mask'],
  timerfdSettime: ['fd', 'mask', 'ms', 'ms'],
  timerfdGettime: ['fd', 'f64arr'],
  timerfdRead: ['fd'],
  poll: ['pollfds', 'count', 'timeout'],
  socket: ['int', 'mask', 'int'],
  bind: ['fd', 'addr'],
  connect: ['fd', 'addr'],
  listen: ['fd', 'int'],
  accept4: ['fd', 'mask'],
  getsockname: ['fd', 'u8'],
  getpeername: ['fd', 'u8'],
  setsockopt: ['fd', 'int', 'int', 'int'],
  getsockopt: ['fd', 'int', 'int', 'i32arr'],
  shutdown: ['fd', 'int'],
  close: ['fd'],
  read: ['fd', 'u8', 'size', 'size'],
  write: ['fd', 'u8', 'size', 'size'],
  readv: ['fd', 'iov'],
  writev: ['fd', 'iov'],
  readv2: ['fd', 'u8', 'size', 'size', 'u8', 'size', 'size'],
  epollWaitRead: ['epfd', 'u32arr', 'count', 'timeout', 'i32arr', 'u8', 'size'],
  writeMany: ['table', 'count', 'u8'],
  pageOffset: ['u8'],
  getFdLimit: ['f64arr'],
  setFdLimit: ['size'],
  ringSetup: ['count', 'mask', 'count'],
  ringInfo: ['ring', 'u32arr'],
  ringClose: ['ring'],
  ringEnter: ['ring', 'count', 'timeout', 'i32arr', 'count'],
  ringPrepNop: ['ring', 'ud'],
  ringPrepAcceptMultishot: ['ring', 'fd', 'ud'],
  ringPrepRecvMultishot: ['ring', 'fd', 'bgid', 'ud'],
  ringPrepSend: ['ring', 'fd', 'u8', 'size', 'size', 'mask', 'ud'],
  ringPrepClose: ['ring', 'badfd', 'ud'],
  ringPrepCancel: ['ring', 'ud', 'ud'],
  ringPrepCancelFd: ['ring', 'fd', 'ud'],
  ringPrepTimeout: ['ring', 'ms', 'count', 'ud'],
  ringPrepPollMultishot: ['ring', 'fd', 'mask', 'ud'],
  ringBufRingSetup: ['ring', 'bgid', 'u8', 'count', 'size'],
  ringBufReturn: ['ring', 'bgid', 'count'],
  ringBufReturnCompleted: ['ring', 'bgid', 'i32arr', 'count'],
  ringSubmit: ['ring'],
};
// Calls that hand back a new fd, which we take over (and close now and then).
const RETURNS_FD = new Set(['epollCreate', 'eventfdCreate', 'timerfdCreate', 'socket', 'accept4']);
const KINDS = Object.keys(PLAUSIBLE);

function argFor(kind) {
  if (chance(0.75)) return PLAUSIBLE[kind]();
  if (kind === 'fd' || kind === 'epfd' || kind === 'badfd') return chance(0.5) ? pick(FD_NUMBERS) : pick(WRONG_TYPES);
  if (kind === 'timeout') return pick(TIMEOUTS);
  if (kind === 'op') return pick([...FD_NUMBERS, ...WRONG_TYPES]); // a random op with a real fd could DEL Node's own
  return chance(0.5) ? pick(NUMBERS) : pick(WRONG_TYPES);
}

function argsFor(name) {
  const spec = SPECS[name] ?? Array.from({ length: int(8) }, () => pick(KINDS.filter((k) => k !== 'fd' && k !== 'epfd')));
  const args = name === 'close' ? [chance(0.8) ? closableFd() : pick(WRONG_TYPES)] : spec.map(argFor);
  // too few or too many arguments -- never both: a number pushed into a dropped
  // slot could be a timeout of -1 (a hang) or a small fd that is Node's own
  const r = rand();
  if (r < 0.1 && args.length > 1) args.pop();
  else if (r < 0.2) args.push(pick(NUMBERS));
  return args;
}

const byFunction = {};
const fdLimitAtStart = (() => {
  const out = new Float64Array(2);
  native.getFdLimit(out);
  return out[0];
})();
const unexpected = [];

function fuzzOne(name) {
  const fn = native[name];
  const args = argsFor(name);
  byFunction[name] = (byFunction[name] ?? 0) + 1;
  let result;
  try {
    result = fn(...args);
  } catch (err) {
    // Argument errors are TypeError/RangeError with a code; libuv failures are Errors with a code;
    // our own hostile getters throw HostileError. Anything else is a finding.
    if (!(err instanceof Error) || typeof err.code !== 'string') {
      unexpected.push(`${name} threw ${String(err)} (${err?.constructor?.name})`);
    }
    return;
  }
  if (name === 'setFdLimit') {
    // a lowered soft limit would starve the fuzzer's own fds: restore it (the hard limit is never touched)
    native.setFdLimit(fdLimitAtStart);
    return;
  }
  if (name === 'ringSetup' && typeof result === 'object' && result !== null) {
    native.ringClose(result); // a ring maps memory: never keep more than the pool's
    return;
  }
  if (name === 'ringClose' && args[0] === pool.ring) pool.ring = undefined; // refill makes another
  if (name === 'watchStart') {
    watches.push(result);
    if (chance(0.3)) watches.splice(int(watches.length), 1); // dropped without watchStop: the finalizer's job
    return;
  }
  if (RETURNS_FD.has(name) && typeof result === 'number' && result >= 0) {
    // closed at once: it may be blocking (random flags), and a blocking read would hang the fuzzer
    closeSync(result);
  } else if (name === 'close' && typeof args[0] === 'number' && owned.has(Object.is(args[0], -0) ? 0 : args[0]) && result === 0) {
    owned.delete(args[0]);
    closedFds.push(args[0]);
  } else if (typeof result !== 'number' && result !== undefined) {
    unexpected.push(`${name} returned ${typeof result}`);
  }
}

const names = Object.keys(native).filter((k) => typeof native[k] === 'function');
const start = Date.now();
let calls = 0;
refill();
while (calls < maxCalls && Date.now() - start < budgetMs) {
  fuzzOne(pick(names));
  calls++;
  if (calls % 64 === 0) {
    refill();
    if (owned.size > 200) for (const fd of [...owned].slice(0, 100)) closeOwned(fd);
  }
  if (calls % 512 === 0) await new Promise((r) => setImmediate(r)); // let watch callbacks run
}
// every function at least once, whatever the budget allowed
for (const name of names) if (!byFunction[name]) fuzzOne(name);

// teardown: stop what we kept, collect what we dropped, close our fds; the process must then exit
for (const w of watches) {
  try {
    native.watchStop(w);
  } catch (err) {
    unexpected.push(`watchStop on a kept handle threw ${err}`);
  }
}
watches.length = 0;
if (pool.ring !== undefined) native.ringClose(pool.ring);
globalThis.gc?.();
await new Promise((r) => setImmediate(r));
globalThis.gc?.();
for (const fd of owned) closeSync(fd);
console.log(JSON.stringify({ seed, calls, elapsedMs: Date.now() - start, byFunction, unexpected, unknown: names.filter((n) => !SPECS[n]) }));
