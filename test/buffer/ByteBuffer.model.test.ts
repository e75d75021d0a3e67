// ByteBuffer against a trivial reference model: the readable bytes as a plain
// array. Random operation sequences -- appends of bytes, strings, integers and
// views of the buffer's own storage, reads, takes, searches, prepends, direct
// writes with hasWritten, unwrite, commitRead through a scratch area, shrink --
// on buffers of random initial and prepend sizes, compared with the model after
// every step (contents, sizes, index invariants, and which calls must throw).
// Seeded (printed; MODEL_SEED replays), bounded.
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { Rng, modelSeed } from '../fuzz/random.js';

const seed = modelSeed();

function be(bytes: number[]): number {
  return bytes.reduce((v, b) => v * 256 + b, 0);
}
function toBe(v: number, n: number): number[] {
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Math.floor(v / 256 ** i) % 256);
  return out;
}

function run(rng: Rng, steps: number): void {
  const prependSize = rng.pick([0, 1, 8, 16]);
  const buf = new ByteBuffer(rng.pick([1, 7, 64, 1024]), prependSize);
  let model: number[] = [];
  const scratch = new Uint8Array(256);
  const log: string[] = [];

  // `fn` must throw RangeError exactly when `fails`; otherwise apply `effect` to the model.
  const expectOutcome = (fails: boolean, fn: () => unknown): unknown => {
    if (fails) {
      expect(fn, log.slice(-5).join('; ')).toThrow(RangeError);
      return undefined;
    }
    return fn();
  };

  for (let step = 0; step < steps; step++) {
    const len = model.length;
    const n = rng.pick([0, 1, 2, 3, 4, rng.int(40), rng.int(300), len, len + 1]);
    const op = rng.int(20);
    log.push(`${op}:${n}`);
    switch (op) {
      case 0:
      case 1: {
        const bytes = rng.bytes(n);
        buf.append(bytes);
        model.push(...bytes);
        break;
      }
      case 2: {
        const s = rng.chance(0.5) ? 'héllo\r\n'.repeat(rng.int(4)) : String.fromCharCode(...rng.bytes(rng.int(20)).map((b) => 32 + (b % 90)));
        const encoding = rng.chance(0.5) ? 'utf8' : 'latin1';
        buf.append(s, encoding);
        model.push(...Buffer.from(s, encoding));
        break;
      }
      case 3: {
        // a view of our own storage (append(peek()) duplicates the readable bytes)
        const start = rng.int(len + 1);
        buf.append(buf.peek().subarray(start));
        model.push(...model.slice(start));
        break;
      }
      case 4: {
        const w = rng.pick([1, 2, 4] as const);
        const v = rng.int(256 ** w);
        if (w === 1) buf.appendUInt8(v);
        else if (w === 2) buf.appendUInt16BE(v);
        else buf.appendUInt32BE(v);
        model.push(...toBe(v, w));
        break;
      }
      case 5:
        expectOutcome(n > len, () => buf.retrieve(n));
        if (n <= len) model = model.slice(n);
        break;
      case 6: {
        const out = expectOutcome(n > len, () => buf.take(n)) as Buffer | undefined;
        if (n <= len) {
          expect(Array.from(out!)).toEqual(model.slice(0, n));
          model = model.slice(n);
        }
        break;
      }
      case 7: {
        const out = expectOutcome(n > len, () => buf.takeString(n, 'latin1')) as string | undefined;
        if (n <= len) {
          expect(out).toBe(Buffer.from(model.slice(0, n)).toString('latin1'));
          model = model.slice(n);
        }
        break;
      }
      case 8: {
        const w = rng.pick([1, 2, 4] as const);
        const read = rng.chance(0.5);
        const v = expectOutcome(len < w, () =>
          w === 1 ? (read ? buf.readUInt8() : buf.peekUInt8()) : w === 2 ? (read ? buf.readUInt16BE() : buf.peekUInt16BE()) : read ? buf.readUInt32BE() : buf.peekUInt32BE(),
        );
        if (len >= w) {
          expect(v).toBe(be(model.slice(0, w)));
          if (read) model = model.slice(w);
        }
        break;
      }
      case 9: {
        const from = rng.int(len + 2);
        const byte = rng.chance(0.5) && len > 0 ? model[rng.int(len)]! : rng.pick([10, 13, 0]);
        const idx = model.indexOf(byte, from);
        expect(buf.indexOf(byte, from)).toBe(idx);
        let crlf = -1;
        for (let i = from; i + 1 < len; i++) if (model[i] === 13 && model[i + 1] === 10) {
          crlf = i;
          break;
        }
        expect(buf.findCRLF(from)).toBe(crlf);
        break;
      }
      case 10: {
        const bytes = rng.bytes(rng.int(12));
        const room = buf.prependableBytes;
        expectOutcome(bytes.length > room, () => buf.prepend(bytes));
        if (bytes.length <= room) model.unshift(...bytes);
        break;
      }
      case 11: {
        const w = rng.pick([1, 2, 4] as const);
        const v = rng.int(256 ** w);
        const room = buf.prependableBytes;
        expectOutcome(room < w, () => (w === 1 ? buf.prependUInt8(v) : w === 2 ? buf.prependUInt16BE(v) : buf.prependUInt32BE(v)));
        if (room >= w) model.unshift(...toBe(v, w));
        break;
      }
      case 12: {
        // reserve, write straight into storage, account for part of it
        buf.ensureWritable(n);
        expect(buf.writableBytes).toBeGreaterThanOrEqual(n);
        const bytes = rng.bytes(rng.int(n + 1));
        buf.storage.set(bytes, buf.writerIndex);
        buf.hasWritten(bytes.length);
        model.push(...bytes);
        expectOutcome(true, () => buf.hasWritten(buf.writableBytes + 1));
        break;
      }
      case 13:
        expectOutcome(n > len, () => buf.unwrite(n));
        if (n <= len) model = model.slice(0, len - n);
        break;
      case 14: {
        // a readv of k bytes into {storage tail, scratch}
        const writable = buf.writableBytes;
        const k = rng.int(writable + scratch.length + 1);
        const bytes = rng.bytes(k);
        buf.storage.set(bytes.subarray(0, Math.min(k, writable)), buf.writerIndex);
        if (k > writable) scratch.set(bytes.subarray(writable));
        buf.commitRead(k, scratch);
        model.push(...bytes);
        break;
      }
      case 15:
        buf.shrink(rng.int(64));
        break;
      case 16:
        buf.retrieveAll();
        model = [];
        expect(buf.readerIndex).toBe(prependSize);
        break;
      case 17:
        expect(() => buf.retrieve(rng.pick([-1, 1.5, NaN]))).toThrow(RangeError);
        break;
      default: {
        const all = buf.takeAll();
        expect(Array.from(all)).toEqual(model);
        model = [];
      }
    }
    // invariants after every step
    const view = buf.peek();
    if (view.length !== model.length || Buffer.compare(Buffer.from(view), Buffer.from(model)) !== 0) {
      expect({ step, bytes: Array.from(view) }).toEqual({ step, bytes: model });
    }
    const indices = [buf.readableBytes, buf.prependableBytes, buf.writerIndex - buf.readerIndex, buf.writerIndex + buf.writableBytes, buf.readerIndex >= 0];
    const want = [model.length, buf.readerIndex, model.length, buf.capacity, true];
    if (indices.join() !== want.join()) expect({ step, indices }).toEqual({ step, indices: want });
  }
}

describe('ByteBuffer against a byte-array model', () => {
  it(`random operation sequences agree with the model (seed ${seed})`, () => {
    console.log(`ByteBuffer model: seed ${seed} (MODEL_SEED=${seed} reproduces)`);
    const rng = new Rng(seed);
    for (let round = 0; round < 40; round++) run(rng, 150);
  });
});
