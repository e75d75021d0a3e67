// Internal protocol keys between the loop and what it drives (channels' handlers,
// connections, drivers). Keyed by symbols, like undici's lib/core/symbols.js, so
// these methods are not part of the public API: src/index.ts does not export this
// file, and nothing outside src/ may call them. Stateless; any thread.

/** ChannelHandler: an event for this handler's channel (events = kernel bits). */
export const kOnEvent = Symbol('onEvent');
/** PreReadHandler: the batched turn already read for this handler. */
export const kOnPreRead = Symbol('onPreRead');
/** ReadyListEntry: more input than one turn's budget allowed; continue now. */
export const kServeReady = Symbol('serveReady');

/** Flushable: bytes the batched flush should stage now. */
export const kCorkedBytes = Symbol('corkedBytes');
/** Flushable: copy the corked bytes into the write arena. */
export const kStageCorked = Symbol('stageCorked');
/** Flushable: the batched write's result for the staged bytes. */
export const kFinishCorked = Symbol('finishCorked');
/** Flushable: write pending output now, unbatched. */
export const kFlushCorked = Symbol('flushCorked');

/** EventLoop: its epoll set (the drivers watch it; nothing else may touch it). */
export const kEpoll = Symbol('epoll');
/** EventLoop: what the integrated driver watches (its epoll set, or its ring in mode 'uring'). */
export const kWaitSource = Symbol('waitSource');
/** EventLoop: its timing wheel (tests look at it). */
export const kWheel = Symbol('wheel');
/** EventLoop: the storage blocks of its connections' buffers. */
export const kBufferPool = Symbol('bufferPool');
/** EventLoop: the Poller (channel registry) of the loop. */
export const kPoller = Symbol('poller');
/** EventLoop: queue a Flushable for the flush at the end of the handler/turn. */
export const kCork = Symbol('cork');
/** EventLoop: serve an entry next turn without waiting for a new event. */
export const kAddReady = Symbol('addReady');
/** EventLoop: whether a turn is being dispatched (sends cork instead of writing). */
export const kInTurn = Symbol('inTurn');
/** EventLoop: the shared read scratch buffer (muduo's extrabuf). */
export const kScratch = Symbol('scratch');
/** EventLoop: the batched turn's per-fd pre-read cap (0 on the per-fd path). */
export const kReadCap = Symbol('readCap');
/** EventLoop: close now, even inside a turn that will never finish (the thread is exiting). */
export const kCloseAbandoned = Symbol('closeAbandoned');
/** EventLoop: run one turn (drivers call this). */
export const kTurn = Symbol('turn');
/** EventLoop: whether tasks or ready entries wait (a turn must not block). */
export const kHasWork = Symbol('hasWork');
/** Channel: the handler the loop dispatches to (the given one, or an adapter). */
export const kSink = Symbol('sink');
/**
 * Handler, Flushable, ReadyListEntry: a user callback run on this object's behalf
 * threw. Contain it (close what it belongs to, report the error); never throws.
 */
export const kOnThrow = Symbol('onThrow');
/** EventLoop: hand an error to the loop's error policy (onError, else stop and reject run()). */
export const kReportError = Symbol('reportError');
