// A strict HTTP/1.1 request-head parser (RFC 9112) that reads from a connection's input
// ByteBuffer: one request at a time, split at any byte, pipelined requests back to back.
//
// Strict means: CRLF line ends only (a bare LF or a bare CR anywhere in the head is an error,
// as llhttp has it), a request line of exactly `method SP target SP HTTP/1.x`, token
// characters in the method and in header names, a target of visible ASCII only (bytes >= 0x80
// refused, as llhttp does), no whitespace before a header's colon, no obs-fold, no control
// characters in values, Host required in HTTP/1.1, one Content-Length (digits only; duplicates
// must agree) and never with Transfer-Encoding. Leading empty lines (CRLF) before a request are
// skipped, as RFC 9112 allows. A head larger than maxHeadBytes is refused with 431 once that
// many bytes arrived without its end. An absolute-form target (`http://host/path`, RFC 9112
// §3.2.2) is accepted and routed by its path. `Expect: 100-continue` on HTTP/1.1 sets
// `continueDue` (the server answers 100 Continue at once, as node:http does); any other
// expectation is refused with 417.
//
// The parser finds the end of the head first (resuming where the last call stopped, so a
// head arriving a byte at a time is scanned once), then validates it in one pass. Results
// are offsets into `input.storage`, valid until the next append to the input (parse()
// retrieves the request's bytes, which moves indices only).
//
// Threading: one parser per connection, on that connection's loop thread.
import type { ByteBuffer } from '../../src/buffer/ByteBuffer.js';

/** parse() results besides a status code. */
export const INCOMPLETE = 0;
export const COMPLETE = 1;

export const METHOD_OTHER = 0;
export const METHOD_GET = 1;
export const METHOD_HEAD = 2;

/** Parser limits. */
export interface HttpParserLimits {
  /** Largest request line + headers. Default 16 KiB. */
  maxHeadBytes?: number;
  /** Largest body accepted (Content-Length); more is refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

// RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = TCHAR[c + 32] = 1;

const CR = 13;
const LF = 10;

export class HttpRequestParser {
  /** METHOD_GET, METHOD_HEAD or METHOD_OTHER. */
  method = METHOD_OTHER;
  /** The request-target's path (origin-form, or the path of an absolute-form target) in `bytes`. */
  targetStart = 0;
  targetLength = 0;
  /** Bytes of the path before any '?' (what routes compare). */
  pathLength = 0;
  /** The storage the offsets refer to. */
  bytes: Uint8Array = new Uint8Array(0);
  /** 10 or 11. */
  version = 11;
  /** Whether the connection stays open after this request (version default, then Connection). */
  keepAlive = true;
  /** The body's length (skipped: these routes take no body). */
  contentLength = 0;
  /**
   * Set when a head asking `Expect: 100-continue` (HTTP/1.1) has just been parsed, before its
   * body arrived: the server sends `100 Continue` and clears it.
   */
  continueDue = false;

  readonly #maxHead: number;
  readonly #maxBody: number;
  #scanned = 0; // bytes after readerIndex already searched for the head's end
  #headEnd = -1; // relative offset just past the head's empty line, once found

  constructor(limits: HttpParserLimits = {}) {
    this.#maxHead = limits.maxHeadBytes ?? 16 * 1024;
    this.#maxBody = limits.maxBodyBytes ?? 1024 * 1024;
  }

  /**
   * Parses the next request from `input`. COMPLETE: the fields describe it and its bytes
   * (head and body) were retrieved. INCOMPLETE: wait for more input. Otherwise the HTTP
   * status to answer before closing: 400, 413, 431, 501 (Transfer-Encoding) or 505.
   */
  parse(input: ByteBuffer): number {
    const s = input.storage;
    let r = input.readerIndex;
    let w = input.writerIndex;
    if (this.#headEnd < 0) {
      // RFC 9112 §2.2: ignore at least one empty line (CRLF) received before the request-line.
      while (w - r >= 2 && s[r] === CR && s[r + 1] === LF) {
        input.retrieve(2); // may rewind both indices (emptied buffer): read them again
        r = input.readerIndex;
        w = input.writerIndex;
        this.#scanned = 0;
      }
      if (w - r === 1 && s[r] === CR) return INCOMPLETE; // perhaps an empty line's CR
      if (r < w && s[r] === LF) return 400;
      let i = r + this.#scanned;
      for (; i < w; i++) {
        const c = s[i];
        if (c === CR) {
          if (i + 1 < w && s[i + 1] !== LF) return 400; // bare CR
          continue;
        }
        if (c !== LF) continue;
        if (s[i - 1] !== CR) return 400; // bare LF
        if (i - r >= 3 && s[i - 2] === LF && s[i - 3] === CR) break;
      }
      if (i >= w) {
        this.#scanned = w - r - (s[w - 1] === CR ? 1 : 0); // a CR at the end is checked again with its successor
        return w - r > this.#maxHead ? 431 : INCOMPLETE;
      }
      if (i + 1 - r > this.#maxHead) return 431;
      this.#headEnd = i + 1 - r;
      const status = this.#parseHead(s, r, i - 1);
      if (status !== COMPLETE) {
        this.continueDue = false;
        return status;
      }
      this.targetStart -= r; // relative while the body is awaited: appends may move the bytes
    }
    const total = this.#headEnd + this.contentLength;
    if (w - r < total) return INCOMPLETE;
    this.bytes = s;
    this.targetStart += r;
    this.#headEnd = -1;
    this.#scanned = 0;
    input.retrieve(total);
    return COMPLETE;
  }

  /** Validates the head s[r, end) (end = the final CRLF's CR) and fills the fields. */
  #parseHead(s: Uint8Array, r: number, end: number): number {
    // request-line = method SP request-target SP HTTP-version
    let p = r;
    while (TCHAR[s[p]!] === 1) p++;
    if (p === r || s[p] !== 32) return 400;
    const mlen = p - r;
    this.method =
      mlen === 3 && s[r] === 71 && s[r + 1] === 69 && s[r + 2] === 84
        ? METHOD_GET
        : mlen === 4 && s[r] === 72 && s[r + 1] === 69 && s[r + 2] === 65 && s[r + 3] === 68
          ? METHOD_HEAD
          : METHOD_OTHER;
    const t = ++p;
    while (s[p]! > 32 && s[p]! < 127) p++; // visible ASCII only: obs-text (>= 0x80) refused as llhttp does
    if (p === t || s[p] !== 32) return 400;
    const path = absolutePath(s, t, p);
    this.targetStart = path;
    this.targetLength = p - path;
    let q = path;
    while (q < p && s[q] !== 63) q++;
    this.pathLength = q - path;
    p++;
    // "HTTP/" DIGIT "." DIGIT CRLF
    if (s[p] !== 72 || s[p + 1] !== 84 || s[p + 2] !== 84 || s[p + 3] !== 80 || s[p + 4] !== 47) return 400;
    const major = s[p + 5]! - 48;
    const minor = s[p + 7]! - 48;
    if (major < 0 || major > 9 || s[p + 6] !== 46 || minor < 0 || minor > 9 || s[p + 8] !== CR || s[p + 9] !== LF) return 400; // a bare CR ends no line
    if (major !== 1) return 505;
    this.version = minor === 0 ? 10 : 11;
    let keepAlive = minor !== 0;
    let connClose = false;
    let connKeep = false;
    let contentLength = -1;
    let host = false;
    let expect = 0; // 1: 100-continue, 2: something else
    p += 10;
    while (p < end) {
      // field-line = field-name ":" OWS field-value OWS CRLF
      const n = p;
      while (TCHAR[s[p]!] === 1) p++;
      if (p === n || s[p] !== 58) return 400; // empty name, whitespace before ':', obs-fold
      const nlen = p - n;
      p++;
      while (s[p] === 32 || s[p] === 9) p++;
      const v = p;
      let c = s[p]!;
      while (c !== CR) {
        if ((c < 32 && c !== 9) || c === 127) return 400;
        c = s[++p]!;
      }
      if (s[p + 1] !== LF) return 400; // a bare CR inside the line
      let ve = p;
      while (ve > v && (s[ve - 1] === 32 || s[ve - 1] === 9)) ve--;
      p += 2;
      const first = s[n]! | 0x20;
      if (nlen === 4 && first === 104 && lowerIs(s, n, 'host')) {
        if (host) return 400; // RFC 9112 §3.2: more than one Host
        host = true;
      } else if (nlen === 10 && first === 99 && lowerIs(s, n, 'connection')) {
        const o = connectionOptions(s, v, ve);
        connClose ||= (o & 1) !== 0;
        connKeep ||= (o & 2) !== 0;
      } else if (nlen === 14 && first === 99 && lowerIs(s, n, 'content-length')) {
        if (ve === v || ve - v > 15) return 400;
        let len = 0;
        for (let k = v; k < ve; k++) {
          const d = s[k]! - 48;
          if (d < 0 || d > 9) return 400;
          len = len * 10 + d;
        }
        if (contentLength >= 0 && contentLength !== len) return 400;
        contentLength = len;
      } else if (nlen === 17 && first === 116 && lowerIs(s, n, 'transfer-encoding')) {
        return 501;
      } else if (nlen === 6 && first === 101 && lowerIs(s, n, 'expect')) {
        expect = ve - v === 12 && lowerIs(s, v, '100-continue') ? 1 : 2;
      }
    }
    if (this.version === 11 && !host) return 400;
    if (contentLength > this.#maxBody) return 413;
    if (this.version === 11 && expect === 2) return 417; // HTTP/1.0 clients' expectations are ignored (RFC 9110 §10.1.1)
    this.continueDue = this.version === 11 && expect === 1;
    if (connClose) keepAlive = false;
    else if (connKeep) keepAlive = true;
    this.keepAlive = keepAlive;
    this.contentLength = contentLength < 0 ? 0 : contentLength;
    return COMPLETE;
  }
}

/**
 * Where the path of target s[t, end) starts: t for origin-form; for absolute-form
 * (`http://authority/path`, any case of the scheme) the '/' after the authority, or `end` when
 * there is no path (then the route is none of ours).
 */
function absolutePath(s: Uint8Array, t: number, end: number): number {
  if (s[t] === 47) return t; // '/': origin-form, the common case
  let p = t;
  if (lowerIs(s, p, 'http')) p += 4;
  else return t;
  if ((s[p]! | 0x20) === 115) p++; // https
  if (s[p] !== 58 || s[p + 1] !== 47 || s[p + 2] !== 47) return t;
  p += 3;
  while (p < end && s[p] !== 47 && s[p] !== 63) p++; // the authority ends at '/' or '?'
  return p;
}

/** s[o, o + lower.length) equals `lower` ignoring ASCII case. */
function lowerIs(s: Uint8Array, o: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) if ((s[o + k]! | 0x20) !== lower.charCodeAt(k)) return false;
  return true;
}

/** The Connection header's options: bit 0 "close", bit 1 "keep-alive" (comma-separated, any case). */
function connectionOptions(s: Uint8Array, v: number, end: number): number {
  let bits = 0;
  let p = v;
  while (p < end) {
    while (p < end && (s[p] === 32 || s[p] === 9 || s[p] === 44)) p++;
    const t = p;
    while (p < end && s[p] !== 44 && s[p] !== 32 && s[p] !== 9) p++;
    const len = p - t;
    if (len === 5 && lowerIs(s, t, 'close')) bits |= 1;
    else if (len === 10 && lowerIs(s, t, 'keep-alive')) bits |= 2;
  }
  return bits;
}
