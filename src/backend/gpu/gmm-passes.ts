import type { GmmAssignment, GmmPassParams, GmmSummary } from '../backend.js';
import { pairBuffer, readPairSums } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import type { GpuDataset } from './gpu-dataset.js';
import { encodeGmm, gmmOutputs, gmmParamBuffers } from './gmm-dispatch.js';
import type { PipelineCache } from './program.js';

/**
 * The Gaussian-mixture passes of GpuBackend over every chunk of a dataset (the per-chunk dispatcher
 * is in gmm-dispatch.ts). Each runs inside the backend's pass(): buffers pushed to `transient` are
 * destroyed when it ends.
 */

/**
 * gmmStep: the E-step's statistics, each chunk's (hi, lo) pairs added in float64 on the host.
 * `repetitions` (default 1) encodes each chunk's dispatches that many times in the one submission
 * — for timing the kernel apart from the round trip (device-timing.ts); the same statistics.
 */
export async function gmmStepPass(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  params: GmmPassParams,
  stageRows: boolean,
  transient: GPUBuffer[],
  repetitions = 1,
): Promise<GmmSummary> {
  const d = ds.dims;
  const { k } = params;
  const m = gmmOutputs(params.form, k, d);
  const buffers = gmmParamBuffers(ctx, params, transient);
  const results = pairBuffer(ctx, 'gmm results', ds.chunks.length, m);
  transient.push(results);
  await ds.forEachChunk(transient, (chunk, index, x, pass, tr) => {
    for (let r = 0; r < repetitions; r++)
      encodeGmm(ctx, pipelines, pass, tr, {
        x,
        rows: chunk.rows,
        d,
        params,
        buffers,
        accumulate: true,
        stageRows,
        labels: undefined,
        maxProb: undefined,
        probs: undefined,
        results,
        resultBase: index * m,
      });
  });
  const total = await readPairSums(ctx, results, ds.chunks.length, m);
  return {
    nk: total.slice(0, k),
    sd: total.slice(k, k + k * d),
    sdd: total.slice(k + k * d, m - 1),
    logLikelihood: total[m - 1],
  };
}

/** gmmAssign: most probable component, its probability, optionally all of them. */
export async function gmmAssignPass(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  params: GmmPassParams,
  options: { probabilities: boolean },
  transient: GPUBuffer[],
): Promise<GmmAssignment> {
  const d = ds.dims;
  const { k } = params;
  const m = gmmOutputs(params.form, k, d);
  const buffers = gmmParamBuffers(ctx, params, transient);
  const results = pairBuffer(ctx, 'gmm results', ds.chunks.length, m);
  transient.push(results);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const outLabels = ds.perChunk('gmm labels', 4, usage, transient);
  const outProb = ds.perChunk('gmm probability', 4, usage, transient);
  const outProbs = options.probabilities
    ? ds.perChunk('gmm probabilities', k * 4, usage, transient)
    : undefined;
  await ds.forEachChunk(transient, (chunk, index, x, pass, tr) =>
    encodeGmm(ctx, pipelines, pass, tr, {
      x,
      rows: chunk.rows,
      d,
      params,
      buffers,
      accumulate: false,
      stageRows: false,
      labels: outLabels[index],
      maxProb: outProb[index],
      probs: outProbs?.[index],
      results,
      resultBase: index * m,
    }),
  );
  // The log-likelihood is the last of each chunk's m outputs.
  const logLikelihood = (await readPairSums(ctx, results, ds.chunks.length, m))[m - 1];
  const labels = await ds.gatherRows(outLabels, Int32Array);
  const probability = await ds.gatherRows(outProb, Float32Array);
  // Component-major: each chunk's block of each component goes to that component's rows.
  const probabilities = outProbs ? await ds.gatherRows(outProbs, Float32Array, k) : undefined;
  return { labels, probability, probabilities, logLikelihood };
}
