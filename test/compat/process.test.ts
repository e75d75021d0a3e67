// epoll-reactor/compat across process and thread boundaries: when the process
// exits, what an exception in a callback does, how an epoll_wait failure
// reaches the callback, and worker threads. Each scenario runs the compiled
// CommonJS entry (`require('epoll-reactor/compat')` as a user would) in a child
// node process, bounded in time.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const COMPAT = fileURLToPath(new URL('../../dist/src/compat/index.cjs', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/src/index.cjs', import.meta.url));

/** Run a CommonJS program; stdin is a pipe holding one newline (like `echo | node x`). */
function run(program: string, timeout = 10_000) {
  const prelude = `const { Epoll } = require(${JSON.stringify(COMPAT)});\nconst { EventFd } = require(${JSON.stringify(MAIN)});\n`;
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-e', prelude + program], { input: '\n', encoding: 'utf8', timeout });
  return { ...r, ms: performance.now() - t };
}

describe('compat Epoll: process lifetime', () => {
  it('exits when instances exist but nothing was ever registered (the original do-nothing test)', () => {
    const r = run('new Epoll(() => {}); new Epoll(() => {}); console.log("done");');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('done\n');
  });

  it('exits after add + remove + close (the original do-almost-nothing test)', () => {
    const r = run('new Epoll(() => {}).add(0, Epoll.EPOLLIN).remove(0).close();');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
  });

  it('stays alive while an fd is registered, and exits once it is removed', () => {
    const r = run(`
      const efd = new EventFd();
      const ep = new Epoll(() => {});
      ep.add(efd.fd, Epoll.EPOLLIN);
      // unref'd: only the registration can keep the process alive until it fires
      setTimeout(() => { console.log('still alive'); ep.remove(efd.fd).close(); efd.close(); }, 300).unref();
    `);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('still alive\n');
    expect(r.ms).toBeGreaterThanOrEqual(300);
  });

  it('creates an instance per event, a thousand times, then exits (the original leak check, shortened)', () => {
    const r = run(`
      let count = 0;
      const once = () => {
        const epoll = new Epoll((err, fd) => {
          epoll.remove(fd).close();
          if (++count < 1000) once(); else console.log(count);
        });
        epoll.add(0, Epoll.EPOLLIN);
      };
      once();
    `);
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1000\n');
  });
});

describe('compat Epoll: errors', () => {
  it('an exception in a callback is an uncaughtException, and the rest of the batch is still delivered', () => {
    const r = run(`
      const a = new EventFd({ initval: 1 }), b = new EventFd({ initval: 1 });
      const got = [];
      process.on('uncaughtException', (e) => got.push('uncaught:' + e.message));
      const ep = new Epoll((err, fd) => {
        got.push(fd === a.fd ? 'a' : 'b');
        if (got.length === 1) throw new Error('boom');
      });
      ep.add(a.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT).add(b.fd, Epoll.EPOLLIN | Epoll.EPOLLONESHOT);
      setTimeout(() => { console.log(JSON.stringify(got)); ep.close(); a.close(); b.close(); }, 200);
    `);
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as string[];
    expect(got).toHaveLength(3);
    expect(got).toContain('uncaught:boom');
    expect(got.filter((x) => x === 'a' || x === 'b').sort()).toEqual(['a', 'b']);
  });

  it('an epoll_wait failure reaches the callback as its only argument, a strerror() Error', () => {
    // Close the thread's epoll set behind its back (found in /proc/self/fd);
    // the libuv watch holds a dup, so readiness still wakes the driver, whose
    // epoll_wait then fails with EBADF.
    const r = run(`
      const fs = require('node:fs');
      const epolls = () => fs.readdirSync('/proc/self/fd').map(Number)
        .filter((fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:[eventpoll]'; } catch { return false; } });
      const before = new Set(epolls());
      const efd = new EventFd();
      const ep = new Epoll(function (err, fd, events) {
        console.log(JSON.stringify({ args: arguments.length, message: err && err.message, code: err && err.code }));
        efd.close(); // its registration goes with it, so the dup stops waking us
        try { ep.close(); } catch (e) { console.log('close: ' + e.message); }
      });
      ep.add(efd.fd, Epoll.EPOLLIN);
      const mine = epolls().filter((fd) => !before.has(fd)).sort((x, y) => x - y);
      fs.closeSync(mine[0]); // the set; mine[1] is libuv's dup
      efd.write(1);
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    expect(JSON.parse(first!)).toEqual({ args: 1, message: 'Bad file descriptor', code: 'EBADF' });
    expect(second).toBe('close: Bad file descriptor');
  });
});

describe('compat Epoll: worker threads (the original cannot load there)', () => {
  it('delivers events inside a worker, and the worker exits on its own', async () => {
    const worker = new Worker(
      `const { parentPort, isMainThread } = require('node:worker_threads');
       const { Epoll } = require(${JSON.stringify(COMPAT)});
       const { EventFd, EPOLLIN } = require(${JSON.stringify(MAIN)});
       const efd = new EventFd();
       const ep = new Epoll((err, fd, events) => {
         parentPort.postMessage({ err, ok: fd === efd.fd, in: events === EPOLLIN, isMainThread });
         ep.remove(fd).close();
         efd.close();
       });
       ep.add(efd.fd, Epoll.EPOLLIN);
       setTimeout(() => efd.write(1), 20);`,
      { eval: true },
    );
    const message = new Promise((resolve) => worker.once('message', resolve));
    const exit = new Promise<number>((resolve) => worker.once('exit', resolve));
    const killer = setTimeout(() => void worker.terminate(), 5000);
    try {
      expect(await message).toEqual({ err: null, ok: true, in: true, isMainThread: false });
      expect(await exit).toBe(0);
    } finally {
      clearTimeout(killer);
    }
  });
});
