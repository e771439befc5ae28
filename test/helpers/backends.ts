import type { Backend } from '../../src/backend/backend.js';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { GpuBackend, type GpuBackendOptions } from '../../src/backend/gpu/gpu-backend.js';

/**
 * Backends for the shared suites. The GPU ones exist when Dawn finds an adapter (a software one
 * counts: CI installs lavapipe). Without one, the GPU cases are skipped with a visible message, or
 * fail when GPUSEG_REQUIRE_GPU=1 (set by .ci/run) so that CI can never skip them silently.
 */
export interface BackendCase {
  name: string;
  make: () => Promise<Backend>;
}

let probe: Promise<string | undefined> | undefined;

/** undefined when a GPU adapter is usable, else why not. */
export function gpuUnavailable(): Promise<string | undefined> {
  probe ??= (async () => {
    try {
      const b = await GpuBackend.create({ allowFallback: true });
      await b.dispose();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  })();
  return probe;
}

export async function gpuOrSkip(): Promise<boolean> {
  const why = await gpuUnavailable();
  if (why === undefined) return true;
  if (process.env.GPUSEG_REQUIRE_GPU === '1')
    throw new Error(`GPUSEG_REQUIRE_GPU=1 but no GPU adapter: ${why}`);
  console.warn(
    `\n*** SKIPPING GPU tests: ${why} (set GPUSEG_REQUIRE_GPU=1 to make this a failure) ***\n`,
  );
  return false;
}

export const hasGpu = await gpuOrSkip();

function gpu(options: Partial<GpuBackendOptions> = {}): () => Promise<Backend> {
  return () => GpuBackend.create({ allowFallback: true, ...options });
}

/** Every backend configuration the conformance suite runs. */
export const backendCases: BackendCase[] = [
  { name: 'cpu', make: async () => new CpuBackend() },
  { name: 'cpu (1 thread)', make: async () => new CpuBackend(1) },
  { name: 'cpu (JavaScript kernels)', make: async () => new CpuBackend(undefined, false) },
  ...(hasGpu
    ? [
        { name: 'gpu', make: gpu() },
        { name: 'gpu (chunked, 512 rows)', make: gpu({ maxChunkRows: 512 }) },
        {
          name: 'gpu (streamed, 768 rows)',
          make: gpu({ maxChunkRows: 768, forceStreaming: true }),
        },
      ]
    : []),
];
