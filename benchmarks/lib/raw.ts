// The raw run: events per second through Epoll.wait on N ready fds, beside the
// npm `epoll` package (one callback per event from its watcher thread) and
// CPython's select.epoll. It runs benchmarks/raw-epoll.js as a child (pinned
// to the server CPU) and picks its figures out of the JSON it writes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawResult } from '../report/types.js';
import { DIST } from './paths.js';
import { spawnPinned, waitExit } from './pinned.js';
import { SERVER_CPU } from './measure.js';

interface RawJson {
  ours: Array<{ n: number; loop: string; eventsPerSec?: number }>;
  npmEpoll?: Array<{ n: number; eventsPerSec: { median: number } }> | { skipped: string };
  cpython?: { results: Array<{ n: number; nsPerCall: { median: number } }> } | { skipped: string };
}

export async function runRaw(quick: boolean, log: (line: string) => void): Promise<RawResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'er-raw-'));
  try {
    const file = join(dir, 'raw.json');
    const args = [join(DIST, 'benchmarks', 'raw-epoll.js'), '--json', file, ...(quick ? ['--quick'] : [])];
    const child = spawnPinned([process.execPath, ...args], SERVER_CPU);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.resume();
    const code = await waitExit(child, 1 << 30);
    if (code !== 0) {
      log(`raw run failed (exit ${code}): ${stderr.trim()}`);
      return [];
    }
    const j = JSON.parse(readFileSync(file, 'utf8')) as RawJson;
    const npm = Array.isArray(j.npmEpoll) ? j.npmEpoll : [];
    const py = j.cpython && 'results' in j.cpython ? j.cpython.results : [];
    return j.ours
      .filter((o) => o.n > 0 && o.loop === 'accessors')
      .map((o) => {
        const p = py.find((x) => x.n === o.n);
        return {
          readyFds: o.n,
          eventsPerSec: {
            'Epoll.wait': o.eventsPerSec ?? null,
            'npm epoll': npm.find((x) => x.n === o.n)?.eventsPerSec.median ?? null,
            'CPython select.epoll': p ? o.n / (p.nsPerCall.median * 1e-9) : null,
          },
        };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
