// What the adversarial suites (test/examples/*-hostile.test.ts, error-policy.test.ts) add to the
// raw loopback client of resp-server-harness.ts: connect-and-send helpers that never throw on
// a close, and the process checks every suite ends with — the server still runs, and its
// virtual size as /proc reports it. Every wait is bounded.
import { readFileSync } from 'node:fs';
import { RawClient } from './resp-server-harness.js';
import type { ServerProcess } from './serverProcess.js';

export { RawClient };

/** Connects a raw client to 127.0.0.1:port. */
export function rawClient(port: number): Promise<RawClient> {
  return RawClient.connect(port);
}

/** Writes raw bytes (a string is sent as latin1, byte per char). */
export function send(c: RawClient, data: string | Uint8Array): void {
  c.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
}

/** True once the server has closed the connection, false if it is still open after `ms`. */
export function closedWithin(c: RawClient, ms = 5000): Promise<boolean> {
  return c.closed(ms).then(
    () => true,
    () => false,
  );
}

/** Sends `data` and resolves with what arrived since, once it is as long as `reply` (or the peer closed, or `ms` passed). */
export async function ask(c: RawClient, data: string | Uint8Array, reply: string | Uint8Array, ms = 5000): Promise<string> {
  const from = c.received.length;
  const want = typeof reply === 'string' ? Buffer.byteLength(reply, 'latin1') : reply.length;
  send(c, data);
  await c.until((r) => r.length - from >= want, ms).catch(() => {});
  return c.received.subarray(from).toString('latin1');
}

/** The process's virtual size in bytes (VmSize from /proc/PID/status). */
export function vmSize(pid: number): number {
  const m = /^VmSize:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!m) throw new Error(`no VmSize for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** True while the server process has not exited. */
export function alive(server: ServerProcess): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
