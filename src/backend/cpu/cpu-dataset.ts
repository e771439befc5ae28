import type { DataMatrix, KernelMemory } from '../../data/matrix.js';
import type { DatasetHandle } from '../backend.js';
import type { BoundState } from './bounded-state.js';
import type { YinyangState } from './yinyang-groups.js';
import { released } from '../../util/collect.js';
import { dropDataset, type BlockData } from './run-block.js';
import { existingWorkerPool } from './worker-pool.js';

/**
 * A matrix attached to the CPU backend, and its per-row arrays: in the matrix's kernel memory
 * when this attachment holds it (the SIMD kernels then work in place), else shared arrays the
 * worker threads write into.
 */
export interface CpuDataset extends DatasetHandle {
  readonly id: number;
  /** The matrix as run-block.ts sees it on the calling thread. */
  readonly data: BlockData;
  /** Small inputs run on the calling thread, the others on the worker threads. */
  readonly inline: boolean;
  /** The matrix's kernel memory, when this attachment holds its per-row regions (the SIMD kernel then works in place). */
  readonly kmem: KernelMemory | undefined;
  labels: Int32Array;
  minDist: Float32Array | undefined;
  blockSums: Float64Array | undefined;
  /** State of bounded Lloyd steps, valid while the stored labels come from steps with this k. */
  bounds: BoundState | undefined;
  /** Groups and group bounds of Yinyang steps: one fit's, dropped at its end (cpu-backend.ts). */
  yinyang: YinyangState | undefined;
  /** Σ‖x‖² over the rows, for the inertia of a bounded step (computed once). */
  sumSquares: number | undefined;
}

let nextDatasetId = 1;

export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

/** A new attachment of a matrix, its stored labels all −1. */
export function attachDataset(matrix: DataMatrix, inline: boolean): CpuDataset {
  const id = nextDatasetId++;
  // A second attachment of the same matrix gets its own per-row arrays (and the copying kernel).
  const kmem =
    matrix.kernelMemory && !matrix.kernelMemory.claimed ? matrix.kernelMemory : undefined;
  if (kmem) kmem.claimed = true;
  return {
    kmem,
    id,
    data: { id, X: matrix.data, n: matrix.rows, d: matrix.dims, kmem },
    rows: matrix.rows,
    dims: matrix.dims,
    matrix,
    inline,
    labels: (kmem
      ? new Int32Array(kmem.memory.buffer, kmem.labels, matrix.rows)
      : sharedInt32(matrix.rows)
    ).fill(-1),
    minDist: undefined,
    blockSums: undefined,
    bounds: undefined,
    yinyang: undefined,
    sumSquares: undefined,
  };
}

/** Int32 per row: in the kernel memory's region `region` when there is one, else a new shared array. */
export function rowInts(ds: CpuDataset, region: 'labels' | 'outLabels'): Int32Array {
  const kmem = ds.kmem;
  return kmem ? new Int32Array(kmem.memory.buffer, kmem[region], ds.rows) : sharedInt32(ds.rows);
}

/** The per-row bounds of bounded Lloyd steps. */
export function boundArrays(ds: CpuDataset): { upper: Float32Array; lower: Float32Array } {
  const kmem = ds.kmem;
  if (kmem)
    return {
      upper: new Float32Array(kmem.memory.buffer, kmem.upper, ds.rows),
      lower: new Float32Array(kmem.memory.buffer, kmem.lower, ds.rows),
    };
  return { upper: sharedFloat32(ds.rows), lower: sharedFloat32(ds.rows) };
}

/**
 * Lets a detached dataset go: its kernel memory may be claimed again, this thread's drivers for it
 * and the workers' copies are dropped, and its memory counts towards a collection (collect.ts).
 */
export function releaseDataset(ds: CpuDataset): void {
  if (ds.kmem) ds.kmem.claimed = false;
  released(ds.kmem ? ds.kmem.memory : ds.data.X.buffer);
  dropDataset(ds.id);
  if (!ds.inline) existingWorkerPool()?.broadcast({ op: 'drop', id: ds.id });
}
