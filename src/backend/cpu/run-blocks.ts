import { KERNEL_SCRATCH_SLOTS } from '../../data/matrix.js';
import type { CpuDataset } from './cpu-dataset.js';
import { runJob, type BlockJob } from './run-block.js';
import { CPU_BLOCK_ROWS } from './wasm-specs.js';
import { sharedWorkerPool } from './worker-pool.js';

/** The calling thread's scratch slot in a kernel memory (workers use slots 0 … 63). */
const INLINE_SLOT = KERNEL_SCRATCH_SLOTS - 1;

/**
 * Runs a job over every block of CPU_BLOCK_ROWS rows: on the calling thread for an inline dataset,
 * else split into one contiguous run of blocks per worker (at most `threads`). Returns the
 * per-block results in block order, whichever thread made them.
 */
export async function runBlocks(
  ds: CpuDataset,
  job: BlockJob,
  threads: number,
): Promise<Float64Array[]> {
  const blocks: [number, number][] = [];
  for (let i0 = 0; i0 < ds.rows; i0 += CPU_BLOCK_ROWS)
    blocks.push([i0, Math.min(ds.rows, i0 + CPU_BLOCK_ROWS)]);
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
