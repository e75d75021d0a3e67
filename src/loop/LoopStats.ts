// LoopStats: a loop's counters, plain numbers bumped inline on the hot path and
// read by benchmarks (syscalls per message, events per turn). Owned by one loop;
// read it from that loop's thread (or post a snapshot across).
/** Counters of one loop (plain numbers, bumped inline). */
export class LoopStats {
  /** epoll_wait calls that returned (one per turn). */
  turns = 0;
  /** Events delivered by the kernel. */
  events = 0;
  /** Events dropped because their registration was gone (stale tokens). */
  staleEvents = 0;
  /** read/readv calls on connections. */
  reads = 0;
  /** write/writev calls on connections. */
  writes = 0;
  /** Every system call the loop made (waits, reads, writes, ctl, accept, close, ...). */
  syscalls = 0;
  /** Connections accepted. */
  accepts = 0;
  /** Bytes read from connections. */
  bytesRead = 0;
  /** Bytes written to connections. */
  bytesWritten = 0;
  /** Timing-wheel timers that fired. */
  timersFired = 0;

  /** A copy of every counter, by name. */
  snapshot(): Record<string, number> {
    return { ...this } as unknown as Record<string, number>;
  }

  /** Set every counter to 0. */
  reset(): void {
    for (const k of Object.keys(this) as Array<keyof this>) (this[k] as unknown as number) = 0;
  }
}
