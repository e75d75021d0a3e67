// A closed-loop, checksumming echo load generator on node:net — an independent
// implementation to check our servers against. Each connection sends a
// deterministic byte stream in messages of `size` bytes with `depth` in flight
// and verifies every echoed byte. Bounded: rejects after `limitMs`.
import { connect, type Socket } from 'node:net';
import { ByteStream } from '../tcp/harness.js';

export interface LoadSpec {
  port: number;
  conns: number;
  messages: number;
  /** Message sizes, cycled per connection (so one run mixes 64 B and 100 KB). */
  sizes: number[];
  depth: number;
  limitMs?: number;
}

function runOne(port: number, seed: number, messages: number, size: number, depth: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const send = new ByteStream(seed);
    const check = new ByteStream(seed);
    const total = messages * size;
    let sent = 0;
    let received = 0;
    const sock: Socket = connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    const pump = (): void => {
      while (sent < messages && sent - Math.floor(received / size) < depth) {
        sock.write(send.next(size));
        sent++;
      }
    };
    sock.on('connect', pump);
    sock.on('data', (chunk: Buffer) => {
      if (!chunk.equals(check.next(chunk.length))) {
        sock.destroy();
        reject(new Error(`conn seed ${seed}: corrupt data near offset ${received}`));
        return;
      }
      received += chunk.length;
      if (received === total) {
        sock.end();
        resolve();
      } else if (received > total) {
        sock.destroy();
        reject(new Error(`conn seed ${seed}: ${received - total} extra bytes`));
      } else pump();
    });
    sock.on('error', (err) => reject(new Error(`conn seed ${seed}: ${err.message}`)));
    sock.on('close', () => {
      if (received < total) reject(new Error(`conn seed ${seed}: closed after ${received}/${total} bytes`));
    });
  });
}

/** Run the load; resolves with the number of bytes verified. */
export async function netLoad(spec: LoadSpec): Promise<number> {
  const limitMs = spec.limitMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`load run did not finish in ${limitMs} ms`)), limitMs);
  });
  const runs = Array.from({ length: spec.conns }, (_, i) =>
    runOne(spec.port, 1000 + i, spec.messages, spec.sizes[i % spec.sizes.length]!, spec.depth),
  );
  try {
    await Promise.race([Promise.all(runs), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return Array.from({ length: spec.conns }, (_, i) => spec.messages * spec.sizes[i % spec.sizes.length]!).reduce((a, b) => a + b, 0);
}
