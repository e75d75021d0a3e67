// The one epoll set behind every compat `Epoll` of a thread, as in the npm
// `epoll` package (one global epoll fd; an fd can be registered by one instance
// at a time, a second add is EEXIST). It runs on the integrated driver: the
// set's fd is watched by this thread's own libuv loop (`Epoll.watch`), and each
// wake-up drains up to 1024 ready events with one `epoll_wait(0)` — where the
// original hands the main thread one event per round trip from a helper thread.
//
// Thread rule: module state, so one driver per thread (each worker thread has
// its own module instance, its own set and its own watch); used only from that
// thread. Lifetime: the set is made at the first add() and lives as long as the
// thread; its watch keeps the thread alive only while some fd is registered
// (ref/unref), so a process with nothing registered exits.
import { Epoll as RawEpoll } from '../poll/Epoll.js';

/** Where the events of one registered fd go: the owning compat instance. */
export type Sink = (err: Error | null, fd: number, events: number) => void;

/** The thread's set, its watch, and which sink owns each registered fd. */
class ThreadEpollSet {
  #ep: RawEpoll | null = null;
  readonly #owners = new Map<number, Sink>();
  // The batch being dispatched: events [#next, #count) of the last wait(0). A
  // callback that throws leaves the rest here, and they are delivered first
  // (from setImmediate) before the next wait.
  #next = 0;
  #count = 0;
  #resumeQueued = false;

  add(fd: number, events: number, sink: Sink): void {
    this.#set().add(fd, events, fd);
    this.#owners.set(fd, sink);
    this.#refresh();
  }

  modify(fd: number, events: number): void {
    this.#set().modify(fd, events, fd);
  }

  remove(fd: number): void {
    this.#set().delete(fd);
    this.#owners.delete(fd);
    this.#refresh();
  }

  /** Forget `fd` without a syscall (the kernel already dropped it, or its deletion failed). */
  forget(fd: number): void {
    this.#owners.delete(fd);
    this.#refresh();
  }

  /** Number of fds registered in this thread's set. */
  get size(): number {
    return this.#owners.size;
  }

  #set(): RawEpoll {
    if (this.#ep === null) {
      const ep = new RawEpoll();
      ep.watch(() => this.#drain(true));
      ep.unref();
      this.#ep = ep;
    }
    return this.#ep;
  }

  #refresh(): void {
    if (this.#ep === null) return;
    if (this.#owners.size > 0) this.#ep.ref();
    else this.#ep.unref();
  }

  #drain(fresh: boolean): void {
    const ep = this.#ep;
    if (ep === null) return;
    if (fresh && this.#next >= this.#count) {
      this.#next = 0;
      try {
        this.#count = ep.wait(0);
      } catch (err) {
        this.#count = 0;
        this.#fail(err as Error);
        return;
      }
    }
    try {
      while (this.#next < this.#count) {
        const i = this.#next++;
        const fd = ep.fdAt(i);
        // An fd removed by an earlier callback of this batch: its event is stale.
        const sink = this.#owners.get(fd);
        if (sink !== undefined) sink(null, fd, ep.eventsAt(i));
      }
    } finally {
      if (this.#next < this.#count && !this.#resumeQueued) {
        this.#resumeQueued = true;
        setImmediate(() => {
          this.#resumeQueued = false;
          this.#drain(false);
        });
      }
    }
  }

  /** epoll_wait failed: every instance with a registered fd hears of it, once, as in the original. */
  #fail(err: Error): void {
    for (const sink of new Set(this.#owners.values())) sink(err, -1, 0);
  }
}

/** This thread's set. */
export const threadSet = new ThreadEpollSet();
