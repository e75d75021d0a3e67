// Counting a server's system calls from outside, with perf's raw_syscalls
// tracepoint (an in-kernel counter: no per-call stop as with strace, so the
// server runs at nearly full speed). Every thread of the process is counted.
// Where perf or the tracepoint is unavailable, the runner falls back to the
// servers' own counters (reactor and C servers) and reports none for node-net.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitExit } from './pinned.js';

const EVENT = 'raw_syscalls:sys_enter';
let available: boolean | undefined;

export function perfAvailable(): boolean {
  available ??= spawnSync('perf', ['stat', '-x', ',', '-e', EVENT, '--', 'true'], { stdio: 'ignore' }).status === 0;
  return available;
}

export class SyscallCounter {
  readonly #child: ChildProcess;
  readonly #dir: string;

  private constructor(child: ChildProcess, dir: string) {
    this.#child = child;
    this.#dir = dir;
  }

  /** Start counting the syscalls of `pid` (null when perf is unavailable). */
  static attach(pid: number): SyscallCounter | null {
    if (!perfAvailable()) return null;
    const dir = mkdtempSync(join(tmpdir(), 'er-perf-'));
    const child = spawn('perf', ['stat', '-x', ',', '-e', EVENT, '-p', String(pid), '-o', join(dir, 'out')], {
      stdio: 'ignore',
    });
    return new SyscallCounter(child, dir);
  }

  /** Stop counting; the total, or null if perf produced no count. */
  async stop(): Promise<number | null> {
    this.#child.kill('SIGINT');
    await waitExit(this.#child, 5000);
    try {
      const text = readFileSync(join(this.#dir, 'out'), 'utf8');
      const line = text.split('\n').find((l) => l.includes(EVENT));
      const count = line ? Number(line.split(',')[0]) : NaN;
      return Number.isFinite(count) ? count : null;
    } catch {
      return null;
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
