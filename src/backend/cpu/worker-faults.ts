import type { BlockJob } from './run-block.js';

/**
 * A test seam for wrong results computed inside a CPU worker thread, so that the conformance suite
 * can be shown to catch them where they would arise (after the kernel, before the main thread adds
 * the partials). GPUSEG_FAULT (as read by the worker when it starts) lists faults, comma-separated:
 *   worker-sum     +1 on the first sum (cluster 0, feature 0) of every Lloyd block
 *   worker-count   +1 on cluster 0's count in the first Lloyd block of each job
 *   worker-label   the first row of each job's first block gets the next cluster's label
 * Nothing here is read unless the variable is set; the calling thread never applies them.
 */
const faults = new Set((process.env.GPUSEG_FAULT ?? '').split(',').map((s) => s.trim()));

export function applyWorkerFaults(
  job: BlockJob,
  blocks: readonly (readonly [number, number])[],
  results: Float64Array[],
): void {
  if (job.call !== 'lloyd' || faults.size === 0) return;
  const kd = job.k * (job.C.length / job.k);
  if (job.accumulate && faults.has('worker-sum')) for (const acc of results) acc[0] += 1;
  if (job.accumulate && faults.has('worker-count') && results.length > 0) results[0][kd] += 1;
  if (faults.has('worker-label') && blocks.length > 0) {
    const row = blocks[0][0];
    job.labels[row] = (job.labels[row] + 1) % job.k;
  }
}
