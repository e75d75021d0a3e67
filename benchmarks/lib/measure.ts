// One measurement: start a fresh server on CPU 0, drive it with the load
// generator on CPU 1 (CPU 0 too for same-core configurations), sample its CPU
// time around the measured window, stop it, and check that it exited cleanly.
//
// Nothing traces the server while it is timed. Syscalls per message come from
// a separate, shorter pass (countSyscalls): a fresh server with perf's
// raw_syscalls counter attached, whose throughput is thrown away — the
// tracepoint costs a server in proportion to its syscalls, so it would skew the
// very comparison it is part of. Without perf, the servers' own counters from
// the clean pass are used (an increment per syscall, printed at exit).
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadResult, LoadSpec } from './loadgen.js';
import { runLoadgen } from './loadgen.js';
import { RunningServer, type ServerSpec } from './servers.js';
import { perfAvailable, SyscallCounter } from './syscalls.js';

export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

/** The syscall pass: a short warm-up and at most this long measured (or the timed pass's length if shorter). */
export const SYSCALL_PASS = { warmupSec: 0.2, maxDurationSec: 0.5 };

export interface Measurement {
  load: LoadResult;
  /** Server CPU seconds inside the measured window (schedstat: exact; else sampled by timer: +-1 clock tick). */
  serverCpuSec: number | null;
  /** Involuntary context switches of the server inside the measured window. */
  preemptions: number | null;
  windowSec: number;
  /** Syscalls per message, and where the count came from. */
  syscallsPerMsg: number | null;
  syscallSource: 'perf' | 'self' | null;
}

export interface MeasureOptions {
  loadgen: string;
  sameCore: boolean;
  countSyscalls: boolean;
}

/** Runs `load` against a fresh `spec` server; withPerf: perf's syscall counter attaches before the load starts. */
async function onePass(
  spec: ServerSpec,
  load: LoadSpec,
  opts: MeasureOptions,
  withPerf: boolean,
): Promise<{ m: Omit<Measurement, 'syscallsPerMsg' | 'syscallSource'>; selfSyscalls: number | null; perfSyscalls: number | null }> {
  const server = await RunningServer.start(spec, SERVER_CPU);
  let counter: SyscallCounter | null = null;
  try {
    if (withPerf) {
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
    const perfSyscalls = counter ? await counter.stop() : null;
    counter = null;
    const stopped = await server.stop();
    if (stopped.exitCode !== 0) {
      throw new Error(`${spec.name} exited with ${stopped.exitCode} on SIGTERM:\n${stopped.stderr.trim()}`);
    }
    const delta = (xs: Array<number | null>): number | null =>
      xs.length === 2 && xs[0] !== null && xs[1] !== null ? xs[1] - xs[0] : null;
    return {
      m: { load: result, serverCpuSec: delta(cpu), preemptions: delta(pre), windowSec: load.durationSec },
      selfSyscalls: stopped.selfSyscalls,
      perfSyscalls,
    };
  } catch (err) {
    await counter?.stop();
    await server.stop().catch(() => undefined);
    throw err;
  }
}

/** The clean timed pass, then (countSyscalls and perf present) the separate syscall pass. */
export async function measure(spec: ServerSpec, load: LoadSpec, opts: MeasureOptions): Promise<Measurement> {
  const timed = await onePass(spec, load, opts, false);
  const perMsg = (count: number | null, r: LoadResult): number | null =>
    count === null || r.total_msgs === 0 ? null : count / r.total_msgs;
  if (!opts.countSyscalls) return { ...timed.m, syscallsPerMsg: null, syscallSource: null };
  if (perfAvailable()) {
    const short = {
      ...load,
      warmupSec: Math.min(load.warmupSec, SYSCALL_PASS.warmupSec),
      durationSec: Math.min(load.durationSec, SYSCALL_PASS.maxDurationSec),
    };
    const traced = await onePass(spec, short, opts, true);
    const syscallsPerMsg = perMsg(traced.perfSyscalls, traced.m.load);
    if (syscallsPerMsg !== null) return { ...timed.m, syscallsPerMsg, syscallSource: 'perf' };
  }
  const syscallsPerMsg = perMsg(timed.selfSyscalls, timed.m.load);
  return { ...timed.m, syscallsPerMsg, syscallSource: syscallsPerMsg === null ? null : 'self' };
}
