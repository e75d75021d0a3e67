// LengthFieldCodec: the same stream yields the same frames however it is split; lengths outside
// the limits throw their coded error before any room is made; a large frame arriving in many
// reads is assembled with the buffer's storage replaced at most once after its header is seen.
import { describe, expect, it } from 'vitest';
import { ByteBuffer, CodecError } from '../../src/index.js';
import { LengthFieldCodec, MAX_FRAME_SIZE_CEILING, type LengthFieldOptions } from '../../src/codec/index.js';
import { pieces, prng, splitPlans } from './splits.js';
import { catchErr } from './catchErr.js';

function frames(payloads: Uint8Array[], opts: LengthFieldOptions): Uint8Array {
  const out = new ByteBuffer();
  const codec = new LengthFieldCodec(opts);
  for (const p of payloads) codec.encode(out, p);
  return out.takeAll();
}

/** The frames decoded from `stream` fed in pieces, as hex strings (cheap to compare), plus what is left over. */
function decodeStream(stream: Uint8Array, cuts: number[], opts: LengthFieldOptions): string {
  const codec = new LengthFieldCodec(opts);
  const input = new ByteBuffer(16);
  const got: string[] = [];
  for (const piece of pieces(stream, cuts)) {
    input.append(piece);
    for (let f = codec.decode(input); f !== null; f = codec.decode(input)) got.push(Buffer.from(f).toString('hex'));
  }
  return `${got.join('|')} left ${input.readableBytes}`;
}

const rnd = prng(7);
const PAYLOADS = [0, 1, 3, 4, 5, 17, 0, 300, 2].map((n) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256)));

describe.each<[string, LengthFieldOptions]>([
  ['4-byte BE (default)', {}],
  ['4-byte LE', { endian: 'le' }],
  ['4-byte LE signed', { endian: 'le', signed: true }],
  ['2-byte LE, length includes header', { endian: 'le', fieldSize: 2, includesHeader: true }],
  ['2-byte BE', { endian: 'be', fieldSize: 2 }],
])('LengthFieldCodec %s', (_name, opts) => {
  const stream = frames(PAYLOADS, opts);
  it('yields the same frames at every split point, byte by byte and at random splits', () => {
    const expected = `${PAYLOADS.map((p) => Buffer.from(p).toString('hex')).join('|')} left 0`;
    const plans = splitPlans(stream.length, 200, 42);
    expect(plans.length).toBe(stream.length + 202);
    for (const plan of plans) {
      const got = decodeStream(stream, plan.cuts, opts);
      if (got !== expected) expect(got, plan.name).toBe(expected);
    }
  });
});

describe('LengthFieldCodec wire format and limits', () => {
  it('writes the length in the chosen byte order (BE by default)', () => {
    expect([...frames([Uint8Array.of(9, 9)], {})]).toEqual([0, 0, 0, 2, 9, 9]);
    expect([...frames([Uint8Array.of(9, 9)], { endian: 'le' })]).toEqual([2, 0, 0, 0, 9, 9]);
    expect([...frames([Uint8Array.of(9)], { fieldSize: 2, endian: 'le', includesHeader: true })]).toEqual([3, 0, 9]);
  });

  it('prependHeader frames a buffer in place', () => {
    const buf = new ByteBuffer();
    buf.append('hello');
    new LengthFieldCodec({ endian: 'le' }).prependHeader(buf);
    expect([...buf.peek()]).toEqual([5, 0, 0, 0, ...Buffer.from('hello')]);
  });

  it('refuses an over-maximum length as soon as the header is read, before growing the buffer', () => {
    const codec = new LengthFieldCodec({ endian: 'le' });
    const input = new ByteBuffer(64);
    const capacity = input.capacity;
    input.append(Uint8Array.of(0x01, 0x00, 0x00, 0x02)); // 32 MiB + 1
    const err = catchErr(() => codec.decode(input));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.code).toBe('ERR_CODEC_FRAME_TOO_LARGE');
    expect(input.capacity).toBe(capacity);
    expect(input.readableBytes).toBe(4);
    // 0xffffffff unsigned: too large as well; exactly the ceiling is fine (and reserves nothing for it)
    const huge = new ByteBuffer(64);
    huge.append(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(catchErr(() => codec.decode(huge)).code).toBe('ERR_CODEC_FRAME_TOO_LARGE');
    const max = new ByteBuffer(64);
    max.append(Uint8Array.of(0x00, 0x00, 0x00, 0x02));
    expect(codec.decode(max)).toBeNull();
    expect(max.capacity).toBeLessThan(4096);
  });

  it('grows by bytes received, not bytes announced: a 32 MiB header alone costs no 32 MiB', () => {
    const codec = new LengthFieldCodec({ endian: 'le' });
    const input = new ByteBuffer();
    input.append(Uint8Array.of(0x00, 0x00, 0x00, 0x02)); // announces exactly 32 MiB
    expect(codec.decode(input)).toBeNull();
    expect(input.capacity).toBeLessThan(64 * 1024);
    // as the frame arrives the buffer stays within about twice what has arrived
    const chunk = new Uint8Array(100_000).fill(7);
    for (let sent = 0; sent < 3_000_000; sent += chunk.length) {
      input.append(chunk);
      expect(codec.decode(input)).toBeNull();
      expect(input.capacity).toBeLessThanOrEqual(4 * input.readableBytes + 64 * 1024);
    }
  });

  it('refuses a negative signed length and one below the minimum', () => {
    const signed = new LengthFieldCodec({ endian: 'le', signed: true, minFrameSize: 1, maxFrameSize: 4096 });
    const neg = new ByteBuffer();
    neg.append(Uint8Array.of(0xff, 0xff, 0xff, 0xff)); // -1
    expect(catchErr(() => signed.decode(neg)).code).toBe('ERR_CODEC_BAD_LENGTH');
    const zero = new ByteBuffer();
    zero.append(Uint8Array.of(0, 0, 0, 0));
    expect(catchErr(() => signed.decode(zero)).code).toBe('ERR_CODEC_BAD_LENGTH');
    const big = new ByteBuffer();
    big.append(Uint8Array.of(0x01, 0x10, 0, 0)); // 4097
    expect(catchErr(() => signed.decode(big)).code).toBe('ERR_CODEC_FRAME_TOO_LARGE');
    // includesHeader: a 2-byte field saying 1 cannot even cover itself
    const short = new ByteBuffer();
    short.append(Uint8Array.of(1, 0));
    expect(catchErr(() => new LengthFieldCodec({ fieldSize: 2, endian: 'le', includesHeader: true }).decode(short)).code).toBe('ERR_CODEC_BAD_LENGTH');
  });

  it('rejects options beyond the hard ceiling, and encodes nothing it would refuse to decode', () => {
    expect(() => new LengthFieldCodec({ maxFrameSize: MAX_FRAME_SIZE_CEILING + 1 })).toThrow(RangeError);
    expect(() => new LengthFieldCodec({ fieldSize: 2, maxFrameSize: 70_000 })).toThrow(RangeError);
    const small = new LengthFieldCodec({ maxFrameSize: 3 });
    expect(catchErr(() => small.encode(new ByteBuffer(), new Uint8Array(4))).code).toBe('ERR_CODEC_FRAME_TOO_LARGE');
  });

  it('assembles a 4 MiB frame from 1000 reads with O(log n) storage changes, ending in a view', () => {
    const codec = new LengthFieldCodec();
    const payload = new Uint8Array(4 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const stream = frames([payload], {});
    const input = new ByteBuffer();
    const step = Math.ceil(stream.length / 1000);
    input.append(stream.subarray(0, step));
    expect(codec.decode(input)).toBeNull();
    let storage = input.storage;
    let frame: Uint8Array | null = null;
    let regrown = 0;
    for (let at = step; at < stream.length; at += step) {
      input.append(stream.subarray(at, Math.min(at + step, stream.length)));
      if (input.storage !== storage) regrown++; // amortised doubling: a handful of moves, not 1000
      storage = input.storage;
      frame = codec.decode(input);
    }
    expect(regrown).toBeLessThanOrEqual(12);
    expect(frame).not.toBeNull();
    expect(frame!.buffer).toBe(input.storage.buffer); // a view, not a copy
    expect(Buffer.compare(Buffer.from(frame!), Buffer.from(payload))).toBe(0);
  });
});
