// The `sys` layer: the addon, its constants and Node-style errors. Stateless.
export { native } from './addon.js';
export type { NativeBinding, NativeWatch, NativeRing } from './binding.js';
export * from './constants.js';
export { SystemError, check, errnoName } from './SystemError.js';
export { fdLimit, raiseFdLimit, type FdLimit } from './fdLimit.js';
