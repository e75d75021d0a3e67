// `epoll-reactor bench chat`, run for real at its smallest (two rooms, half a second per
// configuration) against a redis-server it starts itself: it prints its duration up front, every
// configuration gets a row, nothing is missing or refused, deliveries happened. Skipped with a
// printed reason when redis-server is not installed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HAS_REDIS_SERVER } from '../examples/redisProcess.js';

const CLI = fileURLToPath(new URL('../../dist/benchmarks/cli.js', import.meta.url));
if (!HAS_REDIS_SERVER) console.log('bench chat test skipped: redis-server is not installed (apt-get install redis-server)');

describe.skipIf(!HAS_REDIS_SERVER)('bench chat', () => {
  it('measures one plain process beside two --cluster processes, losing nothing', () => {
    const args = ['bench', 'chat', '--configs', 'single,cluster-2', '--rooms', '2', '--room-size', '3', '--warmup', '0.2', '--duration', '0.5'];
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/^\[chat\] 2 configurations x 1 repeats, 2 rooms x 3 clients: about \d+ s \(at most \d+ s\)$/m);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\| (1 process|2 --cluster)/.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      expect(Number(cells[3]!.replaceAll(',', ''))).toBeGreaterThan(0); // deliveries/s
      expect(cells.slice(-3, -1)).toEqual(['0', '0']); // missing, refused
    }
  }, 60_000);
});
