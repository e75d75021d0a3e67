// examples/pool-chat (the README's LoopPool example) as a user runs it: a room spanning
// two loops — a line said on one loop reaches members on both, a whisper finds its target by
// id on the other loop, /hash runs on the WorkPool; SIGTERM exits 0.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { LineClient, startProcess, stopProcess } from './client.js';

const SERVER = fileURLToPath(new URL('../../dist/examples/pool-chat/main.js', import.meta.url));

describe('examples/pool-chat', () => {
  it('one room across two loops: broadcast, whisper by id, hashing on the WorkPool', async () => {
    const server = await startProcess(SERVER, ['--loops', '2', '--spread', 'handoff']);
    const clients: LineClient[] = [];
    try {
      for (let i = 0; i < 4; i++) clients.push(await LineClient.open(server.port));
      const who = await Promise.all(clients.map((c) => c.ask('/whoami')));
      const ids = who.map((w) => Number(/you are (\d+)/.exec(w)![1]));
      expect(who.map((w) => w.split(' ').pop())).toEqual(['0', '1', '0', '1']); // round-robin hand-off
      clients[0]!.send('hello room');
      for (const c of clients) expect(await c.lines(1)).toEqual([`${ids[0]}: hello room`]);
      clients[0]!.send(`/to ${ids[3]} psst`);
      expect(await clients[3]!.lines(1)).toEqual([`${ids[0]} whispers: psst`]);
      // ids no connection can have answer as an unknown id does; the sender stays connected
      for (const bad of ['abc', '-1', '1.5', '1e300', '999999']) expect(await clients[2]!.ask(`/to ${bad} hi`)).toBe(`no member ${bad}`);
      expect(await clients[2]!.ask('/whoami')).toBe(who[2]);
      clients[1]!.send('/hash abc', '/hash def');
      const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
      expect(await clients[1]!.lines(2)).toEqual([`sha256 ${sha('abc')}`, `sha256 ${sha('def')}`]);
    } finally {
      for (const c of clients) c.close();
      expect((await stopProcess(server, 'SIGTERM')).code).toBe(0);
      expect(server.stderr()).toBe('');
    }
  }, 60_000);
});
