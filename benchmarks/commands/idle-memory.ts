// `epoll-reactor idle-memory`: what one idle connection costs each server.
//
// For every server (reactor LT and ET, node:net `socket.pipe(socket)`, the C
// epoll server), in its own process pinned to CPU 0, with the connection holder
// (benchmarks/c/connhold.c) on CPU 1:
//   1. warm up: 500 connections echo 64 bytes each and close (code paths compiled,
//      tables grown once), then a baseline: RSS, and for Node servers the heap after
//      two full GCs (benchmarks/lib/heap-probe.ts), once RSS has settled (see snapshot);
//   2. open N connections that send nothing; once the server holds all N fds,
//      measure again: (after - baseline) / N is the cost of an idle connection;
//   3. every connection echoes 64 bytes (checked) and goes idle again: the cost of
//      a connection that has been used once and drained;
//   4. close them all and measure what stays behind.
// Bounded: every step has a timeout, and every process is stopped at the end.
import type { Command } from 'commander';
import { announceRun } from '../lib/announce.js';
import { writeFileSync } from 'node:fs';
import { ensureCBinaries } from '../lib/cbuild.js';
import { ConnHold } from '../lib/connhold.js';
import { fdCount, HeapProbe, rssBytes, sleep, type HeapFigures } from '../lib/procmem.js';
import { RunningServer, serverSpecs, type ServerSpec } from '../lib/servers.js';
import { bytes, markdownTable } from '../report/markdown.js';

const DEFAULT_SERVERS = ['reactor-lt', 'reactor-et', 'node-net', 'c-lt'];

export interface IdleMemoryRow {
  server: string;
  connections: number;
  connectMs: number;
  /** RSS growth per idle connection that never sent a byte. */
  rssPerIdle: number;
  /** JS heap (heapUsed) growth per idle connection; null for the C server. */
  heapPerIdle: number | null;
  /** ArrayBuffer backing stores (off the JS heap, in RSS) per idle connection. */
  arrayBuffersPerIdle: number | null;
  /** The same after one 64-byte echo on every connection. */
  rssPerUsed: number;
  heapPerUsed: number | null;
  /** RSS still above the baseline once every connection is closed, per connection. */
  rssLeftPerConn: number;
}

async function waitFds(pid: number, atLeast: number | null, atMost: number | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = fdCount(pid);
    if ((atLeast === null || n >= atLeast) && (atMost === null || n <= atMost)) return;
    if (Date.now() > deadline) throw new Error(`server pid ${pid} holds ${n} fds, waited for ${atLeast ?? '-'}..${atMost ?? '-'}`);
    await sleep(100);
  }
}

/**
 * RSS and heap once the process has settled. A burst of accepts makes V8 grow
 * its young generation (several MiB, whatever the connections hold), and V8's
 * memory reducer gives that back only after some seconds without allocation; so
 * a Node server is measured once its RSS has stopped falling (at least 12 s,
 * at most 40 s), after two full GCs. Every server gets the same treatment.
 */
async function snapshot(pid: number, probe: HeapProbe | null): Promise<{ rss: number; heap: HeapFigures | null }> {
  await sleep(500); // let the server finish the turn that accepted or closed the last ones
  if (probe) {
    const start = Date.now();
    const seen: number[] = [];
    for (;;) {
      await sleep(2000);
      seen.push(rssBytes(pid));
      const recent = seen.slice(-4);
      const settled = recent.length === 4 && recent[3]! >= Math.min(...recent.slice(0, 3)) - 64 * 1024;
      if ((settled && Date.now() - start >= 12_000) || Date.now() - start >= 40_000) break;
    }
  }
  const heap = probe ? await probe.read(pid) : null;
  return { rss: rssBytes(pid), heap };
}

function withProbe(spec: ServerSpec, probe: HeapProbe): ServerSpec {
  if (spec.argv[0] !== process.execPath) return spec;
  return { ...spec, argv: [spec.argv[0]!, ...probe.nodeFlags(), ...spec.argv.slice(1)] };
}

/** Measure one server; `log` gets progress lines. */
export async function measureIdleMemory(
  connhold: string,
  spec: ServerSpec,
  n: number,
  log: (line: string) => void,
): Promise<IdleMemoryRow> {
  const isNode = spec.argv[0] === process.execPath;
  const probe = isNode ? new HeapProbe() : null;
  const server = await RunningServer.start(probe ? withProbe(spec, probe) : spec, 0);
  const holders: ConnHold[] = [];
  try {
    const pid = server.pid;
    const fds0 = fdCount(pid);
    const warm = new ConnHold(connhold, { ports: [server.port], count: Math.min(500, n), echo: 64, cpu: 1 });
    holders.push(warm);
    await warm.next('connect');
    await warm.next('echo');
    await warm.quit();
    await waitFds(pid, null, fds0, 30_000);
    const base = await snapshot(pid, probe);

    const hold = new ConnHold(connhold, { ports: [server.port], count: n, srcs: 8, seed: 2, cpu: 1 });
    holders.push(hold);
    const connected = await hold.next('connect');
    await waitFds(pid, fds0 + n, null, 60_000);
    const idle = await snapshot(pid, probe);
    log(`[idle-memory] ${spec.name}: ${n} idle, RSS +${bytes(idle.rss - base.rss)}`);

    await hold.echo(64);
    const used = await snapshot(pid, probe);
    await hold.quit();
    await waitFds(pid, null, fds0, 60_000);
    const after = await snapshot(pid, probe);

    const per = (a: number, b: number): number => (a - b) / n;
    const heapPer = (h: HeapFigures | null, k: 'heapUsed' | 'arrayBuffers'): number | null =>
      h && base.heap ? per(h[k], base.heap[k]) : null;
    return {
      server: spec.name,
      connections: n,
      connectMs: connected.ms ?? NaN,
      rssPerIdle: per(idle.rss, base.rss),
      heapPerIdle: heapPer(idle.heap, 'heapUsed'),
      arrayBuffersPerIdle: heapPer(idle.heap, 'arrayBuffers'),
      rssPerUsed: per(used.rss, base.rss),
      heapPerUsed: heapPer(used.heap, 'heapUsed'),
      rssLeftPerConn: per(after.rss, base.rss),
    };
  } finally {
    for (const h of holders) if (h.child.exitCode === null && h.child.signalCode === null) await h.kill();
    await server.stop();
    probe?.dispose();
  }
}

export function renderIdleMemory(rows: IdleMemoryRow[]): string {
  const f = (x: number | null): string => (x === null ? '-' : x.toFixed(0));
  return markdownTable(
    ['server', 'connections', 'RSS B/idle conn', 'JS heap B/idle conn', 'ArrayBuffers B/idle conn', 'RSS B/conn after 1 echo', 'JS heap B/conn after 1 echo', 'RSS B/conn left after close', 'connect ms'],
    rows.map((r) => [r.server, String(r.connections), f(r.rssPerIdle), f(r.heapPerIdle), f(r.arrayBuffersPerIdle), f(r.rssPerUsed), f(r.heapPerUsed), f(r.rssLeftPerConn), f(r.connectMs)]),
  );
}

export function registerIdleMemory(program: Command, log: (line: string) => void): void {
  program
    .command('idle-memory')
    .description(
      'Memory per idle connection: RSS and JS heap growth of each server process while it holds N idle ' +
        'connections (server on CPU 0, connection holder on CPU 1), then after one checked echo on each.',
    )
    .option('-n, --connections <n>', 'idle connections per server', (s) => Number(s), 10_000)
    .option('--servers <list>', 'comma-separated servers', (s) => s.split(','), DEFAULT_SERVERS)
    .option('--driver <driver>', 'reactor driver (integrated|exclusive; the heap figure is the main thread\'s)', 'integrated')
    .option('--json <file>', 'also write the rows as JSON')
    .action(async (o: { connections: number; servers: string[]; driver: 'integrated' | 'exclusive'; json?: string }) => {
      if (!Number.isInteger(o.connections) || o.connections < 1) throw new Error('--connections must be a positive integer');
      const bins = ensureCBinaries(log);
      const specs = serverSpecs(bins, o.driver);
      announceRun(log, 'idle-memory', o.servers.length * (4 + o.connections / 4000));
      const rows: IdleMemoryRow[] = [];
      for (const name of o.servers) {
        const spec = specs.get(name);
        if (!spec) throw new Error(`unknown server '${name}' (known: ${[...specs.keys()].join(', ')})`);
        rows.push(await measureIdleMemory(bins.connhold, spec, o.connections, log));
      }
      process.stdout.write(`${renderIdleMemory(rows)}\n`);
      if (o.json) writeFileSync(o.json, `${JSON.stringify(rows, null, 2)}\n`);
    });
}
