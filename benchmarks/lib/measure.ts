// One measurement: start a fresh server on CPU 0, count its syscalls, drive it
// with the load generator on CPU 1 (CPU 0 too for same-core configurations),
// sample its CPU time around the measured window, stop it, and check that it
// exited cleanly.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadResult, LoadSpec } from './loadgen.js';
import { runLoadgen } from './loadgen.js';
import { RunningServer, type ServerSpec } from './servers.js';
import { SyscallCounter } from './syscalls.js';

export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

export interface Measurement {
  load: LoadResult;
  /** Server CPU seconds inside the measured window (sampled by timer: +-1 clock tick). */
  serverCpuSec: number | null;
  /** Involuntary context switches of the server inside the measured window. */
  preemptions: number | null;
  windowSec: number;
  /** Syscalls over the whole load run, and where the count came from. */
  syscalls: number | null;
  syscallSource: 'perf' | 'self' | null;
}

export interface MeasureOptions {
  loadgen: string;
  sameCore: boolean;
  countSyscalls: boolean;
}

export async function measure(spec: ServerSpec, load: LoadSpec, opts: MeasureOptions): Promise<Measurement> {
  const server = await RunningServer.start(spec, SERVER_CPU);
  let counter: SyscallCounter | null = null;
  try {
    if (opts.countSyscalls) {
      counter = SyscallCounter.attach(server.pid);
      if (counter) await sleep(150); // perf needs a moment to attach before the load starts
    }
    // The window is timed from here; the load generator's own connect phase
    // (milliseconds, even for 10k connections) shifts it slightly late.
    const cpu: Array<number | null> = [];
    const pre: Array<number | null> = [];
    const sample = (): void => {
      cpu.push(server.cpuSeconds());
      pre.push(server.preemptions());
    };
    const t0 = setTimeout(sample, load.warmupSec * 1000);
    const t1 = setTimeout(sample, (load.warmupSec + load.durationSec) * 1000);
    let result: LoadResult;
    try {
      result = await runLoadgen(opts.loadgen, server.port, load, opts.sameCore ? SERVER_CPU : CLIENT_CPU);
    } finally {
      clearTimeout(t0);
      clearTimeout(t1);
    }
    const perfCount = counter ? await counter.stop() : null;
    counter = null;
    const stopped = await server.stop();
    if (stopped.exitCode !== 0) {
      throw new Error(`${spec.name} exited with ${stopped.exitCode} on SIGTERM:\n${stopped.stderr.trim()}`);
    }
    const delta = (xs: Array<number | null>): number | null =>
      xs.length === 2 && xs[0] !== null && xs[1] !== null ? xs[1] - xs[0] : null;
    const serverCpuSec = delta(cpu);
    const syscalls = perfCount ?? (opts.countSyscalls ? stopped.selfSyscalls : null);
    return {
      load: result,
      serverCpuSec,
      preemptions: delta(pre),
      windowSec: load.durationSec,
      syscalls,
      syscallSource: perfCount !== null ? 'perf' : syscalls !== null ? 'self' : null,
    };
  } catch (err) {
    await counter?.stop();
    await server.stop().catch(() => undefined);
    throw err;
  }
}
