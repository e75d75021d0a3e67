// The io_uring rows of the bench (c-uring: benchmarks/c/echo_uring.c; raw-uring: the raw Ring API
// in benchmarks/ring-echo-server.ts; reactor-uring: examples/echo-server --mode uring, with both
// drivers) under the checksumming load generator: 1 to 1000
// connections, 64 B to 16 KiB, every byte verified (a lost or corrupt byte fails the run), then
// SIGTERM and the server's own syscall counters. c-uring needs liburing: without it the test is
// skipped with the reason bench prints (CI installs liburing-dev, and fails on any skip).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { LoadSpec } from '../../benchmarks/lib/loadgen.js';

// The compiled modules (dist/, built by the global setup): they find the C sources and the
// compiled servers relative to themselves. Types from the sources.
const lib = (name: string): string => new URL(`../../dist/benchmarks/lib/${name}.js`, import.meta.url).href;
const { ensureCBinaries } = (await import(lib('cbuild'))) as typeof import('../../benchmarks/lib/cbuild.js');
const { runLoadgen } = (await import(lib('loadgen'))) as typeof import('../../benchmarks/lib/loadgen.js');
const { RunningServer, serverSpecs } = (await import(lib('servers'))) as typeof import('../../benchmarks/lib/servers.js');

const bins = ensureCBinaries(() => undefined);
const specs = serverSpecs(bins, 'integrated');
const exclusiveSpecs = serverSpecs(bins, 'exclusive');
const cUringSkip = specs.get('c-uring')!.skip;
if (cUringSkip) console.log(`c-uring tests skipped: ${cUringSkip}`);

const LOADS: Array<[string, LoadSpec]> = [
  ['1 connection, 64 B', { conns: 1, depth: 1, size: 64, warmupSec: 0, durationSec: 0.3 }],
  ['50 connections x 16 in flight, 64 B', { conns: 50, depth: 16, size: 64, warmupSec: 0, durationSec: 0.3 }],
  ['1000 connections, 64 B', { conns: 1000, depth: 1, size: 64, warmupSec: 0, durationSec: 0.5 }],
  ['8 connections x 4 in flight, 16 KiB', { conns: 8, depth: 4, size: 16384, warmupSec: 0, durationSec: 0.3 }],
];

const ROWS: Array<[string, typeof specs]> = [
  ['c-uring', specs],
  ['raw-uring', specs],
  ['reactor-uring', specs],
  ['reactor-uring', exclusiveSpecs],
];

for (const [name, set] of ROWS) {
  const label = name === 'reactor-uring' ? `${name} (${set === specs ? 'integrated' : 'exclusive'} driver)` : name;
  describe.skipIf(name === 'c-uring' && cUringSkip !== undefined)(`${label} echoes every byte`, () => {
    it.each(LOADS)('%s', async (_label, load) => {
      const server = await RunningServer.start(set.get(name)!, undefined);
      try {
        const r = await runLoadgen(bins.loadgen, server.port, load, availableParallelism() > 1 ? 1 : 0);
        expect(r.errors).toBe(0);
        expect(r.total_msgs).toBeGreaterThan(0);
        expect(r.total_bytes).toBe(r.total_msgs * load.size);
      } finally {
        const stopped = await server.stop();
        expect(stopped.exitCode).toBe(0);
        expect(stopped.selfSyscalls).toBeGreaterThan(0);
      }
    }, 30_000);
  });
}
