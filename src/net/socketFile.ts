// The filesystem entry of a listening Unix socket: bind(2) creates it, close(2)
// does not remove it, so whoever bound it unlinks it when done (as libuv does
// for Node's servers) -- otherwise the next listen on the path fails with
// EADDRINUSE. We remove only the file we created: its identity is taken right
// after listen, and the entry is unlinked only if the path still names that
// same socket, never a file someone put there since. Identity is device + inode
// + modification time: an inode number is recycled as soon as a file is
// deleted, so a newer socket at the path (a restarted server's) may well have
// ours, but not our creation time; a socket's mtime does not move with traffic
// or chmod (ctime would: a chmod 666 after listen is common).
// Abstract and unnamed addresses have no file. Stateless; synchronous fs calls
// (an lstat and an unlink, once per listener).
import { lstatSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { localAddress } from './socket.js';

/** What a Unix listener created on disk: an absolute path and the identity of its inode. */
export interface SocketFile {
  /** Absolute path of the socket file. */
  readonly path: string;
  /** Device id of the filesystem holding it. */
  readonly dev: bigint;
  /** Inode number. */
  readonly ino: bigint;
  /** Modification time in ns, as lstat read it right after listen. */
  readonly mtimeNs: bigint;
}

/**
 * The socket file a listening fd bound, or null (IP, abstract or unnamed
 * address, or the path no longer names a socket). Call it right after listen;
 * a relative path is resolved against the current directory now.
 */
export function socketFileOf(fd: number): SocketFile | null {
  const address = localAddress(fd);
  if (address.family !== 'unix' || address.address === '' || address.isAbstract) return null;
  const path = resolve(address.address);
  try {
    const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
    if (st === undefined || !st.isSocket()) return null;
    return { path, dev: st.dev, ino: st.ino, mtimeNs: st.mtimeNs };
  } catch {
    return null; // cannot look at it (EACCES on a parent directory): then it is not ours to remove
  }
}

/**
 * Unlink `file` if its path still names the same socket (same dev, inode and mtime).
 * Returns whether it removed something. Never throws: a missing or replaced
 * entry is left alone, and so is one we may not remove (EACCES, EROFS) -- a
 * server's close() must not fail over a leftover file.
 */
export function removeSocketFile(file: SocketFile | null): boolean {
  if (file === null) return false;
  try {
    const st = lstatSync(file.path, { bigint: true, throwIfNoEntry: false });
    if (st === undefined || !st.isSocket() || st.dev !== file.dev || st.ino !== file.ino || st.mtimeNs !== file.mtimeNs) {
      return false;
    }
    unlinkSync(file.path);
    return true;
  } catch {
    return false;
  }
}
