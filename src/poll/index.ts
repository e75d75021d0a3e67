// The `poll` layer: the demultiplexer and its fds. No sockets, no buffers.
export { Epoll, DEFAULT_MAX_EVENTS, AUTO_READ, NOT_READ, type EpollOptions } from './Epoll.js';
export { EventFd, Waker, type EventFdOptions } from './EventFd.js';
export { TimerFd, type TimerFdOptions, type ClockName } from './TimerFd.js';
export { PollSet, poll } from './PollSet.js';
export {
  describeEvents,
  readInterest,
  interestToEpoll,
  Interest,
  isReadable,
  isWritable,
  isReadClosed,
  isError,
  type TriggerMode,
} from './interest.js';
export { toTimeoutMs } from './timeout.js';
export {
  Ring,
  DEFAULT_RING_ENTRIES,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_CLAMP,
  IORING_SETUP_SUBMIT_ALL,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IORING_FEAT_SINGLE_MMAP,
  IORING_FEAT_EXT_ARG,
  type RingOptions,
} from './Ring.js';
