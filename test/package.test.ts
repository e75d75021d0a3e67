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

  it('exposes the reactor and the types through the exports map', () => {
    const out = inConsumer(
      { 'main.mjs': "import * as m from 'epoll-reactor'; console.log(['EventLoop','TcpServer','TcpClient','ByteBuffer','TimerWheel','SocketAddress','SystemError','PollSet','TimerFd','Waker'].filter((k) => typeof m[k] !== 'function').join(','));" },
      'main.mjs',
    );
    expect(out.trim()).toBe('');
  });
});
