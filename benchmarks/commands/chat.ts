// `epoll-reactor bench chat`: room-chat fan-out of examples/chat — one process without
// --cluster, then 1, 2 and 3 `--cluster` processes sharing one redis-server — under the same
// closed-loop load (benchmarks/lib/chatload.ts: rooms × room-size clients, each room spread over
// every process). Reports chats and deliveries (216s received) per second, p50/p99 delivery
// latency, and the CPU the chat processes, redis-server and the load generator used in the
// measured window: the one near 100 % of a core is the limit. "redis µs/chat" is Redis's CPU per
// chat (its PUBLISH, the pushes to every subscribed process, the cluster's other commands):
// 1e6 / that is the chat rate at which one Redis core is saturated.
//
// redis-server runs with `--save '' --appendonly no` on a free port; the users get a cheap scrypt
// record (N=1024: logins are not what this measures). Nothing is pinned: the load generator (this
// process), the chat processes and Redis share the machine's cores, and the report says how many.
// Every process is stopped (SIGTERM, SIGKILL after 5 s) before the next configuration starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, hostname, release } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { runChatLoad, type ChatLoadResult } from '../lib/chatload.js';
import { DIST } from '../lib/paths.js';
import { cpuSeconds, waitExit } from '../lib/pinned.js';
import { median } from '../lib/stats.js';
import { markdownTable } from '../report/markdown.js';
import { freePort, requireTools, waitForPort } from './protocol-bench.js';

const CONFIGS = ['single', 'cluster-1', 'cluster-2', 'cluster-3'] as const;
const PASSWORD = 'bench-pw';
const USER_PREFIX = 'bench';

interface ChatSample extends ChatLoadResult {
  config: string;
  repeat: number;
  chatCpuPct: number;
  redisCpuPct: number;
}

const positive = (kind: 'int' | 'float') => (text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (kind === 'int' && !Number.isInteger(n))) throw new InvalidArgumentError(`expected a positive ${kind === 'int' ? 'integer' : 'number'}`);
  return n;
};

/** Spawns one chat process on a free port; resolves once it prints "listening on". */
function startChat(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST, 'examples', 'chat', 'main.js'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`chat did not start in 10 s: ${err}`))), 10_000);
    child.stderr!.on('data', (d) => (err = (err + d).slice(-4096)));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`chat exited (${code}) before listening: ${err}`))));
  });
}

/** SETs every bench user's record and waits for Redis to have them (one pipelined connection). */
function addUsers(port: number, count: number): Promise<void> {
  const salt = randomBytes(16);
  const N = 1024;
  const key = scryptSync(PASSWORD, salt, 32, { N, r: 8, p: 1 });
  const record = `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => (sock.destroy(), reject(new Error('redis did not store the users in 10 s'))), 10_000);
    let got = '';
    sock.on('error', reject);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('+PONG\r\n')) (clearTimeout(timer), sock.end(), resolve());
    });
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const k = `user:${USER_PREFIX}${i}`;
      lines.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${record.length}\r\n${record}\r\n`);
    }
    sock.write(`${lines.join('')}PING\r\n`);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = waitExit(child, 5000);
  child.kill('SIGTERM');
  await done;
}

/** Adds `chat` under the `bench` command. */
export function registerChatBench(bench: Command): void {
  bench.parent?.enablePositionalOptions();
  bench.enablePositionalOptions();
  bench
    .command('chat')
    .description('examples/chat room fan-out: one process without --cluster beside 1, 2 and 3 --cluster processes sharing one redis-server (deliveries/s, p99 latency, CPU)')
    .option('--rooms <n>', 'rooms, each filled with --room-size clients', positive('int'), 25)
    .option('--room-size <n>', 'clients per room (each chat goes to room-size - 1 others)', positive('int'), 4)
    .option('--warmup <sec>', 'seconds of load before measuring', positive('float'), 2)
    .option('--duration <sec>', 'measured seconds per run', positive('float'), 5)
    .option('--repeats <n>', 'runs per configuration (the table shows medians)', positive('int'), 1)
    .option('--configs <list>', `comma-separated (${CONFIGS.join(',')})`, (t: string) => t.split(','), [...CONFIGS])
    .option('--json <file>', 'also write every sample as JSON')
    .action(async (o: { rooms: number; roomSize: number; warmup: number; duration: number; repeats: number; configs: string[]; json?: string }) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      requireTools(['redis-server'], 'redis-server');
      for (const c of o.configs) if (!(CONFIGS as readonly string[]).includes(c)) throw new Error(`unknown configuration '${c}' (known: ${CONFIGS.join(', ')})`);
      if (o.roomSize < 2) throw new Error('--room-size must be at least 2 (a chat goes to the others)');
      const perRun = o.warmup + o.duration + 4; // + start, seating the clients, drain, stop
      log(`[chat] ${o.configs.length} configurations x ${o.repeats} repeats, ${o.rooms} rooms x ${o.roomSize} clients: about ${Math.ceil(o.configs.length * o.repeats * perRun)} s (at most ${Math.ceil(o.configs.length * o.repeats * (perRun + 25))} s)`);
      const redisPort = await freePort();
      const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const samples: ChatSample[] = [];
      try {
        await waitForPort(redisPort);
        await addUsers(redisPort, o.rooms * o.roomSize);
        for (let rep = 0; rep < o.repeats; rep++) {
          for (const config of o.configs) {
            const n = config === 'single' ? 1 : Number(config.slice('cluster-'.length));
            const args = ['--redis', `127.0.0.1:${redisPort}`, '--rooms', String(o.rooms), '--room-size', String(o.roomSize)];
            if (config !== 'single') args.push('--cluster', '--cluster-name', `bench-${config}-${rep}`);
            const procs = await Promise.all(Array.from({ length: n }, () => startChat(args)));
            try {
              let cpu0 = 0;
              let redis0 = 0;
              const cpuNow = (): number => procs.reduce((a, p) => a + (cpuSeconds(p.child.pid!) ?? 0), 0);
              let t0 = 0;
              let chatCpuPct = 0;
              let redisCpuPct = 0;
              const r = await runChatLoad({
                ports: procs.map((p) => p.port),
                rooms: o.rooms,
                roomSize: o.roomSize,
                userPrefix: USER_PREFIX,
                password: PASSWORD,
                warmupSec: o.warmup,
                durationSec: o.duration,
                onMeasure: (phase) => {
                  if (phase === 'start') {
                    t0 = performance.now();
                    cpu0 = cpuNow();
                    redis0 = cpuSeconds(redis.pid!) ?? 0;
                  } else {
                    const sec = (performance.now() - t0) / 1000;
                    chatCpuPct = ((cpuNow() - cpu0) / sec) * 100;
                    redisCpuPct = (((cpuSeconds(redis.pid!) ?? 0) - redis0) / sec) * 100;
                  }
                },
              });
              samples.push({ config, repeat: rep, chatCpuPct, redisCpuPct, ...r });
              log(
                `[chat] repeat ${rep + 1}/${o.repeats} ${config}: ${Math.round(r.deliveriesPerSec)} deliveries/s, p99 ${r.p99Ms.toFixed(2)} ms, ` +
                  `chat CPU ${chatCpuPct.toFixed(0)} %, redis CPU ${redisCpuPct.toFixed(0)} %, load generator CPU ${r.loadCpuPct.toFixed(0)} %, missing ${r.missing}, refused ${r.refused}`,
              );
            } finally {
              await Promise.all(procs.map((p) => stop(p.child)));
            }
          }
        }
      } finally {
        await stop(redis);
      }
      const rows = o.configs.map((config) => {
        const mine = samples.filter((s) => s.config === config);
        const m = (f: (s: ChatSample) => number): number => median(mine.map(f));
        return [
          config === 'single' ? '1 process, no --cluster' : `${config.slice(8)} --cluster process${config === 'cluster-1' ? '' : 'es'}`,
          Math.round(m((s) => s.chatsPerSec)).toLocaleString('en-US'),
          Math.round(m((s) => s.deliveriesPerSec)).toLocaleString('en-US'),
          m((s) => s.p50Ms).toFixed(2),
          m((s) => s.p99Ms).toFixed(2),
          `${m((s) => s.chatCpuPct).toFixed(0)} %`,
          config === 'single' ? '-' : `${m((s) => s.redisCpuPct).toFixed(0)} %`,
          config === 'single' ? '-' : m((s) => (s.redisCpuPct * 1e4) / s.chatsPerSec).toFixed(1),
          `${m((s) => s.loadCpuPct).toFixed(0)} %`,
          String(mine.reduce((a, s) => a + s.missing, 0)),
          String(mine.reduce((a, s) => a + s.refused, 0)),
        ];
      });
      const date = new Date().toISOString().slice(0, 10);
      process.stdout.write(
        `bench chat, ${date}, ${hostname()}: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.version}; ` +
          `${o.rooms} rooms x ${o.roomSize} clients (closed loop, one chat in flight per client), ${o.warmup} s warm-up + ${o.duration} s measured, ` +
          `median of ${o.repeats}; unpinned (load generator, chat processes and redis-server share the cores)\n` +
          `${markdownTable(['configuration', 'chats/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'chat CPU', 'redis CPU', 'redis µs/chat', 'load gen CPU', 'missing', 'refused'], rows)}\n`,
      );
      if (o.json) writeFileSync(o.json, `${JSON.stringify({ date, options: o, samples }, null, 2)}\n`);
    });
}
