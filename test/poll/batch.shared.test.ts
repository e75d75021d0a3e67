// writeMany with its table on a SharedArrayBuffer that another thread rewrites
// while the call runs. The addon must read each [fd, offset, length] entry
// once: if it checked one value and then wrote with another, bytes from past
// the end of the arena (heap memory) would leave through the fd.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { native } from '../../src/sys/addon.js';
import { EAGAIN } from '../../src/sys/constants.js';
import { fifoPair, trackedFds } from '../helpers.js';

const fds = trackedFds();

const ENTRIES = 32;
const GOOD_LEN = 64; // a valid length: [0, 64) lies inside the arena
const BAD_LEN = 60_000; // far past the 4 KiB arena
const ARENA = 4096;
const FILL = 0xab;

// Flips every entry's length between GOOD_LEN and BAD_LEN, counting flips in ctl[1],
// until ctl[0] is set.
const flipper = `
const { workerData } = require('node:worker_threads');
const table = new Int32Array(workerData.table);
const ctl = new Int32Array(workerData.ctl);
const flip = (len) => { for (let i = 0; i < ${ENTRIES}; i++) table[3 * i + 2] = len; Atomics.add(ctl, 1, 1); };
while (Atomics.load(ctl, 0) === 0) {
  flip(${BAD_LEN});
  for (let s = 0; s < 50; s++) Atomics.load(ctl, 0);
  flip(${GOOD_LEN});
  for (let s = 0; s < 500; s++) Atomics.load(ctl, 0);
}
`;

/** Everything the pipe holds now. */
function drain(fd: number, scratch: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (;;) {
    const n = native.read(fd, scratch, 0, scratch.length);
    if (n === -EAGAIN || n === 0) return out;
    if (n < 0) throw new Error(`read failed: ${n}`);
    out.push(scratch.slice(0, n));
  }
}

describe('writeMany with a table on shared memory', () => {
  it('never writes more than the arena holds while another thread rewrites the table', async () => {
    const [r, w] = fifoPair(fds);
    const tableSab = new SharedArrayBuffer(ENTRIES * 3 * 4);
    const ctlSab = new SharedArrayBuffer(8);
    const table = new Int32Array(tableSab);
    const ctl = new Int32Array(ctlSab);
    const arena = new Uint8Array(ARENA).fill(FILL);
    const scratch = new Uint8Array(1 << 17);
    for (let i = 0; i < ENTRIES; i++) table.set([w, 0, GOOD_LEN], 3 * i);

    const worker = new Worker(flipper, { eval: true, workerData: { table: tableSab, ctl: ctlSab } });
    const online = new Promise<void>((resolve) => worker.once('online', () => resolve()));
    let calls = 0;
    let accepted = 0;
    let raced = 0; // calls during which the worker flipped the table at least once
    let leaked = 0; // calls after which more bytes (or other bytes) than the arena's came out
    let worst = 0;
    try {
      await online;
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && (raced < 100 || calls < 300)) {
        const gen = Atomics.load(ctl, 1);
        calls++;
        try {
          native.writeMany(table, ENTRIES, arena);
          accepted++;
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
        }
        if (Atomics.load(ctl, 1) !== gen) raced++;
        let total = 0;
        let foreign = false;
        for (const chunk of drain(r, scratch)) {
          total += chunk.length;
          if (chunk.some((b) => b !== FILL)) foreign = true;
        }
        if (total > ENTRIES * GOOD_LEN || foreign) {
          leaked++;
          worst = Math.max(worst, total);
        }
        if (calls % 50 === 0) await new Promise((res) => setImmediate(res));
      }
    } finally {
      Atomics.store(ctl, 0, 1);
      await worker.terminate();
    }
    expect({ leaked, worst }).toEqual({ leaked: 0, worst: 0 });
    // the race was really exercised: the table changed under some calls, and calls got through
    expect(raced).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });
});
