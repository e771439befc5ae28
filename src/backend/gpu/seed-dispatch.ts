import { SEED_BLOCK_ROWS } from '../backend.js';
import { createBuffer, grid, uniformFrom } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import { dispatch, uniformWords, type PipelineCache } from './program.js';
import { encodeReducePartials } from './reduce-dispatch.js';

const SEED_MAX_WG = 1024;

/** Dispatcher of shaders/seed_min_dist.wgsl for one chunk (block = SEED_BLOCK_ROWS rows = one workgroup). */
export function encodeSeedMinDist(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  a: {
    x: GPUBuffer;
    rows: number;
    d: number;
    centres: GPUBuffer;
    count: number;
    minDist: GPUBuffer;
    reset: boolean;
    blockSums: GPUBuffer;
    blockBase: number;
  },
): void {
  const pipeline = pipelines.get({
    shader: 'seed_min_dist',
    constants: { D: a.d, WG: SEED_BLOCK_ROWS },
  });
  const numBlocks = Math.ceil(a.rows / SEED_BLOCK_ROWS);
  const numWg = Math.max(1, Math.min(numBlocks, SEED_MAX_WG));
  const params = uniformFrom(
    ctx,
    'seed_min_dist params',
    uniformWords([a.rows, numBlocks, numWg, a.reset ? 1 : 0, a.blockBase, a.count]),
  );
  transient.push(params);
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'seed_min_dist',
    [{ buffer: a.x, size: a.rows * a.d * 4 }, a.centres, a.minDist, a.blockSums, params],
    numWg,
  );
}

/** Dispatcher of shaders/seed_potentials.wgsl (+ reduce) for one chunk; L pairs at `resultBase`. */
export function encodeSeedPotentials(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  a: {
    x: GPUBuffer;
    rows: number;
    d: number;
    candidates: GPUBuffer;
    count: number;
    minDist: GPUBuffer;
    results: GPUBuffer;
    resultBase: number;
  },
): void {
  const wg = SEED_BLOCK_ROWS;
  const pipeline = pipelines.get({
    shader: 'seed_potentials',
    constants: { D: a.d, L: a.count, WG: wg },
  });
  const numTiles = Math.ceil(a.rows / wg);
  const numWg = Math.max(1, Math.min(numTiles, SEED_MAX_WG));
  const params = uniformFrom(
    ctx,
    'seed_potentials params',
    uniformWords([a.rows, numTiles, numWg]),
  );
  const partials = createBuffer(ctx, {
    label: 'seed_potentials partials',
    size: numWg * a.count * 2 * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  transient.push(params, partials);
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'seed_potentials',
    [{ buffer: a.x, size: a.rows * a.d * 4 }, a.candidates, a.minDist, partials, params],
    numWg,
  );
  encodeReducePartials(ctx, pipelines, pass, transient, {
    partials,
    parts: numWg,
    m: a.count,
    out: a.results,
    outBase: a.resultBase,
  });
}

const SAMPLE_WG = 256;

/** Dispatcher of shaders/seed_sample.wgsl for one chunk: kept rows appended to `picked` through `counter`. */
export function encodeSeedSample(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  a: {
    rows: number;
    rowBase: number;
    minDist: GPUBuffer;
    seed: number;
    factor: number;
    picked: GPUBuffer;
    counter: GPUBuffer;
    capacity: number;
  },
): void {
  const pipeline = pipelines.get({ shader: 'seed_sample', constants: { WG: SAMPLE_WG } });
  const words = uniformWords([a.rows, a.rowBase, a.seed, a.capacity, 0]);
  new Float32Array(words.buffer, 16, 1)[0] = a.factor;
  const params = uniformFrom(ctx, 'seed_sample params', words);
  transient.push(params);
  const [gx, gy] = grid(Math.ceil(a.rows / SAMPLE_WG));
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'seed_sample',
    [a.minDist, a.picked, a.counter, params],
    [gx, gy],
  );
}
