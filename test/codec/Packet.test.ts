// PacketWriter/PacketReader: the calculator's request as a C++ client lays it out, both byte
// orders, NUL-padded fixed strings, and coded errors for out-of-range values and reads past the end.
import { describe, expect, it } from 'vitest';
import { ByteBuffer, CodecError } from '../../src/index.js';
import { PacketReader, PacketWriter } from '../../src/codec/index.js';
import { catchErr } from './catchErr.js';

describe('PacketWriter', () => {
  it('chains fields in the chosen byte order and counts what it wrote', () => {
    const buf = new ByteBuffer();
    const w = new PacketWriter(buf, 'le').putByte('+').putInt32(10).putInt32(-20);
    expect(w.build()).toBe(9);
    expect([...buf.peek()]).toEqual([43, 10, 0, 0, 0, 0xec, 0xff, 0xff, 0xff]);
    const be = new ByteBuffer();
    new PacketWriter(be, 'be').putUInt16(0x0102).putInt32(1).putUInt32(0xfffffffe);
    expect([...be.peek()]).toEqual([1, 2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
  });

  it('writes fixed-size strings NUL-padded, keeping one NUL', () => {
    const buf = new ByteBuffer();
    new PacketWriter(buf, 'le').putFixedString('ab', 5).putFixedString('é', 3);
    expect([...buf.peek()]).toEqual([97, 98, 0, 0, 0, 0xc3, 0xa9, 0]);
    expect(catchErr(() => new PacketWriter(buf, 'le').putFixedString('abcde', 5)).code).toBe('ERR_CODEC_VALUE_RANGE');
    expect(catchErr(() => new PacketWriter(buf, 'le').putFixedString('a\0b', 5)).code).toBe('ERR_CODEC_VALUE_RANGE');
  });

  it('refuses values that do not fit their field', () => {
    const w = new PacketWriter(new ByteBuffer(), 'le');
    for (const f of [() => w.putUInt8(256), () => w.putInt8(-129), () => w.putInt16(0x8000), () => w.putUInt16(-1),
      () => w.putInt32(2 ** 31), () => w.putUInt32(1.5), () => w.putByte('ab'), () => w.putBigUInt64(-1n)]) {
      const err = catchErr(f);
      expect(err).toBeInstanceOf(CodecError);
      expect(err.code).toBe('ERR_CODEC_VALUE_RANGE');
    }
    expect(w.length).toBe(0);
  });

  it('keeps writing correctly across the buffer growing', () => {
    const buf = new ByteBuffer(4);
    const w = new PacketWriter(buf, 'be');
    for (let i = 0; i < 1000; i++) w.putInt32(i * 7919 - 500_000);
    const r = new PacketReader(buf.peek(), 'be');
    for (let i = 0; i < 1000; i++) expect(r.getInt32()).toBe(i * 7919 - 500_000);
    expect(r.remaining).toBe(0);
  });
});

describe('PacketReader', () => {
  it('reads back every field type in both byte orders', () => {
    for (const endian of ['le', 'be'] as const) {
      const buf = new ByteBuffer();
      new PacketWriter(buf, endian).putByte(-1).putUInt8(200).putInt16(-2).putUInt16(65_000).putInt32(-3).putUInt32(4_000_000_000)
        .putBigInt64(-5n).putBigUInt64(2n ** 63n).putFloat64(0.5).putFixedString('user1', 21).putBytes(Uint8Array.of(7, 8));
      const r = new PacketReader(buf.peek(), endian);
      expect([r.getByte(), r.getUInt8(), r.getInt16(), r.getUInt16(), r.getInt32(), r.getUInt32()]).toEqual([-1, 200, -2, 65_000, -3, 4_000_000_000]);
      expect([r.getBigInt64(), r.getBigUInt64(), r.getFloat64(), r.getFixedString(21)]).toEqual([-5n, 2n ** 63n, 0.5, 'user1']);
      expect([...r.getBytes(2)]).toEqual([7, 8]);
      expect(r.remaining).toBe(0);
    }
  });

  it('reading past the end is ERR_CODEC_READ_PAST_END and consumes nothing', () => {
    const r = new PacketReader(Uint8Array.of(1, 2, 3, 4, 5), 'le');
    expect(r.getByte()).toBe(1);
    const err = catchErr(() => r.getInt32() + r.getInt32());
    expect(err).toBeInstanceOf(CodecError);
    expect(err.code).toBe('ERR_CODEC_READ_PAST_END');
    expect(r.position).toBe(5);
    expect(catchErr(() => r.getByte()).code).toBe('ERR_CODEC_READ_PAST_END');
    expect(catchErr(() => new PacketReader(new Uint8Array(20), 'le').getFixedString(21)).code).toBe('ERR_CODEC_READ_PAST_END');
    expect(r.reset(Uint8Array.of(9, 0)).getUInt16()).toBe(9);
  });

  it('a fixed string filled to its last byte (no NUL) reads as the whole field', () => {
    expect(new PacketReader(Buffer.from('abc'), 'le').getFixedString(3)).toBe('abc');
  });
});
