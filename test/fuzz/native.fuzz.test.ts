// Fuzzing stays: every native function, called with adversarial arguments by a
// seeded fuzzer (test/fuzz/native-fuzz.mjs) in a child process, must neither
// crash the process (a signal or a non-zero exit) nor hang it (the timeout),
// must throw only coded errors, and must let the process exit once its watches
// are stopped or dropped. Bounded by a time budget and a call cap.
//
// Reproduce a failure with the seed (and call count) it prints:
//   FUZZ_SEED=123 FUZZ_CALLS=45678 npx vitest run test/fuzz
// Other knobs: FUZZ_BUDGET_MS (default 6000).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { native } from '../../src/sys/addon.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = pathToFileURL(join(here, '..', '..', 'dist', 'src')).href;
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) >>> 0;
const maxCalls = Number(process.env.FUZZ_CALLS ?? 200_000);
const budgetMs = Number(process.env.FUZZ_BUDGET_MS ?? 6000);
const scratch = mkdtempSync(join(tmpdir(), 'epoll-reactor-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Report {
  seed: number;
  calls: number;
  elapsedMs: number;
  byFunction: Record<string, number>;
  unexpected: string[];
  unknown: string[];
}

function runFuzzer(): Promise<{ code: number | null; signal: string | null; timedOut: boolean; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--expose-gc', join(here, 'native-fuzz.mjs'), dist, String(seed), String(maxCalls), String(budgetMs)], {
    cwd: scratch, // Unix sockets the fuzzer binds land here
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('latin1').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('latin1').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, budgetMs + 20_000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

describe('native addon under a seeded fuzzer', () => {
  it(`survives adversarial calls to every exported function (seed ${seed})`, async () => {
    console.log(`native fuzz: seed ${seed} (FUZZ_SEED=${seed} reproduces), budget ${budgetMs} ms, at most ${maxCalls} calls`);
    const r = await runFuzzer();
    const context = `seed ${seed}; stderr: ${r.stderr.slice(-2000)}`;
    expect({ timedOut: r.timedOut, signal: r.signal, code: r.code }, context).toEqual({ timedOut: false, signal: null, code: 0 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{"seed"'));
    expect(line, context).toBeDefined();
    const report = JSON.parse(line!) as Report;
    console.log(`native fuzz: ${report.calls} calls in ${report.elapsedMs} ms (seed ${seed})`);
    const exported = Object.keys(native).filter((k) => typeof (native as unknown as Record<string, unknown>)[k] === 'function');
    expect(report.unknown, 'native functions without an argument spec in native-fuzz.mjs (add them to SPECS)').toEqual([]);
    expect(exported.filter((name) => !report.byFunction[name]), 'functions never called').toEqual([]);
    expect(report.unexpected, context).toEqual([]);
    expect(report.calls).toBeGreaterThan(exported.length);
  }, budgetMs + 30_000);
});
