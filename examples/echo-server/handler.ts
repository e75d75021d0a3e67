// The echo service as a LoopPool handler module (examples/echo-server --loops N): each loop
// thread imports this file and runs the factory once; every byte read goes back to its sender.
// Back-pressure as in echo.ts:
// above the high-water mark stop reading from that peer until its output drains.
import { defineHandler } from '../../src/index.js';

export default defineHandler(() => ({
  onMessage(conn, input) {
    conn.send(input.peek());
    input.retrieveAll();
  },
  onHighWater(conn) {
    conn.pauseReading();
  },
  onDrain(conn) {
    conn.resumeReading();
  },
}));
