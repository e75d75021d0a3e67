// Test helpers shared by every suite: fd accounting, loopback socket pairs,
// FIFOs, and a bounded wait. Everything opened here is closed by the caller
// (or by the `Fds` tracker), so suites can assert /proc/self/fd is unchanged.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, constants as fsc } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { native } from '../src/sys/addon.js';
import { SocketAddress } from '../src/net/SocketAddress.js';
import { listen, localAddress } from '../src/net/socket.js';
import { EAGAIN, EINPROGRESS, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM } from '../src/sys/constants.js';

/** Number of open fds of this process. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The open flags (octal, from /proc/self/fdinfo) of an fd. */
export function fdFlags(fd: number): number {
  const m = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!m) throw new Error(`no flags for fd ${fd}`);
  return parseInt(m[1]!, 8);
}

export const O_CLOEXEC = 0o2000000;

/** Tracks fds a test opens and closes the ones still open at the end. */
export class Fds {
  readonly #open = new Set<number>();
  add(fd: number): number {
    this.#open.add(fd);
    return fd;
  }
  forget(fd: number): void {
    this.#open.delete(fd);
  }
  closeAll(): void {
    for (const fd of this.#open) native.close(fd);
    this.#open.clear();
  }
}

/**
 * The fd tracker of one test file: whatever a test registers is closed after
 * it, and at the end the file must have left /proc/self/fd as it found it.
 */
export function trackedFds(): Fds {
  const fds = new Fds();
  let before = 0;
  beforeAll(() => {
    before = openFdCount();
  });
  afterEach(() => fds.closeAll());
  afterAll(() => {
    expect(openFdCount()).toBe(before);
  });
  return fds;
}

/** A connected loopback TCP pair [client, server], both non-blocking. */
export function tcpPair(fds: Fds): [number, number] {
  const lfd = listen(SocketAddress.ipv4('127.0.0.1', 0));
  try {
    const addr = localAddress(lfd);
    const client = fds.add(native.socket(addr.domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const r = native.connect(client, addr.sockaddr);
    if (r !== 0 && r !== -EINPROGRESS) throw new Error(`connect failed: ${r}`);
    let server = -EAGAIN;
    const deadline = Date.now() + 2000;
    while (server === -EAGAIN && Date.now() < deadline) server = native.accept4(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (server < 0) throw new Error(`accept4 failed: ${server}`);
    fds.add(server);
    return [client, server];
  } finally {
    native.close(lfd);
  }
}

/** A FIFO opened non-blocking: [readFd, writeFd]. A real pipe, from node:fs. */
export function fifoPair(fds: Fds): [number, number] {
  const dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  try {
    const r = fds.add(openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK));
    const w = fds.add(openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK));
    return [r, w];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function closeNodeFd(fd: number): void {
  closeSync(fd);
}

/** Write all of `data` to a non-blocking fd that has room (small test payloads). */
export function writeAll(fd: number, data: Uint8Array | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const n = native.write(fd, buf, 0, buf.length);
  if (n !== buf.length) throw new Error(`short write ${n} of ${buf.length}`);
}

/** Read whatever is available (up to 64 KiB) as a Buffer; empty on EAGAIN. */
export function readSome(fd: number, max = 65536): Buffer {
  const buf = Buffer.alloc(max);
  const n = native.read(fd, buf, 0, max);
  if (n === -EAGAIN) return Buffer.alloc(0);
  if (n < 0) throw new Error(`read failed: ${n}`);
  return buf.subarray(0, n);
}

/** Resolve when `cond()` is true, polling every few ms; reject after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
