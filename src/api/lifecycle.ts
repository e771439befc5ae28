import { closeSharedGpu as closeGpu } from '../backend/gpu/gpu-backend.js';
import { shutdownCpuWorkers as stopWorkers } from '../backend/cpu/cpu-backend.js';

/**
 * The process-wide resources gpuseg keeps between calls (the GPU device, the CPU worker threads),
 * and their release. A module of its own so that the public declarations name no WebGPU type.
 */

/** @deprecated use dispose(), which also waits for work in flight. Closes the shared GPU device. */
export async function closeSharedGpu(): Promise<void> {
  await closeGpu();
}

/** @deprecated use dispose(), which also waits for work in flight. Stops the CPU worker threads. */
export async function shutdownCpuWorkers(): Promise<void> {
  await stopWorkers();
}
