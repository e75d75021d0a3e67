// Driving the connection holder (benchmarks/c/connhold.c): spawn it pinned to a
// CPU, read its JSON step lines, send it "echo B" / "quit" commands. Every step
// is bounded (connhold's own --timeout, and a backstop here); a step reporting
// errors is thrown, never averaged away.
import { spawn, type ChildProcess } from 'node:child_process';
import { canPin, waitExit } from './pinned.js';

export interface HoldSpec {
  ports: number[];
  count: number;
  /** Global index of this holder's first connection (keys its byte streams and source addresses). */
  first?: number;
  /** Spread source addresses over 127.0.0.2 .. 127.0.0.(1 + srcs). Default 1 (no bind). */
  srcs?: number;
  /** Connects in flight at once. Default 512. */
  window?: number;
  /** Bytes each connection echoes right after connecting. Default 0 (connect only). */
  echo?: number;
  /** Bytes each connection writes and never reads (then the caller kills it). */
  partial?: number;
  seed?: number;
  timeoutSec?: number;
  cpu?: number;
}

export interface StepLine {
  step: string;
  connected?: number;
  connections?: number;
  bytes?: number;
  ms?: number;
  errors?: number;
  fd_limit?: number;
}

/** One running connhold process. */
export class ConnHold {
  readonly child: ChildProcess;
  readonly #lines: StepLine[] = [];
  readonly #waiters: Array<() => void> = [];
  #stderr = '';
  readonly #timeoutMs: number;

  constructor(binary: string, spec: HoldSpec) {
    const args = ['--ports', spec.ports.join(','), '-n', String(spec.count), '--first', String(spec.first ?? 0)];
    args.push('--srcs', String(spec.srcs ?? 1), '--window', String(spec.window ?? 512), '--seed', String(spec.seed ?? 1));
    if (spec.echo) args.push('--echo', String(spec.echo));
    if (spec.partial) args.push('--partial', String(spec.partial));
    this.#timeoutMs = (spec.timeoutSec ?? 120) * 1000;
    args.push('--timeout', String(this.#timeoutMs / 1000));
    const argv = canPin() && spec.cpu !== undefined ? ['taskset', '-c', String(spec.cpu), binary, ...args] : [binary, ...args];
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.#lines.push(JSON.parse(buf.slice(0, nl)) as StepLine);
        buf = buf.slice(nl + 1);
        for (const w of this.#waiters.splice(0)) w();
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.#stderr += d));
    this.child.on('exit', () => {
      for (const w of this.#waiters.splice(0)) w();
    });
    this.child.stdin!.on('error', () => {}); // EPIPE once it has exited: its exit status says why
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next step line named `step` (throws on a failure line, errors, exit or timeout). */
  async next(step: string): Promise<StepLine> {
    const deadline = Date.now() + this.#timeoutMs + 10_000;
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) {
        if (line.step === 'fail' || (line.errors ?? 0) > 0) throw new Error(`connhold ${line.step}: ${JSON.stringify(line)}\n${this.#stderr.trim()}`);
        if (line.step === step) return line;
        continue;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`connhold exited (${this.child.exitCode ?? this.child.signalCode}) waiting for '${step}': ${this.#stderr.trim()}`);
      }
      if (Date.now() > deadline) throw new Error(`connhold: no '${step}' line in time`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Every connection echoes `bytes` more bytes, checked; resolves with the step line. */
  echo(bytes: number): Promise<StepLine> {
    this.child.stdin!.write(`echo ${bytes}\n`);
    return this.next('echo');
  }

  /** Close every connection and exit; throws if any connection saw an error meanwhile. */
  async quit(): Promise<StepLine> {
    this.child.stdin!.end('quit\n');
    const line = await this.next('quit');
    await waitExit(this.child, 10_000);
    return line;
  }

  /** SIGKILL (a client dying mid-frame, or cleanup after a failure). */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await waitExit(this.child, 5_000);
  }
}
