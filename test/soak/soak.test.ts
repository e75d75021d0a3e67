// The short soak (20 s): four server processes — LT and ET, integrated and
// exclusive — under a churning, checksummed mixed load (pipelined echo of random
// sizes, half-closes, slow readers, resets, idle timeouts) with kill -9, never-
// reading and reset-storm faults. Nothing may be lost or corrupted, every server
// must give back every fd and exit 0, and memory must come back down once the
// load stops. The 10-minute version is `epoll-reactor soak --minutes 10`.
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../benchmarks/soak/run.js';
import { SESSION_KINDS } from '../../benchmarks/soak/client.js';

const MiB = 1 << 20;

describe('soak (20 s, all four servers at once)', () => {
  it('loses no byte, survives every fault, and gives back fds and memory', async () => {
    const r = await runSoak({
      durationSec: 20,
      configs: [
        { mode: 'lt', driver: 'integrated' },
        { mode: 'et', driver: 'integrated' },
        { mode: 'lt', driver: 'exclusive' },
        { mode: 'et', driver: 'exclusive' },
      ],
      concurrency: 12,
      idleTimeoutMs: 2000,
      highWaterMark: 64 * 1024,
      sampleMs: 1000,
      faultEveryMs: 4000,
      log: () => {},
    });
    const errors = r.servers.flatMap((s) => s.client.errorSamples.map((e) => `${s.name}: ${e}`));
    expect(errors).toEqual([]);
    expect(r.errors).toBe(0);
    expect(r.lostBytes).toBe(0);
    expect(r.faults.kill9).toBeGreaterThan(0);
    expect(r.faults.neverReader).toBeGreaterThan(0);
    expect(r.faults.resetStorm).toBeGreaterThan(0);
    for (const s of r.servers) {
      for (const kind of SESSION_KINDS) expect(s.client.sessions[kind], `${s.name} ${kind} sessions`).toBeGreaterThan(0);
      expect(s.client.bytesVerified, s.name).toBeGreaterThan(MiB);
      expect(s.closedIdle, `${s.name} idle closes`).toBeGreaterThan(0);
      expect(s.exitCode, `${s.name}: ${s.stderr}`).toBe(0);
      expect(s.finalConns, s.name).toBe(0);
      expect(s.finalFds, s.name).toBeLessThanOrEqual(s.baselineFds);
      // Once the load is gone: the heap and the buffers are back near where they
      // started (a leak would keep what each session left behind).
      const base = s.samples[0]!;
      const end = s.samples[s.samples.length - 1]!;
      expect(end.heapUsed - base.heapUsed, `${s.name} heap growth`).toBeLessThan(8 * MiB);
      expect(end.arrayBuffers - base.arrayBuffers, `${s.name} ArrayBuffer growth`).toBeLessThan(2 * MiB);
      expect(end.rss - base.rss, `${s.name} RSS growth`).toBeLessThan(96 * MiB);
    }
  }, 90_000);
});
