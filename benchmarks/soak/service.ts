// The soak's server side, shared by both drivers: an echo service with the
// library's defenses switched on (idle timeout, high-water back-pressure) and a
// sampler that reports, every `sampleMs`, what a leak would show as a slope —
// RSS, JS heap (after a full GC when the process runs with --expose-gc),
// ArrayBuffer memory, open fds, live connections — plus the loop's timer lag (how
// late a 100 ms loop timer fires: an upper bound on the longest turn, within
// one wheel tick).
//
// Runs on the loop's thread (the main thread for 'integrated', a worker for
// 'exclusive'). The sampler's timer is the loop's own, so it measures the loop.
import { readdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { EventLoop, TcpServer, type TimerNode } from '../../src/index.js';

export interface SoakServiceOptions {
  host: string;
  mode: 'lt' | 'et';
  idleTimeoutMs: number;
  highWaterMark: number;
  sampleMs: number;
}

/** One sample of the server process, as the soak command reads it. */
export interface SoakSample {
  /** ms since the service started */
  t: number;
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  external: number;
  fds: number;
  conns: number;
  /** the largest lateness of the 100 ms probe timer in this window, ms */
  lagMaxMs: number;
  turns: number;
  closedIdle: number;
  closedOverflow: number;
  closedError: number;
}

const PROBE_MS = 100;

export function startSoakService(loop: EventLoop, o: SoakServiceOptions, emit: (s: SoakSample) => void): TcpServer {
  const closed = { idle: 0, overflow: 0, error: 0 };
  const server = new TcpServer(
    loop,
    {
      onMessage(conn, input) {
        conn.send(input.peek());
        input.retrieveAll();
      },
      onHighWater(conn) {
        conn.pauseReading();
      },
      onDrain(conn) {
        conn.resumeReading();
      },
      onClose(_conn, info) {
        if (info.reason === 'idle') closed.idle++;
        else if (info.reason === 'overflow') closed.overflow++;
        else if (info.reason === 'error') closed.error++;
      },
    },
    { address: `${o.host}:0`, idleTimeoutMs: o.idleTimeoutMs, highWaterMark: o.highWaterMark },
  );
  server.listen();

  const started = performance.now();
  let lagMax = 0;
  let due = performance.now() + PROBE_MS;
  let nextSample = started + o.sampleMs;
  const gc = (globalThis as { gc?: () => void }).gc;
  const probe = (node: TimerNode): void => {
    const now = performance.now();
    lagMax = Math.max(lagMax, now - due);
    if (now >= nextSample) {
      nextSample += o.sampleMs;
      gc?.();
      const m = process.memoryUsage();
      emit({
        t: Math.round(now - started),
        rss: m.rss,
        heapUsed: getHeapStatistics().used_heap_size, // this thread's isolate
        arrayBuffers: m.arrayBuffers,
        external: m.external,
        fds: readdirSync('/proc/self/fd').length,
        conns: server.size,
        lagMaxMs: Math.round(lagMax * 10) / 10,
        turns: loop.stats.turns,
        closedIdle: closed.idle,
        closedOverflow: closed.overflow,
        closedError: closed.error,
      });
      lagMax = 0;
    }
    due = performance.now() + PROBE_MS;
    loop.schedule(node, PROBE_MS);
  };
  loop.setTimeout(probe, PROBE_MS);
  return server;
}
