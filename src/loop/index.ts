// The `loop` layer: the event loop (turn, task queue, drivers), channels and their
// registry, loop timers, the batched-turn arenas and loop statistics. Knows no
// protocol and no TCP state. (symbols.ts is internal and not re-exported.)
export { EventLoop, type EventLoopOptions, type DriverKind, type Flushable, type ReadyListEntry } from './EventLoop.js';
export { Channel, type EventHandler } from './Channel.js';
export { LoopStats } from './LoopStats.js';
export { TimerWheel, TimerNode, type TimerWheelOptions } from './TimerWheel.js';
