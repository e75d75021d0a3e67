// The `buffer` layer: ByteBuffer (muduo's Buffer layout) and the BufferPool its
// lazily allocated storage comes from. Knows no loops or sockets.
export { ByteBuffer } from './ByteBuffer.js';
export { BufferPool } from './BufferPool.js';
