// The `net` layer: addresses and socket helpers. No event loops.
export { SocketAddress, type AddressFamily } from './SocketAddress.js';
export * from './socket.js';
export { removeSocketFile, socketFileOf, type SocketFile } from './socketFile.js';
