import { availableParallelism } from 'node:os';
import { CPU_BLOCK_ROWS } from '../../src/backend/cpu/cpu-backend.js';
import type { DataMatrix } from '../../src/data/matrix.js';
import { lloydReference, untie, type LloydReference } from './lloyd-check.js';
import { INLINE_MAX_VALUES } from '../../src/backend/cpu/cpu-backend.js';
import { blobs } from './reference.js';

export { INLINE_MAX_VALUES };

/**
 * The k-means conformance shapes and their data, shared by the conformance suite and the mutation
 * tests that prove it.
 *
 * The CPU backend runs on the calling thread while rows × dims ≤ 2^19 (INLINE_MAX_VALUES in
 * cpu-backend.ts: counted in values, not rows) or when it has one thread; past that, its
 * CPU_BLOCK_ROWS-row blocks are shared out in order among min(threads, blocks, pool size) worker
 * threads, the pool having one worker per core (at most 64). 50,000 × 12 = 600,000 values reaches
 * the workers; WORKER_SHAPE gives every worker of a WORKER_THREADS-thread CPU backend at least
 * BLOCKS_PER_WORKER blocks however many cores the machine has (fewer cores: fewer workers with
 * more blocks each), and ends in a ragged block.
 */
export const WORKER_THREADS = 4;
export const BLOCKS_PER_WORKER = 3;

export interface LloydShape {
  rows: number;
  dims: number;
  k: number;
  /** Test centres near the blob centres (clusters about even) rather than unrelated ones. */
  nearBlobs?: boolean;
}

export const WORKER_SHAPE: LloydShape = {
  rows: (WORKER_THREADS * BLOCKS_PER_WORKER - 1) * CPU_BLOCK_ROWS + 1237,
  dims: 5,
  k: 24,
  // Clusters about even: each sum element then adds few enough rows that +1 stands out of a
  // GPU's float32 rounding (lloydReference checks this).
  nearBlobs: true,
};

export const LLOYD_SHAPES: LloydShape[] = [
  { rows: 1, dims: 1, k: 1 },
  { rows: 37, dims: 3, k: 4 },
  { rows: 1000, dims: 5, k: 7 },
  { rows: 3001, dims: 16, k: 8 },
  { rows: 50_000, dims: 12, k: 16 },
  WORKER_SHAPE,
];

/** How WORKER_SHAPE's blocks fall on the workers of a CPU backend with `threads` threads here. */
export function workerBlocks(shape: LloydShape, threads: number) {
  const blocks = Math.ceil(shape.rows / CPU_BLOCK_ROWS);
  const workers = Math.min(threads, blocks, Math.min(availableParallelism(), 64));
  return {
    onWorkers: shape.rows * shape.dims > INLINE_MAX_VALUES && threads > 1,
    blocks,
    workers,
    fewestPerWorker: Math.floor(blocks / workers),
    ragged: shape.rows % CPU_BLOCK_ROWS !== 0,
  };
}

export interface LloydData {
  matrix: DataMatrix;
  centres: Float32Array;
  ref: LloydReference;
}

const made = new Map<string, LloydData>();

/** A shape's tie-free data, its test centres and the reference, made once per process. */
export function lloydData({ rows, dims, k, nearBlobs = false }: LloydShape): LloydData {
  const key = `${rows}:${dims}:${k}:${nearBlobs}`;
  let entry = made.get(key);
  if (!entry) {
    const { matrix, centres: blobCentres } = blobs(rows, dims, k, rows * 31 + dims, 2);
    // Unless near the blobs, centres unrelated to them, so clusters are uneven and some may be empty.
    const centres = new Float32Array(k * dims);
    for (let i = 0; i < centres.length; i++)
      centres[i] = nearBlobs
        ? Math.fround(blobCentres[i] + Math.sin(i * 12.9898) * 0.5)
        : Math.fround(Math.sin(i * 12.9898) * 8);
    untie(matrix, centres, k);
    entry = { matrix, centres, ref: lloydReference(matrix, centres, k) };
    made.set(key, entry);
  }
  return entry;
}
