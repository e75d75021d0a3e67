// epoll-reactor: Linux epoll for Node.js — the root entry point.
//
// An explicit list, no `export *`: every name here is public API, and nothing
// else is (the committed API report, etc/api/, shows the emitted surface of each
// entry point; test/api-report.test.ts fails on an unreviewed change). Other tiers:
//   epoll-reactor/sys     kernel constants, the raw `native` binding, socket
//                         helpers, poll(2)/PollSet, Waker — for writing your own loop
//   epoll-reactor/codec   framing: length-prefixed, line, packet reader/writer, RESP2
//   epoll-reactor/compat  a drop-in for the npm `epoll` package
//
// Layers (imports go one way): sys -> poll -> net -> buffer -> loop -> tcp -> threads.
// Importing this module loads the native addon; on a platform other than Linux,
// or when the addon was never built, the import throws an error naming the fix.
/**
 * The reactor, the raw demultiplexer, threads and errors: what most users import.
 *
 * @module epoll-reactor
 */

// The reactor. (TcpServer, TcpClient and TcpConnection serve Unix stream sockets too:
// pass a SocketAddress.unix(path) or a 'unix:/path' string.)
export { EventLoop, type EventLoopOptions, type DriverKind, type LoopMode } from './loop/EventLoop.js';
export { Channel, type EventHandler } from './loop/Channel.js';
export { TimerNode } from './loop/TimerNode.js';
export type { LoopStats } from './loop/LoopStats.js';
export { Interest, type TriggerMode } from './poll/interest.js';
export { TcpServer, type TcpServerOptions, type TcpServerCallbacks } from './tcp/TcpServer.js';
export { TcpClient, type TcpClientOptions, type ClientState } from './tcp/TcpClient.js';
export {
  TcpConnection,
  type ConnectionState,
  type ConnectionCallbacks,
  type ConnectionOptions,
  type CloseInfo,
} from './tcp/TcpConnection.js';
export { ByteBuffer, type BytesLike } from './buffer/ByteBuffer.js';
export { SocketAddress, type AddressFamily } from './net/SocketAddress.js';
export type { AddressLike, ListenOptions } from './net/socket.js';

// The raw demultiplexer and its fds.
export { Epoll, type EpollOptions } from './poll/Epoll.js';
export { Ring, type RingOptions } from './poll/Ring.js';
export { EventFd, type EventFdOptions } from './poll/EventFd.js';
export { TimerFd, type TimerFdOptions, type ClockName } from './poll/TimerFd.js';
export {
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLERR,
  EPOLLHUP,
  EPOLLRDHUP,
  EPOLLET,
  EPOLLONESHOT,
  EPOLLEXCLUSIVE,
  EPOLLWAKEUP,
} from './sys/constants.js';

// Many cores.
export { LoopPool, type LoopPoolOptions, type Spread, type Balance } from './threads/LoopPool.js';
export { WorkPool, type WorkPoolOptions } from './threads/WorkPool.js';
export {
  defineHandler,
  defineWork,
  type DefinedHandler,
  type HandlerFactory,
  type LoopContext,
  type LoopHandler,
  type WorkFunctions,
} from './threads/handler.js';
export type { LoopReport, ModuleRef } from './threads/protocol.js';

// Errors: branch on `err.code` (ErrorCodes lists every code the library throws).
export { ReactorError, CodecError, ThreadsError, ErrorCodes, type ErrorCode, type ThreadOrigin } from './errors.js';
export { SystemError } from './sys/SystemError.js';
// The specific classes, as types (for narrowing after a check of `err.code`).
export type {
  LoopClosedError,
  LoopRunningError,
  FdRegisteredError,
  TimerForeignError,
  TimerReentrantError,
  WriteAfterEndError,
  ConnectionClosedError,
  ConcurrentReadError,
  ClientClosedError,
  ServerListeningError,
  ServerNotListeningError,
  NonErrorThrownError,
  UringUnavailableError,
  HandlerThrewError,
  ThreadDiedError,
  PoolStartError,
  PoolClosedError,
  PoolCloseTimeoutError,
  WorkQueueFullError,
  WorkFailedError,
} from './errors.js';
