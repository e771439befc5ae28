import type { RadiusCounts, RadiusQuery } from '../backend.js';
import { rowBlocks, runBlocks } from './block-runner.js';
import { sharedInt32, type CpuDataset } from './cpu-dataset.js';

/**
 * The CPU's ε-neighbour passes (radius-kernel.ts) over the query rows, on the worker threads for
 * large inputs. Outputs are shared arrays the workers write into; each query row is one thread's,
 * so the result does not depend on the number of threads. Decided in float64: no ambiguous pairs.
 */
export async function cpuRadiusCount(
  ds: CpuDataset,
  threads: number,
  q: RadiusQuery,
): Promise<RadiusCounts> {
  const counts = sharedInt32(q.count);
  await runBlocks(
    ds,
    threads,
    {
      call: 'radius',
      mode: 'count',
      start: q.start,
      eps2: q.eps * q.eps,
      lo: q.lo,
      hi: q.hi,
      counts,
      offsets: null,
      entries: null,
    },
    rowBlocks(q.start, q.start + q.count),
  );
  const sure = counts.slice();
  return { sure, candidates: sure };
}

export async function cpuRadiusList(
  ds: CpuDataset,
  threads: number,
  q: RadiusQuery,
  offsets: Int32Array,
): Promise<Int32Array> {
  const entries = sharedInt32(offsets[q.count]);
  await runBlocks(
    ds,
    threads,
    {
      call: 'radius',
      mode: 'list',
      start: q.start,
      eps2: q.eps * q.eps,
      lo: q.lo,
      hi: q.hi,
      counts: null,
      offsets,
      entries,
    },
    rowBlocks(q.start, q.start + q.count),
  );
  return entries.slice();
}
