// The `threads` layer: many cores. LoopPool runs one exclusive EventLoop per worker thread
// (SO_REUSEPORT listeners or fd hand-off), user code runs in those threads as handler modules
// (defineHandler), and a WorkPool runs CPU-heavy work off the loops (defineWork).
export { LoopPool, type LoopPoolOptions, type Spread, type Balance } from './LoopPool.js';
export { LoopThread, type LoopThreadState, type LoopThreadEvents } from './LoopThread.js';
export { WorkPool, type WorkPoolOptions } from './WorkPool.js';
export { Doorbells } from './Doorbells.js';
export {
  defineHandler,
  defineWork,
  loopOfConnection,
  MAX_LOOPS,
  type DefinedHandler,
  type HandlerFactory,
  type LoopContext,
  type LoopHandler,
  type WorkFunctions,
} from './handler.js';
export type { LoopReport, ModuleRef } from './protocol.js';
