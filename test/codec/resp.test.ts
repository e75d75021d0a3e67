// RESP2 codec: the encoder's exact bytes, the command decoder (multibulk, inline with
// Redis's quoting, empty commands, limits and their Redis error texts) and the reply
// decoder (every type, nesting, null), each fed whole and split at every byte.
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import {
  RespCommandDecoder,
  RespErrorReply,
  RespProtocolError,
  RespReplyDecoder,
  encodeCommand,
  parseRespInteger,
  writeArrayHeader,
  writeBulkBytes,
  writeBulkLatin1,
  writeBulkString,
  writeCommand,
  writeError,
  writeInteger,
  writeNull,
  writeNullArray,
  writeSimpleString,
  writeValue,
} from '../../src/codec/resp.js';

function encoded(fn: (b: ByteBuffer) => void): string {
  const b = new ByteBuffer(4); // small: forces growth inside the writers
  fn(b);
  return b.takeAll().toString('latin1');
}

/** Feeds `wire` in pieces of `step` bytes (0 = whole), decoding all commands after each piece. */
function decodeCommands(wire: Buffer, step = 0, dec = new RespCommandDecoder()): string[][] {
  const input = new ByteBuffer(8);
  const out: string[][] = [];
  const pieces = step === 0 ? [wire] : Array.from({ length: Math.ceil(wire.length / step) }, (_, i) => wire.subarray(i * step, (i + 1) * step));
  for (const piece of pieces) {
    input.append(piece);
    while (dec.decode(input) > 0) out.push(dec.args().map((a) => a.toString('latin1')));
  }
  expect(input.readableBytes).toBe(0);
  return out;
}

function decodeError(wire: string, dec = new RespCommandDecoder()): RespProtocolError {
  const input = new ByteBuffer();
  input.append(wire, 'latin1');
  try {
    while (dec.decode(input) > 0);
  } catch (err) {
    expect(err).toBeInstanceOf(RespProtocolError);
    return err as RespProtocolError;
  }
  throw new Error(`no error for ${JSON.stringify(wire)}`);
}

describe('encoder', () => {
  it('writes each RESP2 type byte for byte', () => {
    expect(encoded((b) => writeSimpleString(b, 'OK'))).toBe('+OK\r\n');
    expect(encoded((b) => writeError(b, 'ERR bad\r\nthing'))).toBe('-ERR bad  thing\r\n');
    expect(encoded((b) => writeInteger(b, 0))).toBe(':0\r\n');
    expect(encoded((b) => writeInteger(b, -1234567890123))).toBe(':-1234567890123\r\n');
    expect(encoded((b) => writeInteger(b, 9223372036854775807n))).toBe(':9223372036854775807\r\n');
    expect(encoded((b) => writeBulkString(b, 'héllo'))).toBe('$6\r\nh\xc3\xa9llo\r\n');
    expect(encoded((b) => writeBulkString(b, ''))).toBe('$0\r\n\r\n');
    expect(encoded((b) => writeBulkLatin1(b, 'h\xe9llo'))).toBe('$5\r\nh\xe9llo\r\n');
    expect(encoded((b) => writeBulkLatin1(b, 'x'.repeat(1234)))).toBe(`$1234\r\n${'x'.repeat(1234)}\r\n`);
    expect(encoded((b) => writeBulkBytes(b, Buffer.from('xxabcxx'), 2, 5))).toBe('$3\r\nabc\r\n');
    expect(encoded((b) => writeNull(b))).toBe('$-1\r\n');
    expect(encoded((b) => writeNullArray(b))).toBe('*-1\r\n');
    expect(encoded((b) => writeArrayHeader(b, 10))).toBe('*10\r\n');
    expect(encoded((b) => writeValue(b, [1, 'a', null, [Buffer.from('b')], new RespErrorReply('ERR x')]))).toBe(
      '*5\r\n:1\r\n$1\r\na\r\n$-1\r\n*1\r\n$1\r\nb\r\n-ERR x\r\n',
    );
  });

  it('encodes commands the same way into a ByteBuffer and a Buffer', () => {
    const args = ['SET', 'kéy', Buffer.from([0, 13, 10]), 42];
    const expected = '*4\r\n$3\r\nSET\r\n$4\r\nk\xc3\xa9y\r\n$3\r\n\x00\r\n\r\n$2\r\n42\r\n';
    expect(encoded((b) => writeCommand(b, args))).toBe(expected);
    expect(encodeCommand(args).toString('latin1')).toBe(expected);
  });
});

describe('parseRespInteger', () => {
  const p = (s: string): number => parseRespInteger(Buffer.from(s), 0, s.length);
  it('accepts canonical integers only, like Redis string2ll', () => {
    expect(p('0')).toBe(0);
    expect(p('-15')).toBe(-15);
    expect(p('9007199254740991')).toBe(9007199254740991);
    for (const bad of ['', '-', '+1', '01', '-0', ' 1', '1 ', '1a', '9007199254740992', '12345678901234567890']) {
      expect(p(bad), bad).toBeNaN();
    }
  });
});

describe('RespCommandDecoder', () => {
  const pipeline = Buffer.concat([
    encodeCommand(['SET', 'key', 'va\r\nlue']),
    encodeCommand(['GET', 'key']),
    Buffer.from('*0\r\n\r\nPING\r\n  set "a b" \'c\\\'d\' "\\x41\\n"\n'),
    encodeCommand(['MGET', '', 'k2']),
  ]);
  const expected = [['SET', 'key', 'va\r\nlue'], ['GET', 'key'], ['PING'], ['set', 'a b', "c'd", 'A\n'], ['MGET', '', 'k2']];

  it('decodes pipelined multibulk and inline commands, skipping empty ones', () => {
    expect(decodeCommands(pipeline)).toEqual(expected);
  });

  it('gives the same commands when the stream is split at every byte', () => {
    for (const step of [1, 2, 3, 5, 7, 13]) expect(decodeCommands(pipeline, step), `step ${step}`).toEqual(expected);
    for (let cut = 1; cut < pipeline.length; cut++) {
      const input = new ByteBuffer(8);
      const dec = new RespCommandDecoder();
      const got: string[][] = [];
      for (const piece of [pipeline.subarray(0, cut), pipeline.subarray(cut)]) {
        input.append(piece);
        while (dec.decode(input) > 0) got.push(dec.args().map((a) => a.toString('latin1')));
      }
      expect(got, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('exposes arguments without copies: offsets, case-insensitive match, integers', () => {
    const input = new ByteBuffer();
    input.append(encodeCommand(['InCrBy', 'k', '-42']));
    const dec = new RespCommandDecoder();
    expect(dec.decode(input)).toBe(3);
    expect(dec.inline).toBe(false);
    expect(dec.argBuffer).toBe(input.storage);
    expect(dec.argIs(0, 'incrby')).toBe(true);
    expect(dec.argIs(0, 'incr')).toBe(false);
    expect(dec.argInteger(2)).toBe(-42);
    expect(dec.argInteger(1)).toBeNaN();
    expect(dec.argString(1)).toBe('k');
    expect(Buffer.from(dec.argBuffer.subarray(dec.argOffset(1), dec.argOffset(1) + dec.argLength(1))).toString()).toBe('k');
    expect(dec.decode(input)).toBe(0);
  });

  it('rejects malformed framing with Redis protocol error texts', () => {
    expect(decodeError('*1\r\n:1\r\n').message).toBe("Protocol error: expected '$', got ':'");
    expect(decodeError('*x\r\n').code).toBe('ERR_CODEC_RESP_MULTIBULK_LENGTH');
    expect(decodeError('*1\r\n$-1\r\n').message).toBe('Protocol error: invalid bulk length');
    expect(decodeError('*1\r\n$3\r\nabcXY').code).toBe('ERR_CODEC_RESP_SYNTAX');
    expect(decodeError('SET "a\r\n').message).toBe('Protocol error: unbalanced quotes in request');
    expect(decodeError('SET "a"b\r\n').message).toBe('Protocol error: unbalanced quotes in request');
    expect(decodeError("SET 'a\r\n").code).toBe('ERR_CODEC_RESP_SYNTAX');
  });

  it('enforces the bulk length, multibulk count and inline limits', () => {
    const limits = { maxBulkLength: 10, maxMultibulkLength: 3, maxInlineLength: 32 };
    const e1 = decodeError('*1\r\n$11\r\n', new RespCommandDecoder(limits));
    expect([e1.code, e1.message]).toEqual(['ERR_CODEC_RESP_BULK_LENGTH', 'Protocol error: invalid bulk length']);
    expect(decodeCommands(Buffer.from('*1\r\n$10\r\n0123456789\r\n'), 1, new RespCommandDecoder(limits))).toEqual([['0123456789']]);
    const e2 = decodeError('*4\r\n', new RespCommandDecoder(limits));
    expect([e2.code, e2.message]).toEqual(['ERR_CODEC_RESP_MULTIBULK_LENGTH', 'Protocol error: invalid multibulk length']);
    const e3 = decodeError('PING' + ' '.repeat(40), new RespCommandDecoder(limits));
    expect([e3.code, e3.message]).toEqual(['ERR_CODEC_RESP_INLINE_TOO_BIG', 'Protocol error: too big inline request']);
    expect(decodeError('*' + '1'.repeat(40), new RespCommandDecoder(limits)).message).toBe('Protocol error: too big mbulk count string');
    expect(decodeError('*1\r\n$' + '1'.repeat(40), new RespCommandDecoder(limits)).message).toBe('Protocol error: too big bulk count string');
    expect(decodeError('*1\r\n$3\r\nabc\r\n*2\r\n$-5\r\n').code).toBe('ERR_CODEC_RESP_BULK_LENGTH');
  });

  it('waits for a large bulk argument without losing earlier progress', () => {
    const big = Buffer.alloc(200_000, 'x');
    const wire = encodeCommand(['SET', 'k', big]);
    const got = decodeCommands(wire, 4096);
    expect(got.length).toBe(1);
    expect(got[0]![2]!.length).toBe(200_000);
  });
});

describe('RespReplyDecoder', () => {
  const wire = Buffer.from(
    '+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:-7\r\n$5\r\nhe\r\nl\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n' +
      '*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n+x\r\n:9223372036854775807\r\n',
    'latin1',
  );
  const expected = [
    'OK',
    new RespErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value'),
    -7,
    Buffer.from('he\r\nl'),
    Buffer.alloc(0),
    null,
    null,
    [],
    [Buffer.from('a'), [1, null], 'x'],
    Number("9223372036854775807"),
  ];

  function decodeAll(step: number, dec = new RespReplyDecoder()): unknown[] {
    const input = new ByteBuffer(8);
    const out: unknown[] = [];
    for (let i = 0; i < wire.length; i += step) {
      input.append(wire.subarray(i, i + step));
      let v;
      while ((v = dec.decode(input)) !== undefined) out.push(v);
    }
    expect(input.readableBytes).toBe(0);
    return out;
  }

  it('decodes every RESP2 type, whole and split at every byte', () => {
    for (const step of [wire.length, 1, 2, 3, 11]) expect(decodeAll(step), `step ${step}`).toEqual(expected);
    expect((decodeAll(wire.length)[1] as RespErrorReply).prefix).toBe('WRONGTYPE');
  });

  it('returns bulk strings as strings on request', () => {
    const input = new ByteBuffer();
    input.append('$3\r\nabc\r\n');
    expect(new RespReplyDecoder({ bulkAsString: true }).decode(input)).toBe('abc');
  });

  it('enforces nesting and length limits and rejects unknown types', () => {
    const input = new ByteBuffer();
    input.append('*1\r\n*1\r\n*1\r\n:1\r\n');
    expect(() => new RespReplyDecoder({ maxDepth: 2 }).decode(input)).toThrow(expect.objectContaining({ code: 'ERR_CODEC_RESP_NESTING' }));
    const big = new ByteBuffer();
    big.append('$100\r\n');
    expect(() => new RespReplyDecoder({ maxBulkLength: 99 }).decode(big)).toThrow(expect.objectContaining({ code: 'ERR_CODEC_RESP_BULK_LENGTH' }));
    const odd = new ByteBuffer();
    odd.append('?x\r\n');
    expect(() => new RespReplyDecoder().decode(odd)).toThrow(RespProtocolError);
  });
});
