// epoll-reactor/compat: a drop-in for the npm `epoll` package
// (`const { Epoll } = require('epoll-reactor/compat')`), on this library's
// integrated driver. Importing it loads the native addon, like the main entry.
/**
 * The npm `epoll` package's API, on this library's integrated driver.
 *
 * @module epoll-reactor/compat
 */
export { CompatEpoll as Epoll, type EpollCallback } from './CompatEpoll.js';
export type { CompatSystemError } from './strerror.js';
