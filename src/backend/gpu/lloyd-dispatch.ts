import { createBuffer, uniformFrom } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import { dispatch, uniformWords, type PipelineCache } from './program.js';
import { encodeReducePartials } from './reduce-dispatch.js';

/** Rows per tile and threads per workgroup of shaders/lloyd.wgsl. */
const LLOYD_WG = 256;
/** Upper bound on resident workgroups; each walks tiles with a stride. */
const LLOYD_MAX_WG = 1024;

/** Outputs per chunk: sums K×D, counts K, inertia, changed. */
export function lloydOutputs(k: number, d: number): number {
  return k * d + k + 2;
}

export interface LloydChunkArgs {
  x: GPUBuffer;
  rows: number;
  centres: GPUBuffer;
  /** Stored labels (label + 1; 0 = none), compared and overwritten. */
  labels: GPUBuffer;
  /** Squared distances out, or undefined. */
  sqDist: GPUBuffer | undefined;
  k: number;
  d: number;
  accumulate: boolean;
  /** Where this chunk's lloydOutputs(k, d) pairs go (only when accumulating). */
  results: GPUBuffer;
  resultBase: number;
  /** Accumulate through per-cluster row masks where they fit (GpuBackendOptions.rowMasks). */
  rowMasks: boolean;
  /** Labels from the expanded form against centre tiles where K is large (GpuBackendOptions.gemm). */
  gemm: boolean;
  /** Few centres held in each thread's registers (GpuBackendOptions.registerCentres). */
  registerCentres: boolean;
}

/** Up to this many centre values (K·D) a thread holds the centres in registers. */
const LLOYD_REGISTER_CENTRE_VALUES = 128;

/** From this many centres the expanded form with centre tiles (lloyd.wgsl, GEMM_CT) labels rows. */
const LLOYD_GEMM_MIN_K = 32;
/** Up to this many features: the row is held as D/4 vec4s in registers. */
const LLOYD_GEMM_MAX_D = 64;
/** Workgroup memory for one tile of centres (vec4s) and their norms. */
const LLOYD_GEMM_TILE_BYTES = 8192;

/** Centres per tile of the expanded form (0: the direct form), for K centres of D features. */
function lloydGemmTile(k: number, d: number, gemm: boolean): number {
  if (!gemm || k < LLOYD_GEMM_MIN_K || d > LLOYD_GEMM_MAX_D) return 0;
  const rowBytes = Math.ceil(d / 4) * 16;
  return Math.max(8, Math.min(64, Math.floor(LLOYD_GEMM_TILE_BYTES / rowBytes)));
}

function gemmTileBytes(tile: number, d: number): number {
  return tile === 0 ? 0 : tile * (Math.ceil(d / 4) * 16 + 4);
}

/**
 * Workgroup memory of lloyd.wgsl besides its row masks: tile labels (WG u32), the (hi, lo)
 * reduction arrays (2·WG f32), the changed counter; rounded up for the implementation's padding.
 */
const LLOYD_FIXED_SHARED_BYTES = LLOYD_WG * 12 + 256;

/**
 * The K whose row masks (K × WG/32 u32) fit the device's workgroup memory: K when accumulating and
 * they fit (every Lloyd step of a fit up to a few hundred clusters), else 1 (no masks: the
 * kernel scans every row of a tile for every output, as assignment passes never accumulate).
 */
function lloydMaskK(
  k: number,
  accumulate: boolean,
  rowMasks: boolean,
  maxSharedBytes: number,
  otherBytes = 0,
): number {
  const maskBytes = k * (LLOYD_WG / 32) * 4;
  return accumulate &&
    rowMasks &&
    LLOYD_FIXED_SHARED_BYTES + otherBytes + maskBytes <= maxSharedBytes
    ? k
    : 1;
}

/**
 * Dispatcher of shaders/lloyd.wgsl (+ reduce_partials.wgsl when accumulating) for one chunk.
 * Buffers it creates for this call are pushed to `transient`, destroyed by the caller once the
 * submission completes.
 */
export function encodeLloyd(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  a: LloydChunkArgs,
): void {
  const m = lloydOutputs(a.k, a.d);
  // An assignment pass keeps no per-thread statistics: one slot keeps its private arrays small
  // when K is large (k-means‖ assigns rows to thousands of candidates).
  const slots = a.accumulate ? Math.ceil((a.k * a.d + a.k) / LLOYD_WG) : 1;
  const gemmTile = lloydGemmTile(a.k, a.d, a.gemm);
  const maskK = lloydMaskK(
    a.k,
    a.accumulate,
    a.rowMasks,
    ctx.limits.maxComputeWorkgroupStorageSize,
    gemmTileBytes(gemmTile, a.d),
  );
  const regKd =
    a.registerCentres && gemmTile === 0 && a.k * a.d <= LLOYD_REGISTER_CENTRE_VALUES
      ? a.k * a.d
      : 0;
  const pipeline = pipelines.get({
    shader: 'lloyd',
    constants: {
      K: a.k,
      D: a.d,
      WG: LLOYD_WG,
      SLOTS: slots,
      MASK_K: maskK,
      GEMM_CT: gemmTile,
      REG_KD: regKd,
    },
  });
  const numTiles = Math.ceil(a.rows / LLOYD_WG);
  const numWg = Math.max(1, Math.min(numTiles, LLOYD_MAX_WG));
  const flags = (a.accumulate ? 1 : 0) | (a.sqDist ? 2 : 0);
  const params = uniformFrom(ctx, 'lloyd params', uniformWords([a.rows, numTiles, numWg, flags]));
  const partials = createBuffer(ctx, {
    label: 'lloyd partials',
    size: numWg * m * 2 * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  // WebGPU wants every binding bound; a 16-byte placeholder stands in for an unused output.
  const sqDist =
    a.sqDist ??
    createBuffer(ctx, { label: 'lloyd no-distances', size: 16, usage: GPUBufferUsage.STORAGE });
  transient.push(params, partials);
  if (!a.sqDist) transient.push(sqDist);
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'lloyd',
    [{ buffer: a.x, size: a.rows * a.d * 4 }, a.centres, a.labels, sqDist, partials, params],
    numWg,
  );
  if (a.accumulate)
    encodeReducePartials(ctx, pipelines, pass, transient, {
      partials,
      parts: numWg,
      m,
      out: a.results,
      outBase: a.resultBase,
    });
}
