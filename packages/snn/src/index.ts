export * from './tensor.js';
export * from './kernels.js';
export * from './network.js';
export * from './bptt.js';
export * from './golden.js';
export { ZOO } from './zoo.js';
