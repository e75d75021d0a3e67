// The soak's injected faults, one round every few seconds against every server:
//   kill9        a child process opens 4 connections per server, writes half of
//                a 64 KiB frame on each, and is killed with SIGKILL mid-frame
//   neverReader  a connection that writes 2 MiB and never reads (the server must
//                stop at its high-water mark, not buffer it all), dropped after 1 s
//   resetStorm   20 connections that send a RST right after connecting
// None of these is checked for data (they are faults); the server must survive
// them, keep every other session's bytes intact, and give every fd back.
import { spawn } from 'node:child_process';
import net from 'node:net';

export interface FaultCounts {
  kill9: number;
  neverReader: number;
  resetStorm: number;
}

// The child: connects, writes half a frame on each connection, says "ready", waits to be killed.
const KILL9_CHILD = `
const net = require('node:net');
const ports = JSON.parse(process.argv[1]);
const half = Buffer.alloc(32 * 1024, 7);
let open = 0;
const socks = [];
for (const port of ports) for (let i = 0; i < 4; i++) {
  const s = net.connect({ host: '127.0.0.1', port }, () => { s.write(half); if (++open === ports.length * 4) process.stdout.write('ready\\n'); });
  s.on('error', () => {});
  socks.push(s);
}
setTimeout(() => process.exit(3), 10000);
`;

function kill9(ports: number[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', KILL9_CHILD, JSON.stringify(ports)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout!.on('data', () => child.kill('SIGKILL'));
    child.on('exit', () => {
      clearTimeout(guard);
      resolve();
    });
  });
}

function neverReader(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.pause(); // never read
    s.on('connect', () => {
      s.write(Buffer.alloc(2 << 20, 1));
      setTimeout(() => s.destroy(), 1000);
    });
    s.on('error', () => {});
    s.on('close', () => resolve());
  });
}

function resetStorm(port: number): Promise<void> {
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => s.resetAndDestroy());
      s.on('error', () => {});
      s.on('close', () => resolve());
    });
  return Promise.all(Array.from({ length: 20 }, one)).then(() => undefined);
}

/** Runs one fault round every `everyMs` until stop(); stop() waits for the round in progress. */
export class FaultInjector {
  readonly counts: FaultCounts = { kill9: 0, neverReader: 0, resetStorm: 0 };
  readonly #ports: number[];
  readonly #timer: NodeJS.Timeout;
  #round: Promise<void> = Promise.resolve();

  constructor(ports: number[], everyMs: number) {
    this.#ports = ports;
    this.#timer = setInterval(() => {
      this.#round = this.#round.then(() => this.#runRound());
    }, everyMs);
  }

  async #runRound(): Promise<void> {
    const ps = this.#ports;
    await Promise.all([kill9(ps), ...ps.map(neverReader), ...ps.map(resetStorm)]);
    this.counts.kill9 += ps.length * 4;
    this.counts.neverReader += ps.length;
    this.counts.resetStorm += ps.length * 20;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }
}
