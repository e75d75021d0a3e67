// The kernel side of TcpConnection's reading: the readv loop and the turn's time
// budget. LT: one readv per readiness event (into the input buffer's free space
// plus the loop's 64 KiB scratch), the kernel re-reports while data remains.
// ET: readv until the kernel has no more — a short read means drained (any later
// arrival raises a new edge, so no extra read to see EAGAIN) — but at most
// `loop.readBudget` bytes per turn, and only one read once the turn has run for
// `loop.turnBudgetMs`; a connection that hit either budget goes on the loop's
// ready list and is served next turn without waiting for a new edge.
// Plain functions over the connection's loop, fd and input buffer; the connection
// delivers what was read. Loop thread only; no allocation per read: the outcome is
// the module's one ReadOutcome record (each worker thread has its own module),
// valid until the next readSocket call.
import { performance } from 'node:perf_hooks'; // the global is a lazy getter: one more call per read
import { native } from '../sys/addon.js';
import { EAGAIN, EINTR } from '../sys/constants.js';
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import type { EventLoop, ReadyListEntry } from '../loop/EventLoop.js';
import { kAddReady, kScratch } from '../loop/symbols.js';

/** How a readSocket call ended: bytes read in total, whether EOF was read, and the errno of a failed read (0: none). */
export interface ReadOutcome {
  /** Bytes read, including the `total` already read before the call. */
  total: number;
  /** Whether a read returned 0 (the peer's FIN). */
  eof: boolean;
  /** errno of a failed readv (the connection must close), else 0. */
  errno: number;
}

const outcome: ReadOutcome = { total: 0, eof: false, errno: 0 };

/**
 * Whether this turn has run for the loop's time budget (the byte budget bounds bytes, not
 * time): past it an ET reader reads once and continues next turn; ready entries still read once.
 */
export function overBudget(loop: EventLoop): boolean {
  return performance.now() - loop.now >= loop.turnBudgetMs;
}

/**
 * Reads `fd` into `input` until the kernel has no more (ET: `et`) or once (LT); `total`
 * bytes were read already. `finPending`: the kernel reported the FIN queued behind the
 * data (RDHUP), so ET reads on to see the 0. A reader stopped by a budget is put on the
 * loop's ready list as `entry`. Counts reads and syscalls in loop.stats.
 */
export function readSocket(loop: EventLoop, fd: number, input: ByteBuffer, et: boolean, finPending: boolean, total: number, entry: ReadyListEntry): ReadOutcome {
  const stats = loop.stats;
  const scratch = loop[kScratch];
  let eof = false;
  let errno = 0;
  for (;;) {
    const writable = input.writableBytes;
    const n = native.readv2(fd, input.storage, input.writerIndex, writable, scratch, 0, scratch.length);
    stats.reads++;
    stats.syscalls++;
    if (n > 0) {
      input.commitRead(n, scratch);
      total += n;
      // LT: one read per event. ET: a short read means drained — unless the
      // kernel already told us the FIN is queued behind the data (RDHUP): then
      // read on to see the 0, since no new edge will come for it.
      if (!et || (n < writable + scratch.length && !finPending)) break;
      if (total >= loop.readBudget || overBudget(loop)) {
        loop[kAddReady](entry); // fairness: yield to other fds, continue next turn
        break;
      }
      continue;
    }
    if (n === 0) eof = true;
    else if (n === -EINTR) continue;
    else if (n !== -EAGAIN) errno = -n;
    break;
  }
  outcome.total = total;
  outcome.eof = eof;
  outcome.errno = errno;
  return outcome;
}
