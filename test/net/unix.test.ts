// Unix-domain addresses at the edges: NUL bytes, the abstract namespace and
// relative paths in text form, and the socket file a listener leaves behind.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SocketAddress } from '../../src/net/SocketAddress.js';
import { closeSocket, listen, localAddress } from '../../src/net/socket.js';
import { removeSocketFile, socketFileOf } from '../../src/net/socketFile.js';
import { trackedFds } from '../helpers.js';

trackedFds();

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-unix-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Unix paths with NUL bytes', () => {
  it('rejects an embedded NUL instead of binding the truncated path', () => {
    withDir((dir) => {
      const path = join(dir, 'a\0b.sock');
      let err: unknown;
      let fd = -1;
      try {
        fd = listen(SocketAddress.unix(path));
      } catch (e) {
        err = e;
      }
      if (fd >= 0) closeSocket(fd);
      expect(readdirSync(dir)).toEqual([]); // no 'a' bound by accident
      expect(err).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE');
      expect(() => SocketAddress.parse(`unix:${path}`)).toThrow(TypeError);
      expect(() => SocketAddress.parse(path)).toThrow(TypeError);
    });
  });

  it('still accepts abstract names, which start with a NUL by definition', () => {
    const a = SocketAddress.unix('\0name');
    expect(a.isAbstract).toBe(true);
    expect(SocketAddress.abstract('name').equals(a)).toBe(true);
    expect(Array.from(a.sockaddr.subarray(2))).toEqual([0, ...Buffer.from('name')]);
  });
});

describe('Unix addresses as text', () => {
  it('toString() and parse() are inverses for absolute, relative and abstract addresses', () => {
    const cases: Array<[SocketAddress, string]> = [
      [SocketAddress.unix('/tmp/x.sock'), '/tmp/x.sock'],
      [SocketAddress.unix('run/x.sock'), 'unix:run/x.sock'],
      [SocketAddress.unix('@literal-file'), 'unix:@literal-file'], // a relative path that starts with '@'
      [SocketAddress.abstract('svc-1'), '@svc-1'],
      [SocketAddress.unix('\0with space'), '@with space'],
    ];
    for (const [addr, text] of cases) {
      expect(addr.toString()).toBe(text);
      const back = SocketAddress.parse(text);
      expect(back.equals(addr)).toBe(true);
      expect(Array.from(back.sockaddr)).toEqual(Array.from(addr.sockaddr));
    }
    expect(SocketAddress.parse('@svc-1').address).toBe('\0svc-1'); // Node's spelling in .address
  });

  it('round-trips what the kernel reports for a relative and an abstract listener', () => {
    withDir((dir) => {
      const rel = relative(process.cwd(), join(dir, 'r.sock'));
      const fd = listen(SocketAddress.unix(rel));
      try {
        const name = localAddress(fd);
        expect(SocketAddress.parse(name.toString()).equals(name)).toBe(true);
      } finally {
        closeSocket(fd);
      }
    });
    const fd = listen(SocketAddress.abstract(`epoll-reactor-rt-${process.pid}`));
    try {
      const name = localAddress(fd);
      expect(name.toString()).toBe(`@epoll-reactor-rt-${process.pid}`);
      expect(SocketAddress.parse(name.toString()).equals(name)).toBe(true);
    } finally {
      closeSocket(fd);
    }
  });
});

describe('socketFileOf / removeSocketFile', () => {
  it('removes the socket file a listener created, once, and only that file', () => {
    withDir((dir) => {
      const path = join(dir, 's.sock');
      const fd = listen(SocketAddress.unix(path));
      const file = socketFileOf(fd);
      closeSocket(fd);
      expect(file?.path).toBe(path);
      expect(existsSync(path)).toBe(true); // close(2) leaves it
      expect(removeSocketFile(file)).toBe(true);
      expect(existsSync(path)).toBe(false);
      expect(removeSocketFile(file)).toBe(false);
      // listen again, then something else takes the path: not ours to remove
      const fd2 = listen(SocketAddress.unix(path));
      const file2 = socketFileOf(fd2);
      closeSocket(fd2);
      rmSync(path);
      writeFileSync(path, 'someone else');
      expect(removeSocketFile(file2)).toBe(false);
      expect(existsSync(path)).toBe(true);
      // a newer socket at the same path is not ours either, even when it got our
      // recycled inode number (likely: the filesystem reuses a freed inode at once)
      for (let i = 0; i < 5; i++) {
        rmSync(path);
        const fd3 = listen(SocketAddress.unix(path));
        try {
          expect(removeSocketFile(file2)).toBe(false);
          expect(existsSync(path)).toBe(true);
        } finally {
          closeSocket(fd3);
        }
      }
      // and a chmod after listen (ctime moves) does not make ours foreign
      rmSync(path);
      const fd4 = listen(SocketAddress.unix(path));
      const file4 = socketFileOf(fd4);
      closeSocket(fd4);
      chmodSync(path, 0o666);
      expect(removeSocketFile(file4)).toBe(true);
    });
  });

  it('has nothing to remove for IP and abstract listeners', () => {
    for (const addr of [SocketAddress.ipv4('127.0.0.1', 0), SocketAddress.abstract(`epoll-reactor-sf-${process.pid}`)]) {
      const fd = listen(addr);
      try {
        expect(socketFileOf(fd)).toBeNull();
      } finally {
        closeSocket(fd);
      }
    }
    expect(removeSocketFile(null)).toBe(false);
  });
});
