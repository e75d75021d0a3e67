// Reading a server process's memory and fds from /proc, and the heap probe:
// Node servers under measurement are started with `--expose-gc --import
// heap-probe.js?out=FILE`; SIGUSR2 then makes them collect garbage and write
// their heap figures to FILE (benchmarks/lib/heap-probe.ts).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './paths.js';

/** Resident set size of `pid` in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** Open fds of `pid`. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** What the probe writes (process.memoryUsage() after two full GCs, plus V8's heap statistics). */
export interface HeapFigures {
  seq: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  mallocedMemory: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A heap probe attached to one server process. */
export class HeapProbe {
  readonly file = join(tmpdir(), `epoll-reactor-heap-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  #seq = 0;

  /** Node flags that load the probe into a server (put them right after the node binary). */
  nodeFlags(): string[] {
    const url = pathToFileURL(join(DIST, 'benchmarks', 'lib', 'heap-probe.js'));
    url.searchParams.set('out', this.file);
    return ['--expose-gc', `--import=${url.href}`];
  }

  /** Ask `pid` for its figures (GC first); throws if no answer within `timeoutMs`. */
  async read(pid: number, timeoutMs = 10_000): Promise<HeapFigures> {
    const want = ++this.#seq;
    process.kill(pid, 'SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await sleep(50);
      if (!existsSync(this.file)) continue;
      const f = JSON.parse(readFileSync(this.file, 'utf8')) as HeapFigures;
      if (f.seq >= want) return f;
    }
    throw new Error(`heap probe: no answer from pid ${pid} in ${timeoutMs} ms`);
  }

  dispose(): void {
    rmSync(this.file, { force: true });
  }
}
