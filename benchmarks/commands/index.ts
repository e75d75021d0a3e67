// The scale and endurance commands of the `epoll-reactor` CLI, registered in one call.
import type { Command } from 'commander';
import { registerConnections } from './connections.js';
import { registerIdleMemory } from './idle-memory.js';
import { registerSoak } from './soak.js';

export function registerScaleCommands(program: Command, log: (line: string) => void): void {
  registerIdleMemory(program, log);
  registerConnections(program, log);
  registerSoak(program, log);
}
