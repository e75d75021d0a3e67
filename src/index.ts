// epoll-reactor: Linux epoll for Node.js.
//
// Layers (imports go one way): sys -> poll -> net -> buffer -> loop -> tcp.
// Importing this module loads the native addon; on a platform other than Linux,
// or when the addon was never built, the import throws an error naming the fix.
export * from './errors.js';
export * from './sys/index.js';
export * from './poll/index.js';
export * from './net/index.js';
export * from './buffer/index.js';
export * from './loop/index.js';
export * from './tcp/index.js';
export * from './threads/index.js';
export * from './codec/index.js';
