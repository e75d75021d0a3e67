// The echo service as a LoopPool handler module (examples/echo-server --loops N): each loop
// thread imports this file and runs the factory once; every byte read goes back to its sender.
// The callbacks are echo.ts's (back-pressure:
// above the high-water mark stop reading from that peer until its output drains).
import { defineHandler } from '../../src/index.js';
import { echoCallbacks } from './echo.js';
import { logThrowsWithPeer } from '../shared/errors.js';

// A throw is logged with the peer, then the pool closes that connection and the loop serves on.
export default defineHandler(() => logThrowsWithPeer('echo-server', { ...echoCallbacks }));
