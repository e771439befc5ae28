import { DeviceError } from '../errors.js';
import { abortable } from './abortable.js';
import type { Backend } from './backend.js';
import { CPU_BLOCK_ROWS, CpuBackend } from './cpu/cpu-backend.js';
import { GpuBackend } from './gpu/gpu-backend.js';
import { ResilientBackend } from './resilient-backend.js';

export type BackendChoice = 'auto' | 'gpu' | 'cpu';

/**
 * Opens the backend a user asked for.
 * - cpu: the CPU backend.
 * - gpu: the GPU (a software adapter is accepted); any GPU failure is an error.
 * - auto: a hardware GPU when there is one, else the CPU with one notice; a GPU failure during the
 *   run moves it to the CPU (ResilientBackend) with one notice. Software adapters are passed
 *   over under auto because the CPU backend is faster than a software GPU, unless
 *   GPUSEG_AUTO_SOFTWARE_GPU=1 (how the tests exercise auto's fallback on lavapipe).
 */
export async function openBackend(
  choice: BackendChoice,
  notice: (message: string) => void,
  run: { signal?: AbortSignal; threads?: number } = {},
): Promise<Backend> {
  return abortable(await open(choice, notice, run.threads), run.signal);
}

async function open(
  choice: BackendChoice,
  notice: (message: string) => void,
  threads: number | undefined,
): Promise<Backend> {
  const cpuBackend = (): CpuBackend => (threads ? new CpuBackend(threads) : new CpuBackend());
  if (choice === 'cpu') return cpuBackend();
  if (choice === 'gpu') return GpuBackend.create({ allowFallback: true });
  try {
    const gpu = await GpuBackend.create({
      allowFallback: process.env.GPUSEG_AUTO_SOFTWARE_GPU === '1',
    });
    return new ResilientBackend(gpu, async () => cpuBackend(), notice);
  } catch (error) {
    if (!(error instanceof DeviceError)) throw error;
    const cpu = cpuBackend();
    notice(`no GPU available (${error.message.split(';')[0]}); running on ${cpu.deviceName}`);
    return cpu;
  }
}

/**
 * The backend for small passes whose results must not depend on the device a run uses (mini-batch
 * k-means seeds on a subset with it): the CPU backend on one thread.
 */
export async function openHostBackend(): Promise<Backend> {
  return new CpuBackend(1);
}

/**
 * The rows of the fixed blocks whose float64 partial statistics `backend` adds in block order
 * (the CPU backend's CPU_BLOCK_ROWS), or undefined for a backend without such blocks (the GPU).
 * Rows cut into pieces at these boundaries, each piece's statistics added in order from zero,
 * give the bits of one pass over all of them: how a worker serving its shard out of core matches
 * a resident one.
 */
export function partialBlockRows(backend: Backend): number | undefined {
  return backend.kind === 'cpu' ? CPU_BLOCK_ROWS : undefined;
}
