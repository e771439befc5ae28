import type { LloydSummary } from '../backend.js';
import { pairBuffer, readPairSums, storageFrom } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import type { GpuDataset } from './gpu-dataset.js';
import { encodeLloyd, lloydOutputs } from './lloyd-dispatch.js';
import type { PipelineCache } from './program.js';

/** Which form of the Lloyd kernel runs (GpuBackendOptions, defaults applied; lloyd-dispatch.ts). */
export interface LloydVariant {
  rowMasks: boolean;
  gemm: boolean;
  registerCentres: boolean;
}

/**
 * lloydStep over every chunk of a dataset (the per-chunk dispatcher is lloyd-dispatch.ts), inside
 * the backend's pass(): buffers pushed to `transient` are destroyed when it ends. `repetitions`
 * (default 1) encodes each chunk's dispatches that many times in the one submission, with the
 * same centres — for timing the kernel apart from the round trip (device-timing.ts); the summary
 * is then the last repetition's, and stored labels are not to be kept (storeLabels false).
 */
export async function lloydStepPass(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  a: {
    centres: Float32Array;
    k: number;
    storeLabels: boolean;
    variant: LloydVariant;
    repetitions?: number;
  },
  transient: GPUBuffer[],
): Promise<LloydSummary> {
  const d = ds.dims;
  const { k } = a;
  const m = lloydOutputs(k, d);
  const centresBuf = storageFrom(ctx, 'centres', a.centres);
  const results = pairBuffer(ctx, 'lloyd results', ds.chunks.length, m);
  transient.push(centresBuf, results);
  // Labels written and dropped, when the stored ones must stay.
  const scratchLabels = a.storeLabels
    ? undefined
    : ds.perChunk('scratch labels', 4, GPUBufferUsage.STORAGE, transient);
  await ds.forEachChunk(transient, (chunk, index, x, pass, tr) => {
    for (let r = 0; r < (a.repetitions ?? 1); r++)
      encodeLloyd(ctx, pipelines, pass, tr, {
        x,
        rows: chunk.rows,
        centres: centresBuf,
        labels: scratchLabels?.[index] ?? chunk.labels,
        sqDist: undefined,
        k,
        d,
        accumulate: true,
        results,
        resultBase: index * m,
        ...a.variant,
      });
  });
  const total = await readPairSums(ctx, results, ds.chunks.length, m);
  const kd = k * d;
  return {
    sums: total.slice(0, kd),
    counts: total.slice(kd, kd + k),
    inertia: total[kd + k],
    changed: total[kd + k + 1],
  };
}
