// Interest and event masks: builders and a printer. Stateless.
//
// `describeEvents(0x80000005)` -> 'IN|OUT|ET'; used in error messages and in the
// "which fd hung" reports of the LT/ET tests.
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

/** Trigger mode of a reactor: level-triggered (default) or edge-triggered. */
export type TriggerMode = 'lt' | 'et';

/** The read interest for a mode: EPOLLIN|EPOLLRDHUP, plus EPOLLET in ET mode. */
export function readInterest(mode: TriggerMode): number {
  return mode === 'et' ? (EPOLLIN | EPOLLRDHUP | EPOLLET) >>> 0 : (EPOLLIN | EPOLLRDHUP) >>> 0;
}
