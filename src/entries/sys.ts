// epoll-reactor/sys: the layer under the reactor, for people writing their own loop.
//
// Kernel constants with their kernel values, the raw `native` binding (each
// function returns -errno instead of throwing), the Node-style SystemError and
// check(), the fd limit, socket helpers (non-blocking, close-on-exec sockets;
// the caller owns every fd they return), the event-mask decoders, poll(2) and
// PollSet (the epoll-vs-poll study), the io_uring flags of Ring, and Waker (an eventfd that wakes a
// blocked wait). Re-exports only; no state.
/**
 * The layer under the reactor, for people writing their own loop.
 *
 * @module epoll-reactor/sys
 */
export { native } from '../sys/addon.js';
export type { NativeBinding, NativeWatch, NativeRing } from '../sys/binding.js';
export * from '../sys/constants.js';
export { SystemError, check, errnoName } from '../sys/SystemError.js';
export { fdLimit, raiseFdLimit, type FdLimit } from '../sys/fdLimit.js';
export { AUTO_READ, NOT_READ, DEFAULT_MAX_EVENTS } from '../poll/Epoll.js';
export { Waker } from '../poll/EventFd.js';
export {
  DEFAULT_RING_ENTRIES,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_TASKRUN_FLAG,
  IORING_SETUP_SINGLE_ISSUER,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_CLAMP,
  IORING_SETUP_SUBMIT_ALL,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IORING_FEAT_SINGLE_MMAP,
  IORING_FEAT_EXT_ARG,
} from '../poll/Ring.js';
export { PollSet, poll } from '../poll/PollSet.js';
export { describeEvents, isReadable, isWritable, isReadClosed, isError } from '../poll/interest.js';
export {
  toAddress,
  streamSocket,
  listen,
  connect,
  socketError,
  localAddress,
  peerAddress,
  setIntOption,
  getIntOption,
  setNoDelay,
  setKeepAlive,
  setBufferSizes,
  closeSocket,
  type AddressLike,
  type ListenOptions,
} from '../net/socket.js';
export { removeSocketFile, socketFileOf, type SocketFile } from '../net/socketFile.js';
