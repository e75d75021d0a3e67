// Runs a small ES module script in a child Node process, bounded in time: for
// behaviour a test cannot observe in its own process (the process exits, or it
// crashes). The script sees DIST, the file URL of the compiled dist/src/ (built
// by the global setup), and the parent's environment (so an ASan run's
// EPOLL_REACTOR_ADDON and LD_PRELOAD reach it too).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src')).href;

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The child was still running after timeoutMs and was killed with SIGKILL. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Run `script` (module code; `DIST` is defined) with extra node flags; kill it after timeoutMs. */
export function runChild(script: string, options: { nodeArgs?: string[]; timeoutMs?: number; args?: string[] } = {}): Promise<ChildResult> {
  const source = `const DIST = ${JSON.stringify(DIST)};\n${script}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '-e', source, '--', ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 10_000);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}
