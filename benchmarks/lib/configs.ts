// The benchmark's configurations (DESIGN "Benchmark method") and its two run
// lengths. A configuration is a load shape; every server runs every one.
import type { LoadSpec } from './loadgen.js';

export type LoadShape = Omit<LoadSpec, 'warmupSec' | 'durationSec'>;

export interface EchoConfig {
  name: string;
  label: string;
  load: LoadShape;
  /** A0: client and server share CPU 0 (the cost of a round trip with no parallelism). */
  sameCore?: boolean;
}

export const ECHO_CONFIGS: EchoConfig[] = [
  { name: 'A0', label: 'C=1 D=1 S=64, one core', load: { conns: 1, depth: 1, size: 64 }, sameCore: true },
  { name: 'B', label: 'C=50 D=16 S=64', load: { conns: 50, depth: 16, size: 64 } },
  { name: 'C', label: 'C=1000 D=1 S=64', load: { conns: 1000, depth: 1, size: 64 } },
  { name: 'D', label: 'C=8 D=4 S=16KiB', load: { conns: 8, depth: 4, size: 16384 } },
  { name: 'E', label: 'C=50 D=1 S=64', load: { conns: 50, depth: 1, size: 64 } },
];

/**
 * Fairness: one connection floods (256 x 4 KiB in flight, 1 MiB) beside 100
 * light ones that each send at most 200 msgs/s, one at a time. The light
 * connections' latency shows how long a flooding peer holds the loop.
 */
export const FAIRNESS: EchoConfig = {
  name: 'fairness',
  label: '1 flood (D=256 S=4KiB) + 100 light (D=1, 200 msg/s each)',
  load: { conns: 101, depth: 1, size: 4096, flood: 1, floodDepth: 256, lightRate: 200 },
};

/** Idle scaling: one ping-pong connection beside N idle ones, on an epoll and a poll(2) server. */
export const IDLE_SERVERS = ['c-et', 'c-poll', 'reactor-et'];
export const IDLE_LOAD: LoadShape = { conns: 1, depth: 1, size: 64 };

export interface Method {
  quick: boolean;
  repeats: number;
  warmupSec: number;
  durationSec: number;
  idleCounts: number[];
}

export const QUICK: Method = { quick: true, repeats: 1, warmupSec: 0.5, durationSec: 1.5, idleCounts: [100, 1000, 10000] };
export const FULL: Method = { quick: false, repeats: 5, warmupSec: 1, durationSec: 3, idleCounts: [100, 1000, 3000, 10000] };
