// Spawning a compiled example (node dist/examples/...) the way a user runs it: wait for
// "listening on HOST:PORT", collect stderr, stop it with a signal and report the exit code.
// The one process helper of the example, resp/http and LoopPool suites. Every wait is
// bounded; a child that hangs is SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of a compiled example, e.g. dist('calculator/main.js'). */
export function dist(path: string): string {
  return fileURLToPath(new URL(`../../dist/examples/${path}`, import.meta.url));
}

/** A running example server. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
}

/** Spawns `node script ...args --port 0` and resolves once it prints its port (SIGKILL and reject after startMs). */
export function startServer(script: string, args: string[], startMs = 10_000): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not print its port in ${startMs / 1000} s; stderr: ${err}`));
    }, startMs);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited early with ${code}: ${err}`));
    });
  });
}

/** Sends `signal` and resolves with the exit code (SIGKILL after killMs). */
export function stopServer(s: ServerProcess, signal: NodeJS.Signals = 'SIGTERM', killMs = 10_000): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve(s.child.exitCode); // exited, or killed (no 'exit' to wait for)
  return new Promise((resolve) => {
    const timer = setTimeout(() => s.child.kill('SIGKILL'), killMs);
    s.child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    s.child.kill(signal);
  });
}

/** Runs `node script ...args` to completion (bounded); resolves with its exit code and output. */
export function runClient(script: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
