import type { GmmPassParams } from '../backend.js';
import { createBuffer, storageFrom, uniformFrom } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import { dispatch, uniformWords, type PipelineCache } from './program.js';
import { encodeReducePartials } from './reduce-dispatch.js';

/** Rows per tile and threads per workgroup of shaders/gmm_estep.wgsl (its tile of responsibilities is WG×K floats). */
const GMM_WG = 64;
const GMM_MAX_WG = 1024;

/**
 * Stride of the tile's rows staged in workgroup memory (gmm_estep.wgsl, XS): WG + 1 when asked and
 * they fit beside the tile's responsibilities (WG×K) and the reduction pairs (2·WG), else 0 (the
 * statistics read X). 2,000 bytes at D = 16 (K = 8: 6.6 KiB in all; every device has 16 KiB).
 */
export function gmmRowStride(k: number, d: number, stage: boolean, maxSharedBytes: number): number {
  const bytes = (GMM_WG * k + 2 * GMM_WG + d * (GMM_WG + 1)) * 4 + 256;
  return stage && bytes <= maxSharedBytes ? GMM_WG + 1 : 0;
}

export function gmmOutputs(form: 'diag' | 'full', k: number, d: number): number {
  const s = form === 'diag' ? d : (d * (d + 1)) / 2;
  return k + k * d + k * s + 1;
}

/** The parameter buffers of one pass, shared by its chunks. */
export function gmmParamBuffers(
  ctx: GpuContext,
  p: GmmPassParams,
  transient: GPUBuffer[],
): { means: GPUBuffer; prec: GPUBuffer; bias: GPUBuffer } {
  const b = {
    means: storageFrom(ctx, 'gmm means', p.means),
    prec: storageFrom(ctx, 'gmm precisions', p.precChol),
    bias: storageFrom(ctx, 'gmm bias', p.bias),
  };
  transient.push(b.means, b.prec, b.bias);
  return b;
}

export interface GmmChunkArgs {
  x: GPUBuffer;
  rows: number;
  d: number;
  params: GmmPassParams;
  buffers: { means: GPUBuffer; prec: GPUBuffer; bias: GPUBuffer };
  accumulate: boolean;
  /** Stage each tile's rows in workgroup memory where they fit (GpuBackendOptions.stageGmmRows). */
  stageRows: boolean;
  /** Assignment outputs, or undefined. */
  labels: GPUBuffer | undefined;
  maxProb: GPUBuffer | undefined;
  probs: GPUBuffer | undefined;
  /** Where this chunk's gmmOutputs pairs go. */
  results: GPUBuffer;
  resultBase: number;
}

/** Dispatcher of shaders/gmm_estep.wgsl (+ reduce_partials.wgsl) for one chunk. */
export function encodeGmm(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  a: GmmChunkArgs,
): void {
  const { form, k } = a.params;
  const s = form === 'diag' ? a.d : (a.d * (a.d + 1)) / 2;
  const m = gmmOutputs(form, k, a.d);
  const slots = Math.ceil((m - 1) / GMM_WG);
  const pipeline = pipelines.get({
    shader: 'gmm_estep',
    constants: {
      K: k,
      D: a.d,
      WG: GMM_WG,
      FULL: form === 'full' ? 1 : 0,
      S: s,
      SLOTS: slots,
      // Assignment passes compute no statistics: nothing to stage.
      XS: a.accumulate
        ? gmmRowStride(k, a.d, a.stageRows, ctx.limits.maxComputeWorkgroupStorageSize)
        : 0,
    },
  });
  const numTiles = Math.ceil(a.rows / GMM_WG);
  const numWg = Math.max(1, Math.min(numTiles, GMM_MAX_WG));
  const flags = (a.accumulate ? 1 : 0) | (a.labels ? 2 : 0) | (a.probs ? 4 : 0);
  const params = uniformFrom(ctx, 'gmm params', uniformWords([a.rows, numTiles, numWg, flags]));
  const partials = createBuffer(ctx, {
    label: 'gmm partials',
    size: numWg * m * 2 * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  const placeholder = (): GPUBuffer => {
    const b = createBuffer(ctx, {
      label: 'gmm unused output',
      size: 16,
      usage: GPUBufferUsage.STORAGE,
    });
    transient.push(b);
    return b;
  };
  transient.push(params, partials);
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'gmm_estep',
    [
      { buffer: a.x, size: a.rows * a.d * 4 },
      a.buffers.means,
      a.buffers.prec,
      a.buffers.bias,
      a.labels ?? placeholder(),
      a.maxProb ?? placeholder(),
      a.probs ?? placeholder(),
      partials,
      params,
    ],
    numWg,
  );
  encodeReducePartials(ctx, pipelines, pass, transient, {
    partials,
    parts: numWg,
    m,
    out: a.results,
    outBase: a.resultBase,
  });
}
