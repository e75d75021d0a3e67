// The raw-uring row of the echo benchmark: an echo server written directly on the raw `Ring`
// API (io_uring), no reactor -- what Node can do with the completion model, beside the reactor's
// readiness rows and the C references. The same logic as benchmarks/c/echo_uring.c: one multishot
// accept, one multishot recv per connection into a shared ring of provided buffers (an idle
// connection holds none), each received buffer sent back as is (no copy), one send in flight per
// connection (io_uring does not order two sends on one socket) with a FIFO of buffer ids behind
// it, back-pressure by cancelling the recv above 1 MiB queued, -ENOBUFS re-armed once buffers
// return, close(2) only when no request names the fd.
//
// Driver: integrated (the ring fd watched by Node's loop); each wake-up drains with
// submitAndWait(0) until a pass finds nothing, so the sends a pass queued are submitted by the
// next one. Same interface as examples/echo-server: `--host H --port P`, prints
// "listening on HOST:PORT"; on SIGTERM/SIGINT prints {"stats":{"syscalls":N,...}} on stderr
// (io_uring_enter calls + setsockopt per accept + one epoll_wait of libuv per wake-up) and exits 0.
import { parseArgs } from 'node:util';
import { IORING_CQE_F_MORE, Ring } from '../src/poll/Ring.js';
import { listen, localAddress, setNoDelay } from '../src/net/socket.js';
import { native } from '../src/sys/addon.js';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

const BUF_COUNT = 4096;
const BUF_SIZE = 16 * 1024;
const BGID = 0;
const PAUSE_AT = 1024 * 1024;
const OP_ACCEPT = 1;
const OP_RECV = 2;
const OP_SEND = 3;
const OP_CANCEL = 4;
const ECANCELED = native.constants['ECANCELED']!;
const ENOBUFS = native.constants['ENOBUFS']!;
const ud = (op: number, fd: number): number => op * 0x100000000 + fd;

// Per connection, indexed by fd (typed arrays: nothing allocated per connection or message).
const MAX_FD = 1 << 16;
const open = new Uint8Array(MAX_FD);
const recvArmed = new Uint8Array(MAX_FD);
const paused = new Uint8Array(MAX_FD);
const sending = new Uint8Array(MAX_FD);
const head = new Int32Array(MAX_FD).fill(-1);
const tail = new Int32Array(MAX_FD).fill(-1);
const sent = new Uint32Array(MAX_FD);
const queued = new Float64Array(MAX_FD);
const bufLen = new Uint32Array(BUF_COUNT);
const nextBid = new Int32Array(BUF_COUNT);
const starved: number[] = [];
let returned = 0;
const stats = { enters: 0, accepts: 0, wakeups: 0, closes: 0, msgs: 0 };

const ring = new Ring({ entries: 4096, cqEntries: 16384 });
const arena = new Uint8Array(BUF_COUNT * BUF_SIZE);
ring.provideBuffers(BGID, arena, BUF_COUNT, BUF_SIZE);
const lfd = listen(`${values.host}:${values.port}`, { backlog: 1024 });

function armRecv(fd: number): void {
  ring.recvMultishot(fd, BGID, ud(OP_RECV, fd));
  recvArmed[fd] = 1;
}

function cancelRecv(fd: number): void {
  ring.cancel(ud(OP_RECV, fd), ud(OP_CANCEL, fd));
}

function returnBuf(bid: number): void {
  ring.returnBuffer(BGID, bid);
  returned++;
}

function sendHead(fd: number): void {
  const bid = head[fd]!;
  ring.send(fd, arena, bid * BUF_SIZE + sent[fd]!, bufLen[bid]! - sent[fd]!, ud(OP_SEND, fd));
  sending[fd] = 1;
}

function dropQueue(fd: number): void {
  for (let bid = head[fd]!; bid >= 0; bid = nextBid[bid]!) returnBuf(bid);
  head[fd] = tail[fd] = -1;
  queued[fd] = 0;
}

function maybeClose(fd: number): void {
  if (open[fd] || sending[fd] || recvArmed[fd]) return;
  dropQueue(fd);
  paused[fd] = 0;
  sent[fd] = 0;
  stats.closes++;
  native.close(fd);
}

function finish(fd: number): void {
  if (!open[fd]) return;
  open[fd] = 0;
  if (recvArmed[fd] && !paused[fd]) cancelRecv(fd);
  maybeClose(fd);
}

function onRecv(fd: number, res: number, flags: number): void {
  if ((flags & IORING_CQE_F_MORE) === 0) recvArmed[fd] = 0;
  if (res > 0) {
    const bid = flags >>> 16;
    if (!open[fd]) {
      returnBuf(bid);
      maybeClose(fd);
      return;
    }
    bufLen[bid] = res;
    nextBid[bid] = -1;
    if (tail[fd]! >= 0) nextBid[tail[fd]!] = bid;
    else head[fd] = bid;
    tail[fd] = bid;
    queued[fd] += res;
    if (!sending[fd]) {
      sent[fd] = 0;
      sendHead(fd);
    }
    if (queued[fd]! > PAUSE_AT && recvArmed[fd] && !paused[fd]) {
      cancelRecv(fd);
      paused[fd] = 1;
    }
    if (!recvArmed[fd] && !paused[fd]) armRecv(fd); // ended without an error (CQ overflow)
    return;
  }
  if (!open[fd]) {
    maybeClose(fd);
    return;
  }
  if (res === -ENOBUFS) {
    starved.push(fd);
    return;
  }
  if (res === -ECANCELED && paused[fd]) return;
  finish(fd);
}

function onSend(fd: number, res: number): void {
  sending[fd] = 0;
  if (res < 0) {
    dropQueue(fd);
    finish(fd);
    maybeClose(fd);
    return;
  }
  stats.msgs++;
  const bid = head[fd]!;
  sent[fd] += res;
  if (sent[fd]! < bufLen[bid]!) {
    sendHead(fd);
    return;
  }
  queued[fd] -= bufLen[bid]!;
  head[fd] = nextBid[bid]!;
  if (head[fd]! < 0) tail[fd] = -1;
  sent[fd] = 0;
  returnBuf(bid);
  if (head[fd]! >= 0) {
    sendHead(fd);
    return;
  }
  if (!open[fd]) {
    maybeClose(fd);
    return;
  }
  if (paused[fd]) {
    paused[fd] = 0;
    if (!recvArmed[fd]) armRecv(fd);
  }
}

function onAccept(fd: number): void {
  if (fd >= MAX_FD) {
    native.close(fd);
    return;
  }
  stats.accepts++;
  setNoDelay(fd);
  open[fd] = 1;
  head[fd] = tail[fd] = -1;
  queued[fd] = 0;
  armRecv(fd);
}

/** One pass: submit what is queued, take every ready completion. Returns how many. */
function pass(): number {
  const n = ring.submitAndWait(0);
  const c = ring.completions;
  returned = 0;
  for (let i = 0; i < n; i++) {
    const fd = c[4 * i]!;
    const op = c[4 * i + 1]!;
    const res = c[4 * i + 2]!;
    const flags = c[4 * i + 3]! >>> 0;
    if (op === OP_RECV) onRecv(fd, res, flags);
    else if (op === OP_SEND) onSend(fd, res);
    else if (op === OP_ACCEPT) {
      if (res >= 0) onAccept(res);
      if ((flags & IORING_CQE_F_MORE) === 0) ring.acceptMultishot(lfd, ud(OP_ACCEPT, lfd));
    }
  }
  if (returned > 0 && starved.length > 0) {
    for (const fd of starved) if (open[fd] && !recvArmed[fd] && !paused[fd]) armRecv(fd);
    starved.length = 0;
  }
  return n;
}

ring.acceptMultishot(lfd, ud(OP_ACCEPT, lfd));
ring.watch(() => {
  stats.wakeups++;
  while (pass() > 0);
});
ring.submitAndWait(0);
process.stdout.write(`listening on ${String(values.host)}:${String(localAddress(lfd).port)}\n`);

const stop = (): void => {
  stats.enters = ring.enters;
  const syscalls = stats.enters + stats.accepts + stats.wakeups;
  process.stderr.write(`${JSON.stringify({ stats: { syscalls, ...stats } })}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
