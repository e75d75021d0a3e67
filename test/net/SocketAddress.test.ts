// SocketAddress: parsing, canonical formatting and the raw sockaddr encoding,
// checked against the kernel through bind + getsockname.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocketAddress } from '../../src/net/SocketAddress.js';
import { closeSocket, listen, localAddress } from '../../src/net/socket.js';
import { AF_INET, AF_INET6, AF_UNIX } from '../../src/sys/constants.js';
import { openFdCount } from '../helpers.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

describe('SocketAddress parsing and formatting', () => {
  it('parses HOST:PORT, [V6]:PORT, unix paths and localhost', () => {
    const a = SocketAddress.parse('127.0.0.1:8080');
    expect([a.family, a.address, a.port, a.domain]).toEqual(['ipv4', '127.0.0.1', 8080, AF_INET]);
    const b = SocketAddress.parse('[::1]:443');
    expect([b.family, b.address, b.port, b.domain]).toEqual(['ipv6', '::1', 443, AF_INET6]);
    expect(SocketAddress.parse('localhost:1').address).toBe('127.0.0.1');
    const u = SocketAddress.parse('unix:/tmp/x.sock');
    expect([u.family, u.address, u.domain]).toEqual(['unix', '/tmp/x.sock', AF_UNIX]);
    expect(SocketAddress.parse('/run/y.sock').address).toBe('/run/y.sock');
    expect(b.toString()).toBe('[::1]:443');
    expect(a.toString()).toBe('127.0.0.1:8080');
  });

  it('formats IPv6 canonically (RFC 5952)', () => {
    const cases: Array<[string, string]> = [
      ['0:0:0:0:0:0:0:1', '::1'],
      ['2001:DB8:0:0:8:800:200C:417A', '2001:db8::8:800:200c:417a'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['::', '::'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['fe80::1:2', 'fe80::1:2'],
      ['1::', '1::'],
      ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ];
    for (const [input, out] of cases) expect(SocketAddress.ipv6(input, 0).address).toBe(out);
    const z = SocketAddress.ipv6('fe80::1%3', 80);
    expect(z.scopeId).toBe(3);
    expect(z.toString()).toBe('[fe80::1%3]:80');
  });

  it('encodes sockaddr_in / sockaddr_in6 bytes', () => {
    const a = SocketAddress.ipv4('10.1.2.3', 0x1234).toSockaddr();
    expect(a.length).toBe(16);
    expect([...a.subarray(2, 8)]).toEqual([0x12, 0x34, 10, 1, 2, 3]);
    const b = SocketAddress.ipv6('::1', 80).toSockaddr();
    expect(b.length).toBe(28);
    expect(b[23]).toBe(1);
    expect(SocketAddress.fromSockaddr(b).equals(SocketAddress.ipv6('::1', 80))).toBe(true);
  });

  it('rejects garbage with TypeError/RangeError', () => {
    for (const bad of ['', '1.2.3.4', '1.2.3.4:', 'host:80', '[::1]80', '1.2.3.256:1', '[::g]:1']) {
      expect(() => SocketAddress.parse(bad)).toThrow(TypeError);
    }
    expect(() => SocketAddress.parse('1.2.3.4:70000')).toThrow(RangeError);
    expect(() => SocketAddress.ipv4('1.2.3.4', -1)).toThrow(RangeError);
    expect(() => SocketAddress.ipv6('fe80::1%eth0', 1)).toThrow(TypeError);
    expect(() => SocketAddress.unix('x'.repeat(200))).toThrow(RangeError);
    expect(() => SocketAddress.parse(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('SocketAddress against the kernel', () => {
  it('round-trips IPv4 through bind and getsockname', () => {
    const fd = listen('127.0.0.1:0');
    try {
      const addr = localAddress(fd);
      expect(addr.family).toBe('ipv4');
      expect(addr.address).toBe('127.0.0.1');
      expect(addr.port).toBeGreaterThan(0);
    } finally {
      closeSocket(fd);
    }
  });

  it('round-trips IPv6 loopback when the kernel has it', () => {
    let fd: number;
    try {
      fd = listen('[::1]:0');
    } catch (e) {
      // a box without IPv6 on lo: nothing to check, but say so
      expect((e as { code?: string }).code).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
      return;
    }
    try {
      const addr = localAddress(fd);
      expect(addr.family).toBe('ipv6');
      expect(addr.address).toBe('::1');
      expect(addr.port).toBeGreaterThan(0);
    } finally {
      closeSocket(fd);
    }
  });

  it('round-trips Unix paths, including the abstract namespace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-'));
    try {
      const path = join(dir, 's.sock');
      const fd = listen(SocketAddress.unix(path));
      try {
        expect(localAddress(fd).address).toBe(path);
      } finally {
        closeSocket(fd);
      }
      const name = `\0epoll-reactor-test-${process.pid}`;
      const fd2 = listen(SocketAddress.unix(name));
      try {
        expect(localAddress(fd2).address).toBe(name);
      } finally {
        closeSocket(fd2);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
