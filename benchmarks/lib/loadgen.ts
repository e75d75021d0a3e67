// Running the C load generator (benchmarks/c/loadgen.c) pinned to a CPU and
// parsing its one JSON line. A run with a lost or corrupt byte, or a stuck
// connection, is an error: the benchmark stops rather than report it.
import { spawnPinned, waitExit } from './pinned.js';

export interface LoadSpec {
  conns: number;
  depth: number;
  size: number;
  warmupSec: number;
  durationSec: number;
  flood?: number;
  floodDepth?: number;
  lightRate?: number;
  idle?: number;
  /** Client threads (loadgen -j); 1 when absent. */
  threads?: number;
}

export interface HistFigures {
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  mean_us: number;
}

export interface LoadResult extends HistFigures {
  conns: number;
  seconds: number;
  msgs: number;
  bytes: number;
  msgs_per_sec: number;
  mb_per_sec: number;
  total_msgs: number;
  total_bytes: number;
  errors: number;
  threads: number;
  /** The client's own CPU (user + system, all threads) over the measured window; 100 = one core. */
  cpu_pct: number;
  cpu_user_pct: number;
  light?: HistFigures & { conns: number; msgs: number; msgs_per_sec: number };
}

export function loadArgs(port: number, s: LoadSpec): string[] {
  const args = ['--host', '127.0.0.1', '--port', String(port), '-c', String(s.conns), '-d', String(s.depth)];
  args.push('-s', String(s.size), '--warmup', String(s.warmupSec), '--duration', String(s.durationSec));
  if (s.flood) args.push('--flood', String(s.flood), '--flood-depth', String(s.floodDepth ?? 64));
  if (s.lightRate) args.push('--light-rate', String(s.lightRate));
  if (s.idle) args.push('--idle', String(s.idle));
  if (s.threads && s.threads > 1) args.push('-j', String(s.threads));
  return args;
}

export async function runLoadgen(binary: string, port: number, spec: LoadSpec, cpu: number): Promise<LoadResult> {
  const child = spawnPinned([binary, ...loadArgs(port, spec)], cpu);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // loadgen bounds itself (--max-seconds defaults to warmup + duration + 10); this is a backstop.
  const backstop = setTimeout(() => child.kill('SIGKILL'), (spec.warmupSec + spec.durationSec + 60) * 1000);
  const code = await waitExit(child, 1 << 30);
  clearTimeout(backstop);
  const line = stdout.trim().split('\n').pop() ?? '';
  let result: LoadResult | null = null;
  try {
    result = JSON.parse(line) as LoadResult;
  } catch {
    // fall through
  }
  if (code !== 0 || !result || result.errors) {
    throw new Error(`load generator failed (exit ${code}): ${stderr.trim() || line || 'no output'}`);
  }
  return result;
}
