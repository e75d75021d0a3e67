// Spawning benchmark processes pinned to one CPU (taskset), and reading a
// process's CPU time from /proc. Without taskset the processes run unpinned
// and the report says so.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let tasksetChecked: boolean | undefined;

/** Whether processes can be pinned (taskset from util-linux is present). */
export function canPin(): boolean {
  tasksetChecked ??= spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
  return tasksetChecked;
}

/**
 * Spawn `argv` on CPU `cpu`, or on a taskset CPU list ('0,2-3'); unpinned when `cpu` is
 * undefined or taskset is missing (stdout/stderr piped, stdin closed).
 */
export function spawnPinned(argv: readonly string[], cpu: number | string | undefined): ChildProcess {
  const full = cpu !== undefined && cpu !== '' && canPin() ? ['taskset', '-c', String(cpu), ...argv] : [...argv];
  // taskset execs the command, so the child's pid is the server's own pid.
  return spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
}

let clockTicks: number | undefined;

/** User + system CPU seconds a process has used so far (all its threads); null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces): state is field 3,
  // utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / clockTicks;
}

/**
 * CPU seconds a process's live threads have run so far, to the nanosecond: the sum of
 * each thread's sum_exec_runtime (/proc/PID/task/TID/schedstat, first field). Exact where
 * cpuSeconds() is sampled by the timer tick (10 ms), so a short window of a lightly loaded
 * server is measured, not estimated. Falls back to cpuSeconds() without schedstat; null
 * once the process is gone.
 */
export function cpuSecondsExact(pid: number): number | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && tid !== String(pid)) continue; // a thread that just exited
      return cpuSeconds(pid);
    }
  }
  return Number.isFinite(ns) ? ns / 1e9 : cpuSeconds(pid);
}

/**
 * Involuntary context switches of all threads of a process so far (the kernel
 * took the CPU away: preemption); null once it is gone.
 */
export function preemptions(pid: number): number | null {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const m = /^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    }
    return total;
  } catch {
    return null;
  }
}

/** Resolve with the exit code once `child` has exited (SIGKILL after `graceMs`). */
export function waitExit(child: ChildProcess, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
