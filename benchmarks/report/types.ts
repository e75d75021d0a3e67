// The echo benchmark's result model: what one run measured, what the report
// summarises, and what --json writes. Plain data, no behaviour; shared by the
// runner, the table printer and the SVG chart.

/** The servers under test, in table order. */
export const SERVER_NAMES = ['reactor-lt', 'reactor-et', 'reactor-uring', 'node-net', 'bun', 'c-lt', 'c-et', 'raw-uring', 'c-uring'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** One load-generator run against one freshly started server. */
export interface RunSample {
  config: string;
  server: string;
  repeat: number;
  msgsPerSec: number;
  mbPerSec: number;
  p50Us: number;
  p99Us: number;
  /** Server CPU time over the measured window / wall time, in percent (100 = one core). */
  cpuPct: number | null;
  /** Server system calls / messages echoed, from a separate pass (see measure.ts); null when not measurable. */
  syscallsPerMsg: number | null;
  /** Involuntary context switches of the server per second of the measured window. */
  preemptsPerSec?: number | null;
  /** The load generator's own CPU over the measured window, in percent (100 = one core). */
  clientCpuPct?: number | null;
  /**
   * The client, not the server, limited this run: client CPU >= 90% of what it may use while
   * the server's CPU was < 85% (see clientBound() in lib/runner.ts).
   */
  clientBound?: boolean;
  /** Fairness runs: the light connections' figures. */
  light?: { msgsPerSec: number; p50Us: number; p99Us: number };
}

/** Median and spread of one server in one configuration. */
export interface Summary {
  config: string;
  server: string;
  repeats: number;
  msgsPerSec: { median: number; min: number; max: number };
  mbPerSec: number;
  p50Us: number;
  p99Us: number;
  cpuPct: number | null;
  syscallsPerMsg: number | null;
  preemptsPerSec?: number | null;
  /** Median client CPU %, and whether the medians meet the client-bound rule. */
  clientCpuPct?: number | null;
  clientBound?: boolean;
  /** median msgs/s divided by c-et's median msgs/s in the same configuration (null if no c-et). */
  ratioToCEt: number | null;
  light?: { msgsPerSec: number; p50Us: number; p99Us: number };
}

export interface ConfigInfo {
  /** 'A0', 'B', ..., 'fairness', 'idle-1000'. */
  name: string;
  /** One-line description, e.g. 'C=50 D=16 S=64'. */
  label: string;
}

/** One point of the idle-scaling run: N idle connections beside one active ping-pong one. */
export interface IdlePoint {
  server: string;
  idle: number;
  msgsPerSec: number;
  /** Server CPU microseconds per message (per wakeup: one message in flight). */
  cpuUsPerMsg: number | null;
  p50Us: number;
  p99Us: number;
}

/** The raw-path run: events/s through Epoll.wait vs the npm `epoll` package. */
export interface RawResult {
  readyFds: number;
  /** events per second delivered to JS, by implementation name (e.g. 'Epoll.wait', 'npm epoll'). */
  eventsPerSec: Record<string, number | null>;
}

export interface BenchReport {
  startedAt: string;
  host: { cpus: string; cores: number; kernel: string; node: string; pinned: boolean };
  method: {
    repeats: number;
    warmupSec: number;
    durationSec: number;
    quick: boolean;
    /** Load-generator threads (loadgen -j), and how many CPUs they may use (100% each). */
    clientThreads?: number;
    clientCpus?: number;
    /** Where syscalls/msg came from: 'perf' (a separate, shorter pass), 'self' (counters), 'none'. */
    syscallSource?: 'perf' | 'self' | 'none';
    /** The reactor rows' driver (--driver); absent in runs before it was recorded (integrated). */
    driver?: 'integrated' | 'exclusive';
  };
  configs: ConfigInfo[];
  /** Servers asked for that could not run here, with the reason the tables print (e.g. bun not installed). */
  skipped?: Array<{ server: string; reason: string }>;
  samples: RunSample[];
  summaries: Summary[];
  idle: IdlePoint[];
  raw: RawResult[];
}
