// LineCodec: LF and CRLF lines come out the same however the stream is split; a line over the
// maximum throws ERR_CODEC_LINE_TOO_LONG even before its terminator arrives.
import { describe, expect, it } from 'vitest';
import { ByteBuffer, CodecError } from '../../src/index.js';
import { LineCodec, type LineOptions } from '../../src/codec/index.js';
import { pieces, splitPlans } from './splits.js';
import { catchErr } from './catchErr.js';

function decodeStream(stream: Uint8Array, cuts: number[], opts: LineOptions): string {
  const codec = new LineCodec(opts);
  const input = new ByteBuffer(8);
  const got: string[] = [];
  for (const piece of pieces(stream, cuts)) {
    input.append(piece);
    for (let l = codec.decodeString(input); l !== null; l = codec.decodeString(input)) got.push(JSON.stringify(l));
  }
  return `${got.join('|')} left ${input.readableBytes}`;
}

describe.each<[string, LineOptions, string, string[]]>([
  ['lf', { eol: 'lf' }, 'hello\nwörld\r\n\n\r\nx\ry\nlast', ['hello', 'wörld', '', '', 'x\ry']],
  ['crlf', { eol: 'crlf' }, 'GET / HTTP/1.1\r\nHost: a\r\n\r\nbare\nlf\r\n\r\r\nrest', ['GET / HTTP/1.1', 'Host: a', '', 'bare\nlf', '\r']],
])('LineCodec %s', (_name, opts, text, lines) => {
  it('yields the same lines at every split point, byte by byte and at random splits', () => {
    const stream = Buffer.from(text);
    const tail = text.length - text.lastIndexOf('\n') - 1;
    const expected = `${lines.map((l) => JSON.stringify(l)).join('|')} left ${Buffer.byteLength(text.slice(text.length - tail))}`;
    const plans = splitPlans(stream.length, 200, 9);
    for (const plan of plans) {
      const got = decodeStream(stream, plan.cuts, opts);
      if (got !== expected) expect(got, plan.name).toBe(expected);
    }
    expect(plans.length).toBe(stream.length + 202);
  });
});

describe('LineCodec limits and encoding', () => {
  it('throws ERR_CODEC_LINE_TOO_LONG once more than the maximum is buffered without a terminator', () => {
    const codec = new LineCodec({ maxLineLength: 4 });
    const input = new ByteBuffer();
    input.append('abcd');
    expect(codec.decode(input)).toBeNull();
    input.append('\r'); // could still be "abcd\r\n"
    expect(codec.decode(input)).toBeNull();
    input.append('\n');
    expect(Buffer.from(codec.decode(input)!).toString()).toBe('abcd');
    input.append('abcde');
    const err = catchErr(() => codec.decode(input));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.code).toBe('ERR_CODEC_LINE_TOO_LONG');
    const whole = new ByteBuffer();
    whole.append('abcdef\n');
    expect(catchErr(() => new LineCodec({ maxLineLength: 4 }).decode(whole)).code).toBe('ERR_CODEC_LINE_TOO_LONG');
  });

  it('encodes with its terminator and refuses a line holding it', () => {
    const out = new ByteBuffer();
    new LineCodec({ eol: 'crlf' }).encode(out, 'PING');
    new LineCodec().encode(out, 'a\rb');
    expect(out.takeString(out.readableBytes)).toBe('PING\r\na\rb\n');
    expect(catchErr(() => new LineCodec().encode(out, 'a\nb')).code).toBe('ERR_CODEC_VALUE_RANGE');
    expect(catchErr(() => new LineCodec({ eol: 'crlf' }).encode(out, 'a\r\nb')).code).toBe('ERR_CODEC_VALUE_RANGE');
    expect(catchErr(() => new LineCodec({ maxLineLength: 2 }).encode(out, 'abc')).code).toBe('ERR_CODEC_LINE_TOO_LONG');
  });
});
