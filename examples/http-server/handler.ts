// http-server as a LoopPool handler module (--loops N): each loop thread imports this file and
// runs the factory once; the loop gets its own response table and reply buffer. The server
// is stateless across connections, so any loop may serve any connection.
import { defineHandler } from '../../src/index.js';
import type { HttpParserLimits } from './parser.js';
import { httpCallbacks, type HttpTimeouts } from './server.js';
import { logThrowsWithPeer } from '../shared/errors.js';

// A throw is logged with the peer, then the pool closes that connection and the loop serves on.
export default defineHandler((ctx) => logThrowsWithPeer('http-server', httpCallbacks(ctx.loop, ctx.data as HttpParserLimits & HttpTimeouts)));
