import { KERNEL_SCRATCH_SLOTS } from '../../data/matrix.js';
import type { CpuDataset } from './cpu-dataset.js';
import { runJob, type BlockJob } from './run-block.js';
import { CPU_BLOCK_ROWS } from './wasm-specs.js';
import { sharedWorkerPool } from './worker-pool.js';

/** The calling thread's scratch slot in a kernel memory (workers use slots 0 … 63). */
const INLINE_SLOT = KERNEL_SCRATCH_SLOTS - 1;

/** Rows [start, end) cut into blocks of CPU_BLOCK_ROWS (the last one shorter). */
export function rowBlocks(start: number, end: number): [number, number][] {
  const blocks: [number, number][] = [];
  for (let i0 = start; i0 < end; i0 += CPU_BLOCK_ROWS)
    blocks.push([i0, Math.min(end, i0 + CPU_BLOCK_ROWS)]);
  return blocks;
}

/**
 * Runs a job over `blocks` (default: every row of the dataset) on the calling thread (small inputs)
 * or split evenly over `threads` workers; returns the per-block results in block order, so the
 * result does not depend on the number of threads.
 */
export async function runBlocks(
  ds: CpuDataset,
  threads: number,
  job: BlockJob,
  blocks: [number, number][] = rowBlocks(0, ds.rows),
): Promise<Float64Array[]> {
  if (ds.inline) return runJob(ds.data, INLINE_SLOT, job, blocks);
  // Worker w uses scratch slot w of a kernel memory; the pool has at most 64, below INLINE_SLOT.
  const workers = Math.min(threads, blocks.length, sharedWorkerPool().size);
  const jobs: Promise<Float64Array[]>[] = [];
  for (let w = 0; w < workers; w++) {
    const mine = blocks.slice(
      Math.floor((w * blocks.length) / workers),
      Math.floor(((w + 1) * blocks.length) / workers),
    );
    jobs.push(sharedWorkerPool().run(w, { id: ds.id, slot: w, work: job, blocks: mine }));
  }
  return (await Promise.all(jobs)).flat();
}
