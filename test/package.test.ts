// The package as a consumer sees it: `import` and `require('epoll-reactor')`
// from another directory, through the exports map, against the built dist/.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function inConsumer(files: Record<string, string>, run: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'epoll-reactor-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'epoll-reactor'), 'dir');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return execFileSync(process.execPath, [run], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROGRAM = (imp: string) => `${imp}
const ep = new Epoll();
const e = new EventFd();
ep.add(e.fd, EPOLLIN | EPOLLET, 42);
e.write(1);
const n = ep.wait(1000);
console.log(JSON.stringify({ n, fd: ep.fdAt(0) === e.fd, events: ep.eventsAt(0) === EPOLLIN, token: ep.tokenAt(0), poll: ep.poll(0) }));
e.close(); ep.close();`;

const EXPECTED = { n: 1, fd: true, events: true, token: 42, poll: [] };

describe('package entry points', () => {
  it('works as ESM (import) from another project', () => {
    const out = inConsumer({ 'main.mjs': PROGRAM("import { Epoll, EventFd, EPOLLIN, EPOLLET } from 'epoll-reactor';") }, 'main.mjs');
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });

  it('works as CJS (require) from another project', () => {
    const out = inConsumer({ 'main.cjs': PROGRAM("const { Epoll, EventFd, EPOLLIN, EPOLLET } = require('epoll-reactor');") }, 'main.cjs');
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });

  it('exposes the reactor at the root and each tier at its subpath', () => {
    const out = inConsumer(
      {
        'main.mjs': [
          "import * as m from 'epoll-reactor'; import * as sys from 'epoll-reactor/sys'; import * as codec from 'epoll-reactor/codec';",
          "const missing = [['EventLoop', m], ['TcpServer', m], ['TcpClient', m], ['TcpConnection', m], ['ByteBuffer', m], ['SocketAddress', m], ['SystemError', m], ['TimerFd', m], ['Epoll', m],",
          "  ['PollSet', sys], ['Waker', sys], ['poll', sys], ['closeSocket', sys], ['LengthFieldCodec', codec], ['RespCommandDecoder', codec]]",
          "  .filter(([k, ns]) => typeof ns[k] !== 'function').map(([k]) => k);",
          "const leaked = ['native', 'TimerWheel', 'Acceptor', 'Connector', 'LoopThread', 'Doorbells', 'check', 'toError', 'toTimeoutMs', 'AUTO_READ', 'LengthFieldCodec'].filter((k) => k in m);",
          "console.log(JSON.stringify({ missing, leaked, count: Object.keys(m).length, sysNative: typeof sys.native }));",
        ].join('\n'),
      },
      'main.mjs',
    );
    const r = JSON.parse(out) as { missing: string[]; leaked: string[]; count: number; sysNative: string };
    expect(r).toMatchObject({ missing: [], leaked: [], sysNative: 'object' });
    expect(r.count).toBeLessThan(60);
  });
});
