// `epoll-reactor connections`: hold N concurrent connections (5,000 by
// default, 50,000 with --full), echo on every one, check every byte.
//
// One process holds at most its open-file limit of fds, so N is spread over
// several server processes (each on its own port; each raises its soft limit to
// the hard one at start-up) and several client processes (benchmarks/c/connhold.c;
// connection g goes to server g % S, from source address 127.0.0.(2 + g % K) so
// that no single source address runs out of ephemeral ports).
//
// Steps: start the servers; every client connects its share (timed); once the
// servers hold every fd, measure their RSS; one echo round on every connection
// (checked against each connection's deterministic byte stream); a second
// round; close everything and check that every server is back to its baseline
// fd count; stop the servers (SIGTERM, must exit 0). Every step is bounded.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { fdLimit } from '../../src/entries/sys.js';
import { ensureCBinaries } from '../lib/cbuild.js';
import { announceRun } from '../lib/announce.js';
import { ConnHold } from '../lib/connhold.js';
import { fdCount, rssBytes, sleep } from '../lib/procmem.js';
import { RunningServer, serverSpecs } from '../lib/servers.js';
import { bytes, markdownTable } from '../report/markdown.js';

/** The default: a count a laptop connects, echoes and closes in seconds. */
export const DEFAULT_CONNECTIONS = 5_000;
/** --full: the scale the command was written for. */
export const FULL_CONNECTIONS = 50_000;

/** fds a process keeps for itself (epoll, eventfd, timerfd, stdio, libuv, the listener...). */
const FD_MARGIN = 200;

export interface ConnectionsOptions {
  connections: number;
  server: string;
  driver: 'integrated' | 'exclusive';
  /** Server processes; 0 = as few as the fd limit allows. */
  servers: number;
  /** Client processes; 0 = as few as the fd limit allows. */
  clients: number;
  /** Source addresses 127.0.0.2 ... */
  sources: number;
  echoBytes: number;
  log: (line: string) => void;
}

export interface ConnectionsResult {
  server: string;
  connections: number;
  serverProcesses: number;
  clientProcesses: number;
  fdLimit: number;
  connectSec: number;
  echoRounds: Array<{ bytes: number; sec: number }>;
  errors: number;
  serverRssGrowth: number;
  rssPerConnection: number;
  sysctls: Record<string, string>;
}

function sysctl(name: string): string {
  try {
    return readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return '?';
  }
}

async function waitAll(pids: number[], want: (pid: number, fds: number) => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = pids.map((p) => fdCount(p));
    if (pids.every((p, i) => want(p, counts[i]!))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: server fds ${counts.join(', ')}`);
    await sleep(200);
  }
}

export async function runConnections(o: ConnectionsOptions): Promise<ConnectionsResult> {
  const bins = ensureCBinaries(o.log);
  const spec = serverSpecs(bins, o.driver).get(o.server);
  if (!spec) throw new Error(`unknown server '${o.server}'`);
  const limit = fdLimit().soft; // Node raised ours to the hard limit; servers and connhold do the same
  const perProcess = Math.max(1, (Number.isFinite(limit) ? limit : 1 << 20) - FD_MARGIN);
  const S = o.servers || Math.ceil(o.connections / perProcess);
  const K = o.clients || Math.ceil(o.connections / perProcess);
  if (Math.ceil(o.connections / S) > perProcess || Math.ceil(o.connections / K) > perProcess) {
    throw new Error(`${o.connections} connections over ${S} servers / ${K} clients exceed the fd limit ${limit} per process`);
  }
  o.log(`[connections] ${o.connections} connections: ${S} ${o.server} processes, ${K} clients, fd limit ${limit}, ${o.sources} source addresses`);
  announceRun(o.log, 'connections', 3 + S + o.connections / 5000);
  const servers: RunningServer[] = [];
  const holders: ConnHold[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < S; i++) servers.push(await RunningServer.start(spec, i % 2));
    const pids = servers.map((s) => s.pid);
    const fds0 = new Map(pids.map((p) => [p, fdCount(p)]));
    await sleep(300);
    const rss0 = pids.reduce((a, p) => a + rssBytes(p), 0);

    const t0 = performance.now();
    let first = 0;
    for (let k = 0; k < K; k++) {
      const count = Math.floor(o.connections / K) + (k < o.connections % K ? 1 : 0);
      holders.push(
        new ConnHold(bins.connhold, { ports: servers.map((s) => s.port), count, first, srcs: o.sources, window: 256, seed: 7, cpu: (k + 1) % 2, timeoutSec: 300 }),
      );
      first += count;
    }
    await Promise.all(holders.map((h) => h.next('connect')));
    // Every server holds its share (connection g goes to server g % S).
    const share = (i: number): number => Math.floor(o.connections / S) + (i < o.connections % S ? 1 : 0);
    await waitAll(pids, (p, n) => n >= fds0.get(p)! + share(pids.indexOf(p)), 120_000, 'the servers to accept every connection');
    const connectSec = (performance.now() - t0) / 1000;
    o.log(`[connections] ${o.connections} connected in ${connectSec.toFixed(1)} s`);
    await sleep(1000);
    const rss1 = pids.reduce((a, p) => a + rssBytes(p), 0);

    const echoRounds: ConnectionsResult['echoRounds'] = [];
    for (let round = 0; round < 2; round++) {
      const t = performance.now();
      const lines = await Promise.all(holders.map((h) => h.echo(o.echoBytes)));
      const total = lines.reduce((a, l) => a + (l.bytes ?? 0), 0);
      if (total !== o.connections * o.echoBytes) throw new Error(`echo round ${round + 1}: ${total} bytes back, expected ${o.connections * o.echoBytes}`);
      echoRounds.push({ bytes: total, sec: (performance.now() - t) / 1000 });
      o.log(`[connections] echo round ${round + 1}: ${total} bytes checked in ${echoRounds[round]!.sec.toFixed(1)} s`);
    }
    for (const h of holders) errors += (await h.quit()).errors ?? 0;
    await waitAll(pids, (p, n) => n <= fds0.get(p)!, 120_000, 'the servers to close every connection');
    return {
      server: o.server,
      connections: o.connections,
      serverProcesses: S,
      clientProcesses: K,
      fdLimit: limit,
      connectSec,
      echoRounds,
      errors,
      serverRssGrowth: rss1 - rss0,
      rssPerConnection: (rss1 - rss0) / o.connections,
      sysctls: Object.fromEntries(['net.core.somaxconn', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_max_syn_backlog', 'fs.file-max', 'fs.nr_open'].map((n) => [n, sysctl(n)])),
    };
  } finally {
    for (const h of holders) if (h.child.exitCode === null && h.child.signalCode === null) await h.kill();
    for (const s of servers) {
      const r = await s.stop();
      if (r.exitCode !== 0) {
        errors++;
        o.log(`[connections] ${s.spec.name} pid ${s.pid} exited ${r.exitCode}: ${r.stderr.trim()}`);
      }
    }
  }
}

export function renderConnections(r: ConnectionsResult): string {
  const rounds = r.echoRounds.map((e) => `${bytes(e.bytes)} in ${e.sec.toFixed(1)} s`).join(', ');
  return [
    markdownTable(
      ['server', 'connections', 'server procs', 'client procs', 'fd limit/proc', 'connect s', 'echo rounds (checked)', 'errors', 'server RSS growth', 'RSS B/conn'],
      [[r.server, String(r.connections), String(r.serverProcesses), String(r.clientProcesses), String(r.fdLimit), r.connectSec.toFixed(1), rounds, String(r.errors), bytes(r.serverRssGrowth), r.rssPerConnection.toFixed(0)]],
    ),
    '',
    `sysctls: ${Object.entries(r.sysctls).map(([k, v]) => `${k}=${v}`).join('; ')}`,
  ].join('\n');
}

export function registerConnections(program: Command, log: (line: string) => void): void {
  const int = (s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got '${s}'`);
    return n;
  };
  program
    .command('connections')
    .description(
      'Hold N concurrent connections over as many server and client processes as the fd limit needs, ' +
        'echo on every one (every byte checked), report time to connect and server memory.',
    )
    .option('-n, --connections <n>', `concurrent connections (--full: ${FULL_CONNECTIONS})`, int, DEFAULT_CONNECTIONS)
    .option('--full', `the full-scale run: ${FULL_CONNECTIONS} connections (minutes, needs a high fd limit)`, false)
    .option('--server <name>', 'server under test (reactor-lt, reactor-et, node-net, c-lt, c-et)', 'reactor-et')
    .option('--driver <driver>', 'reactor driver (integrated|exclusive)', 'integrated')
    .option('--servers <n>', 'server processes (0: as few as the fd limit allows)', int, 0)
    .option('--clients <n>', 'client processes (0: as few as the fd limit allows)', int, 0)
    .option('--sources <n>', 'client source addresses 127.0.0.2 .. (spreads ephemeral ports)', int, 32)
    .option('--echo <bytes>', 'bytes each connection echoes per round', int, 64)
    .option('--json <file>', 'also write the result as JSON')
    .action(async (opts: { connections: number; full: boolean; server: string; driver: 'integrated' | 'exclusive'; servers: number; clients: number; sources: number; echo: number; json?: string }, cmd: Command) => {
      const explicit = cmd.getOptionValueSource('connections') === 'cli';
      if (opts.full && explicit) throw new Error('--full and --connections together: pick one');
      const connections = opts.full ? FULL_CONNECTIONS : opts.connections;
      const r = await runConnections({ ...opts, connections, echoBytes: opts.echo, log });
      process.stdout.write(`${renderConnections(r)}\n`);
      if (opts.json) writeFileSync(opts.json, `${JSON.stringify(r, null, 2)}\n`);
      if (r.errors) process.exitCode = 1;
    });
}
