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
