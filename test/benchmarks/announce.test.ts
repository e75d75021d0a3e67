// What long-running commands print before they start: the expected duration, and a warning when
// the machine is already busier than its cores.
import { describe, expect, it } from 'vitest';
import { formatDuration, loadWarning } from '../../benchmarks/lib/announce.js';

describe('announce', () => {
  it('formats durations in s, min and h', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(210)).toBe('3.5 min');
    expect(formatDuration(3 * 3600)).toBe('3.0 h');
  });

  it('warns only when the load average exceeds the cores', () => {
    expect(loadWarning(1.5, 2)).toBeNull();
    expect(loadWarning(2, 2)).toBeNull();
    expect(loadWarning(3.25, 2)).toMatch(/load average 3\.25 is above the 2 cores/);
  });
});
