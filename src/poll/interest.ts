// Interest and events: the one place that builds an epoll mask from what a
// channel wants (mio's `interests_to_epoll`) and the one place that decodes the
// kernel's event bits (mio's `event` module), plus a printer for messages.
// Stateless; any thread.
//
// Kernel quirks these functions absorb:
//   - EPOLLERR and EPOLLHUP are always reported, asked for or not.
//   - A peer's FIN shows as EPOLLRDHUP (when asked for) and, once both directions
//     are shut, EPOLLHUP; either means "read to EOF", and the data before it is
//     still readable (EPOLLIN may or may not be set with it).
//   - EPOLLET changes when an event is reported, not what it means: a reader in
//     ET mode must drain (or remember) what it was told, once.
import {
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLMSG,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDBAND,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWAKEUP,
  EPOLLWRBAND,
  EPOLLWRNORM,
} from '../sys/constants.js';

/** Trigger mode of a reactor: level-triggered (default) or edge-triggered. */
export type TriggerMode = 'lt' | 'et';

/**
 * What a channel wants to hear about: a bit set of READ and WRITE (NONE, READ,
 * WRITE or BOTH). Never a raw epoll mask: interestToEpoll() turns it into one.
 */
export const Interest = {
  /** No events. */
  NONE: 0,
  /** Readable (and peer hang-up). */
  READ: 1,
  /** Writable. */
  WRITE: 2,
  /** READ | WRITE. */
  BOTH: 3,
} as const;
/** One of the Interest values. */
export type Interest = (typeof Interest)[keyof typeof Interest];

/**
 * The epoll mask for an interest in a trigger mode: READ is EPOLLIN|EPOLLRDHUP
 * (RDHUP so a peer's FIN is seen even while we only write), WRITE is EPOLLOUT,
 * and ET mode adds EPOLLET — here and nowhere else.
 */
export function interestToEpoll(interest: number, mode: TriggerMode): number {
  let mask = 0;
  if (interest & Interest.READ) mask |= EPOLLIN | EPOLLRDHUP;
  if (interest & Interest.WRITE) mask |= EPOLLOUT;
  if (mode === 'et' && mask !== 0) mask |= EPOLLET;
  return mask >>> 0;
}

/** The read interest for a mode: EPOLLIN|EPOLLRDHUP, plus EPOLLET in ET mode. */
export function readInterest(mode: TriggerMode): number {
  return interestToEpoll(Interest.READ, mode);
}

// --- decoding the kernel's event bits ------------------------------------------------

/** Something to read: data, or the FIN/hangup that ends the stream (read to see it). */
export function isReadable(events: number): boolean {
  return (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) !== 0;
}

/** The socket can take more output. */
export function isWritable(events: number): boolean {
  return (events & EPOLLOUT) !== 0;
}

/** The peer's FIN (or a full hangup) is queued behind whatever data is left. */
export function isReadClosed(events: number): boolean {
  return (events & (EPOLLRDHUP | EPOLLHUP)) !== 0;
}

/** A pending socket error: fetch it with SO_ERROR (0 there means none after all). */
export function isError(events: number): boolean {
  return (events & EPOLLERR) !== 0;
}

const NAMES: ReadonlyArray<readonly [number, string]> = [
  [EPOLLIN, 'IN'],
  [EPOLLPRI, 'PRI'],
  [EPOLLOUT, 'OUT'],
  [EPOLLERR, 'ERR'],
  [EPOLLHUP, 'HUP'],
  [EPOLLRDNORM, 'RDNORM'],
  [EPOLLRDBAND, 'RDBAND'],
  [EPOLLWRNORM, 'WRNORM'],
  [EPOLLWRBAND, 'WRBAND'],
  [EPOLLMSG, 'MSG'],
  [EPOLLRDHUP, 'RDHUP'],
  [EPOLLEXCLUSIVE, 'EXCLUSIVE'],
  [EPOLLWAKEUP, 'WAKEUP'],
  [EPOLLONESHOT, 'ONESHOT'],
  [EPOLLET, 'ET'],
];

/** 'IN|OUT|ET' for a mask (signed or unsigned); unknown bits as hex; '0' for none. */
export function describeEvents(mask: number): string {
  let rest = mask >>> 0;
  const parts: string[] = [];
  for (const [bit, name] of NAMES) {
    if ((rest & bit) >>> 0 === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : '0';
}
