export { Runtime, DETERMINISTIC_THREADS, type RuntimeOptions } from './session.js';
export { resolveDevice, probeCuda, CUDA_HELP, type Device, type ResolvedDevice } from './device.js';
