// What every long-running command says before it starts: how long it should take (an estimate
// from its own parameters, so the user can decide to run --quick instead) and whether the machine
// is already busy (a load average above the core count makes every figure noisy). Stderr only:
// stdout carries the results.
import { availableParallelism, loadavg } from 'node:os';

/** "45 s", "3.5 min", "1.2 h". */
export function formatDuration(sec: number): string {
  if (sec < 90) return `${Math.max(1, Math.round(sec))} s`;
  if (sec < 5400) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

/** The warning line when the 1-minute load average exceeds the cores, else null. */
export function loadWarning(load = loadavg()[0]!, cores = availableParallelism()): string | null {
  return load > cores
    ? `warning: load average ${load.toFixed(2)} is above the ${cores} cores here: other work competes with the run, figures will be noisy`
    : null;
}

/** Logs `[name] expected duration: about X` and the load warning if there is one. */
export function announceRun(log: (line: string) => void, name: string, expectedSec: number): void {
  log(`[${name}] expected duration: about ${formatDuration(expectedSec)}; progress follows`);
  const warning = loadWarning();
  if (warning !== null) log(`[${name}] ${warning}`);
}
