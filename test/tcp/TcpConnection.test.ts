// TcpConnection details not covered by the echo suites: addresses after close
// (never asked of a reused fd number), output given as any typed array or
// DataView (all its bytes, from its byteOffset), and unread input kept across
// turns while the batched turn reuses its read arena, in every mode x driver x I/O path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpServer } from '../../src/tcp/TcpServer.js';
import { TcpClient } from '../../src/tcp/TcpClient.js';
import type { TcpConnection } from '../../src/tcp/TcpConnection.js';
import { openFdCount } from '../helpers.js';
import { ByteStream, MATRIX, until, withLoop } from './harness.js';

let fdsBefore = 0;
beforeAll(() => {
  fdsBefore = openFdCount();
});
afterAll(() => {
  expect(openFdCount()).toBe(fdsBefore);
});

/** The bytes of a view, as the peer must see them. */
function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

describe.each(MATRIX)('TcpConnection ($mode, $driver, $io)', ({ mode, driver, io }) => {
  it('addresses after close are the ones seen while open, never those of a socket that reused the fd', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const accepted: TcpConnection[] = [];
      const server = new TcpServer(loop, { onConnection: (c) => void accepted.push(c) });
      server.listen();
      const c1 = await new TcpClient(loop, server.address).connect();
      await until(loop, () => accepted.length === 1, 'first accept');
      const c2 = await new TcpClient(loop, server.address).connect();
      await until(loop, () => accepted.length === 2, 'second accept');
      const [s1, s2] = accepted as [TcpConnection, TcpConnection];
      const peer1 = s1.remoteAddress!.toString(); // asked while open: kept
      const local1 = s1.localAddress!.toString();
      expect(peer1).toBe(c1.localAddress!.toString());
      expect(local1).toBe(server.address.toString());
      s1.destroy();
      s2.destroy(); // s2's addresses were never asked for
      const c3 = await new TcpClient(loop, server.address).connect();
      await until(loop, () => accepted.length === 3, 'third accept');
      const s3 = accepted[2]!;
      // the new sockets took the freed fd numbers (lowest free first)
      expect([c3.fd, s3.fd]).toContain(s2.fd);
      expect(s1.remoteAddress!.toString()).toBe(peer1);
      expect(s1.localAddress!.toString()).toBe(local1);
      expect(s2.remoteAddress).toBeUndefined();
      expect(s2.localAddress).toBeUndefined();
      for (const c of [c1, c2, c3]) c.destroy();
      await server.close(1000);
    });
  });

  it('send()/write() take any typed array or DataView by bytes, inside and outside a handler, and write() settles', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      const ab = new ArrayBuffer(16);
      new Uint8Array(ab).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
      const views: ArrayBufferView[] = [
        new Uint16Array([0x4142, 0x4344]),
        new DataView(ab, 3, 5),
        new Uint32Array(ab, 8, 2),
        new Float64Array([1.5]).subarray(0, 1),
      ];
      const sent = Buffer.concat(views.map(bytesOf)); // what the client sends, in order
      const replied = Buffer.concat([...views.slice(1), views[0]!].map(bytesOf)); // the server's reply order
      const settled: string[] = [];
      let atServer = Buffer.alloc(0);
      const server = new TcpServer(loop, {
        onMessage(conn, input) {
          atServer = Buffer.concat([atServer, input.takeAll()]);
          if (atServer.length !== sent.length + 2) return; // wait for everything and 'go'
          // inside a handler: the corked path
          for (const v of views.slice(1)) conn.send(v);
          conn.write(views[0]!).then(
            () => settled.push('server'),
            (e: unknown) => settled.push(String(e)),
          );
        },
      });
      server.listen();
      let atClient = Buffer.alloc(0);
      const client = await new TcpClient(loop, server.address, {
        onMessage(_c, input) {
          atClient = Buffer.concat([atClient, input.takeAll()]);
        },
      }).connect();
      // outside a handler: the direct-write path
      await client.write(views[0]!);
      settled.push('client');
      for (const v of views.slice(1)) client.send(v);
      client.send('go');
      await until(loop, () => settled.length === 2 && atClient.length >= replied.length, 'both write() promises and the reply');
      expect(settled.sort()).toEqual(['client', 'server']);
      expect(atServer.equals(Buffer.concat([sent, Buffer.from('go')]))).toBe(true);
      expect(atClient.equals(replied)).toBe(true);
      client.close();
      await server.close(1000);
    });
  }, 20_000);

  it('unread input survives the next turns byte-exact while other peers\' reads reuse the read arena', async () => {
    await withLoop(mode, { driver, io }, async (loop) => {
      // The server takes whole 7-byte records only and leaves the rest in `input`; the rest
      // must still be there, unchanged, at the next delivery and on a timer between turns.
      const RECORD = 7;
      const PEERS = 6;
      const BYTES = RECORD * 3000;
      const got = new Map<TcpConnection, Buffer[]>();
      const leftover = new Map<TcpConnection, Buffer>();
      const problems: string[] = [];
      const checkLeft = (conn: TcpConnection, where: string): void => {
        const left = leftover.get(conn);
        if (left === undefined) return;
        const now = conn.input.peek();
        if (now.length < left.length || Buffer.compare(bytesOf(now.subarray(0, left.length)), left) !== 0) problems.push(`${where}: unread input changed`);
      };
      const server = new TcpServer(loop, {
        onMessage(conn, input) {
          checkLeft(conn, 'next delivery');
          const whole = input.readableBytes - (input.readableBytes % RECORD);
          if (!got.has(conn)) got.set(conn, []);
          if (whole > 0) got.get(conn)!.push(input.take(whole));
          if (input.readableBytes > 0) {
            leftover.set(conn, Buffer.from(input.peek()));
            loop.setTimeout(() => checkLeft(conn, 'a later turn'), 0);
          } else leftover.delete(conn);
        },
      });
      server.listen();
      const expected: Buffer[] = [];
      const clients: TcpClient[] = [];
      for (let p = 0; p < PEERS; p++) {
        const data = new ByteStream(p + 11).next(BYTES);
        expected.push(data);
        const client = new TcpClient(loop, server.address, {});
        clients.push(client);
        const conn = await client.connect();
        let at = 0;
        const sizes = new ByteStream(p + 101);
        const pump = (): void => {
          if (conn.state !== 'connected') return;
          const n = Math.min(1 + ((sizes.next(2).readUInt16BE(0) % 700) | 0), BYTES - at);
          conn.send(data.subarray(at, at + n));
          at += n;
          if (at < BYTES) loop.setTimeout(pump, at % 3 === 0 ? 1 : 0);
        };
        pump();
      }
      const received = (): number => [...got.values()].reduce((s, l) => s + l.reduce((t, b) => t + b.length, 0), 0);
      await until(loop, () => received() === PEERS * BYTES, `all ${PEERS * BYTES} bytes in whole records`);
      expect(problems).toEqual([]);
      const streams = [...got.values()].map((l) => Buffer.concat(l));
      for (const data of expected) expect(streams.some((s) => s.equals(data))).toBe(true);
      for (const c of clients) c.close();
      await server.close(1000);
    });
  }, 20_000);
});
