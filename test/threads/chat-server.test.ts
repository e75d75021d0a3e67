// examples/chat-server (the README's LoopPool example) as a user runs it: a room spanning
// two loops — a line said on one loop reaches members on both, a whisper finds its target by
// id on the other loop, /hash runs on the WorkPool; SIGTERM exits 0.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { LineClient } from './client.js';

const SERVER = fileURLToPath(new URL('../../dist/examples/chat-server.js', import.meta.url));

describe('examples/chat-server', () => {
  it('one room across two loops: broadcast, whisper by id, hashing on the WorkPool', async () => {
    const child = spawn(process.execPath, [SERVER, '--loops', '2', '--spread', 'handoff'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const clients: LineClient[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 15_000);
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      for (let i = 0; i < 4; i++) clients.push(await LineClient.open(port));
      const who = await Promise.all(clients.map((c) => c.ask('/whoami')));
      const ids = who.map((w) => Number(/you are (\d+)/.exec(w)![1]));
      expect(who.map((w) => w.split(' ').pop())).toEqual(['0', '1', '0', '1']); // round-robin hand-off
      clients[0]!.send('hello room');
      for (const c of clients) expect(await c.lines(1)).toEqual([`${ids[0]}: hello room`]);
      clients[0]!.send(`/to ${ids[3]} psst`);
      expect(await clients[3]!.lines(1)).toEqual([`${ids[0]} whispers: psst`]);
      clients[1]!.send('/hash abc', '/hash def');
      const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
      expect(await clients[1]!.lines(2)).toEqual([`sha256 ${sha('abc')}`, `sha256 ${sha('def')}`]);
    } finally {
      for (const c of clients) c.close();
      const code = await new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(stderr).toBe('');
    }
  }, 60_000);
});
