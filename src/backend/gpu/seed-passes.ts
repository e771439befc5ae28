import { SEED_BLOCK_ROWS } from '../backend.js';
import {
  createBuffer,
  pairBuffer,
  readBack,
  readBackRanges,
  readPairSums,
  storageFrom,
} from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import type { GpuDataset } from './gpu-dataset.js';
import type { PipelineCache } from './program.js';
import { encodeSeedMinDist, encodeSeedPotentials, encodeSeedSample } from './seed-dispatch.js';

/**
 * The seeding passes of GpuBackend over every chunk of a dataset (the per-chunk dispatchers are in
 * seed-dispatch.ts). Each runs inside the backend's pass(): buffers pushed to `transient` are
 * destroyed when it ends. The callers have checked that seedReset came first where it must.
 */

/** seedReset / seedUpdate: min distances to `count` centres; OUT the per-block sums. */
export async function minDistPass(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  a: { centres: Float32Array; count: number; reset: boolean },
  transient: GPUBuffer[],
): Promise<Float64Array> {
  const totalBlocks = Math.ceil(ds.rows / SEED_BLOCK_ROWS);
  ds.seedBuffers();
  const centreBuf = storageFrom(ctx, 'seed centres', a.centres);
  transient.push(centreBuf);
  await ds.forEachChunk(transient, (chunk, _index, x, pass, tr) =>
    encodeSeedMinDist(ctx, pipelines, pass, tr, {
      x,
      rows: chunk.rows,
      d: ds.dims,
      centres: centreBuf,
      count: a.count,
      minDist: chunk.minDist!,
      reset: a.reset,
      blockSums: ds.blockSums!,
      blockBase: chunk.rowStart / SEED_BLOCK_ROWS,
    }),
  );
  return Float64Array.from(
    new Float32Array(await readBack(ctx, ds.blockSums!, 0, totalBlocks * 4)),
  );
}

/** seedPotentials: for each of `count` candidates, Σ_i min(min_dist[i], ‖x_i − c‖²). */
export async function potentialsPass(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  a: { candidates: Float32Array; count: number },
  transient: GPUBuffer[],
): Promise<Float64Array> {
  const candBuf = storageFrom(ctx, 'candidates', a.candidates);
  const results = pairBuffer(ctx, 'potentials', ds.chunks.length, a.count);
  transient.push(candBuf, results);
  await ds.forEachChunk(transient, (chunk, index, x, pass, tr) =>
    encodeSeedPotentials(ctx, pipelines, pass, tr, {
      x,
      rows: chunk.rows,
      d: ds.dims,
      candidates: candBuf,
      count: a.count,
      minDist: chunk.minDist!,
      results,
      resultBase: index * a.count,
    }),
  );
  return readPairSums(ctx, results, ds.chunks.length, a.count);
}

/**
 * seedSample, one try: the rows the k-means‖ draw keeps, when there are at most `capacity` of
 * them (else no rows: the caller tries again with room for `count`). Rows come in no set order.
 */
export async function sampleRows(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  a: { factor: number; seed: number; capacity: number },
  transient: GPUBuffer[],
): Promise<{ count: number; rows: Int32Array }> {
  const picked = createBuffer(ctx, {
    label: 'picked rows',
    size: a.capacity * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const counter = createBuffer(ctx, {
    label: 'picked count',
    size: 16,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  transient.push(picked, counter);
  const encoder = ctx.device.createCommandEncoder({ label: 'k-means|| sampling' });
  encoder.clearBuffer(counter);
  const pass = encoder.beginComputePass();
  for (const chunk of ds.chunks) {
    encodeSeedSample(ctx, pipelines, pass, transient, {
      rows: chunk.rows,
      rowBase: chunk.rowStart,
      minDist: chunk.minDist!,
      seed: a.seed >>> 0,
      factor: a.factor,
      picked,
      counter,
      capacity: a.capacity,
    });
  }
  pass.end();
  // The count and every slot come back together, in the submission of the draw itself: one round
  // trip (capacity × 4 bytes, 16 KiB by default) instead of one for the count and one for the rows.
  const [countBytes, slotBytes] = await readBackRanges(
    ctx,
    [
      { source: counter, offset: 0, size: 4 },
      { source: picked, offset: 0, size: a.capacity * 4 },
    ],
    encoder,
  );
  const n = new Uint32Array(countBytes)[0];
  const rows = n > 0 && n <= a.capacity ? new Int32Array(slotBytes, 0, n) : new Int32Array(0);
  return { count: n, rows };
}
