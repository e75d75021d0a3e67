// FdWatch: the integrated driver's hook for one fd -- a uv_poll_t in Node's own libuv loop
// (native/watch.cc) that calls back whenever the fd polls readable. Epoll watches its epoll fd
// with one, Ring its ring fd.
//
// Lifetime: a native watch lives only as long as its handle; a started FdWatch keeps itself
// reachable (the `running` set) until stop(), so a watched Epoll or Ring behaves like a Node
// handle: it runs and, unless unref'd, keeps the process alive even if the caller drops it.
// ref()/unref() are remembered: asked before start(), they apply when the watch starts.
// Threading: the JS thread that started it.
import { native } from '../sys/addon.js';
import type { NativeWatch } from '../sys/binding.js';

/** Every FdWatch that is started: the root that keeps a running watch (and its handle) reachable. */
const running = new Set<FdWatch>();

/** One fd watched from Node's event loop, with a remembered ref/unref. */
export class FdWatch {
  #handle: NativeWatch | null = null;
  /** ref()/unref() as last asked, applied to every start (also one started later). */
  #refed = true;

  /** Whether start() ran and stop() did not since. */
  get active(): boolean {
    return this.#handle !== null;
  }

  /** Call `onReady` from Node's loop while `fd` polls readable. The caller checks it is not active. */
  start(fd: number, onReady: () => void): void {
    this.#handle = native.watchStart(fd, onReady);
    if (!this.#refed) native.watchRef(this.#handle, false);
    running.add(this);
  }

  /** Stop watching. Safe when not active, and from inside onReady. */
  stop(): void {
    if (this.#handle !== null) {
      native.watchStop(this.#handle);
      this.#handle = null;
      running.delete(this);
    }
  }

  /** Keep the process alive while active (the default). Remembered before start(). */
  ref(): void {
    this.#refed = true;
    if (this.#handle !== null) native.watchRef(this.#handle, true);
  }

  /** Let the process exit while active. Remembered before start(). */
  unref(): void {
    this.#refed = false;
    if (this.#handle !== null) native.watchRef(this.#handle, false);
  }
}
