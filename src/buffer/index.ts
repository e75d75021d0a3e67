// The `buffer` layer: ByteBuffer (muduo's Buffer layout). Knows no loops or sockets.
export { ByteBuffer } from './ByteBuffer.js';
