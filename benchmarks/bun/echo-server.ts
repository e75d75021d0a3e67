// The Bun anchor of the echo benchmark, run by bun (not node): an echo on
// Bun.listen (uSockets underneath). What a Bun user writes: write what arrived,
// keep what the kernel did not take, and send it from the drain callback, in
// order (a message that arrives while output is pending is queued behind it).
// Same interface as examples/echo-server: `--host H --port P`, prints
// "listening on HOST:PORT", exits 0 on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';

/** The slice of Bun's socket this server uses (no bun-types dependency). */
interface BunSocket {
  data: { pending: Uint8Array | null };
  write(bytes: Uint8Array): number;
  end(): void;
  setNoDelay?(on: boolean): void;
}
interface BunListener {
  hostname: string;
  port: number;
}
declare const Bun: {
  listen(o: {
    hostname: string;
    port: number;
    socket: {
      open(s: BunSocket): void;
      data(s: BunSocket, bytes: Uint8Array): void;
      drain(s: BunSocket): void;
      error(s: BunSocket, err: Error): void;
    };
  }): BunListener;
};

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

/** Writes `bytes`; returns the part the kernel did not take (a copy: Bun reuses its read buffer), or null. */
function writeSome(s: BunSocket, bytes: Uint8Array): Uint8Array | null {
  const n = s.write(bytes);
  if (n < 0) return null; // closed: the close callback follows
  return n < bytes.length ? bytes.slice(n) : null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const listener = Bun.listen({
  hostname: values.host!,
  port: Number(values.port),
  socket: {
    open(s) {
      s.data = { pending: null };
      s.setNoDelay?.(true);
    },
    data(s, bytes) {
      const pending = s.data.pending;
      if (pending) s.data.pending = concat(pending, bytes); // keep order behind what waits for drain
      else s.data.pending = writeSome(s, bytes);
    },
    drain(s) {
      const pending = s.data.pending;
      if (pending) s.data.pending = writeSome(s, pending);
    },
    error(s) {
      s.end(); // a reset peer closes that connection only
    },
  },
});
process.stdout.write(`listening on ${listener.hostname}:${listener.port}\n`);
const stop = (): void => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
