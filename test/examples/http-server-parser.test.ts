// examples/http-server's request parser on its own: pipelined requests split at every byte,
// the connection rules (keep-alive by version and Connection header), bodies skipped by
// Content-Length, and every strictness rule with the status it answers.
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../src/buffer/ByteBuffer.js';
import { COMPLETE, HttpRequestParser, INCOMPLETE, METHOD_GET, METHOD_HEAD, METHOD_OTHER } from '../../examples/http-server/parser.js';

interface Parsed {
  method: number;
  target: string;
  version: number;
  keepAlive: boolean;
}

/** Feeds `wire` in pieces of `step` bytes; returns every request parsed, or the first error status. */
function parseAll(wire: string, step = wire.length, p = new HttpRequestParser()): Array<Parsed | number> {
  const input = new ByteBuffer(16);
  const out: Array<Parsed | number> = [];
  const bytes = Buffer.from(wire, 'latin1');
  for (let i = 0; i < bytes.length; i += step) {
    input.append(bytes.subarray(i, i + step));
    for (;;) {
      const st = p.parse(input);
      if (st === INCOMPLETE) break;
      if (st !== COMPLETE) return [...out, st];
      const target = Buffer.from(p.bytes.subarray(p.targetStart, p.targetStart + p.targetLength)).toString('latin1');
      out.push({ method: p.method, target, version: p.version, keepAlive: p.keepAlive });
    }
  }
  return out;
}

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

describe('HttpRequestParser', () => {
  const pipeline =
    GET('/plaintext') +
    'POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
    'HEAD /a?b=c HTTP/1.1\r\nhOsT: x\r\nX-Empty:\r\nX-Tab:\tv \t\r\n\r\n' +
    '\r\nGET / HTTP/1.0\r\n\r\n' +
    GET('/last', 'Connection: keep-alive, Close\r\n');
  const expected: Parsed[] = [
    { method: METHOD_GET, target: '/plaintext', version: 11, keepAlive: true },
    { method: METHOD_OTHER, target: '/json', version: 11, keepAlive: true },
    { method: METHOD_HEAD, target: '/a?b=c', version: 11, keepAlive: true },
    { method: METHOD_GET, target: '/', version: 10, keepAlive: false },
    { method: METHOD_GET, target: '/last', version: 11, keepAlive: false },
  ];

  it('parses pipelined requests in one piece and split at every byte', () => {
    expect(parseAll(pipeline)).toEqual(expected);
    for (const step of [1, 2, 3, 7, 64]) expect(parseAll(pipeline, step), `step ${step}`).toEqual(expected);
    for (let cut = 1; cut < pipeline.length; cut++) {
      const p = new HttpRequestParser();
      const input = new ByteBuffer(16);
      const got: string[] = [];
      for (const piece of [pipeline.slice(0, cut), pipeline.slice(cut)]) {
        input.append(piece, 'latin1');
        while (p.parse(input) === COMPLETE) got.push(Buffer.from(p.bytes.subarray(p.targetStart, p.targetStart + p.targetLength)).toString());
      }
      expect(got, `cut at ${cut}`).toEqual(expected.map((e) => e.target));
    }
  });

  it('keeps HTTP/1.0 open only with Connection: keep-alive', () => {
    expect(parseAll('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n')).toEqual([{ method: METHOD_GET, target: '/', version: 10, keepAlive: true }]);
  });

  it.each([
    ['a bad request line', 'GET/ HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a missing version', 'GET /\r\nHost: x\r\n\r\n', 400],
    ['a lower-case version', 'GET / http/1.1\r\nHost: x\r\n\r\n', 400],
    ['two spaces', 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a bare LF', 'GET / HTTP/1.1\nHost: x\r\n\r\n', 400],
    ['a bare CR in a value', 'GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n', 400],
    ['a control character in a value', 'GET / HTTP/1.1\r\nHost: x\x01\r\n\r\n', 400],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n', 400],
    ['no Host in HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['conflicting Content-Lengths', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400],
    ['a signed Content-Length', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n', 400],
    ['a body over the limit', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n', 413],
    ['Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 501],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ])('refuses %s', (_what, wire, status) => {
    expect(parseAll(wire)).toEqual([status]);
    expect(parseAll(wire, 1)).toEqual([status]);
  });

  it('answers 431 once the head passes its limit, complete or not', () => {
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`;
    expect(parseAll(big)).toEqual([431]);
    expect(parseAll(big.slice(0, 16 * 1024 + 10), 1000)).toEqual([431]);
    expect(parseAll(big, 1, new HttpRequestParser({ maxHeadBytes: 32 * 1024 }))).toHaveLength(1);
  });
});
