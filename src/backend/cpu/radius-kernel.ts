/**
 * The CPU's ε-neighbour kernel (Backend.radiusCount / radiusList) on query rows [i0, i1) of a
 * column-major matrix: each row against its window [lo, hi), in float64 (data/pair-distance.ts's
 * sum, in the same order), so the CPU never reports an ambiguous pair. The partial sum stops once
 * it passes eps²: adding non-negative terms never lowers a float64 sum, so the decision is the
 * full sum's.
 */
export interface RadiusBlockJob {
  call: 'radius';
  mode: 'count' | 'list';
  /** The query's first row: query row r is dataset row start + r. */
  start: number;
  eps2: number;
  lo: Int32Array;
  hi: Int32Array;
  /** count: neighbours per query row (shared memory; the same array serves as `candidates`). */
  counts: Int32Array | null;
  /** list: where each query row's neighbours go in `entries` (count + 1). */
  offsets: Int32Array | null;
  entries: Int32Array | null;
}

export function radiusBlock(
  X: Float32Array,
  n: number,
  d: number,
  job: RadiusBlockJob,
  i0: number,
  i1: number,
): void {
  const q = new Float64Array(d);
  const { eps2, lo, hi, counts, offsets, entries } = job;
  for (let i = i0; i < i1; i++) {
    const r = i - job.start;
    for (let f = 0; f < d; f++) q[f] = X[f * n + i];
    let found = 0;
    let at = offsets ? offsets[r] : 0;
    for (let j = lo[r], end = hi[r]; j < end; j++) {
      let s = 0;
      let f = 0;
      for (; f < d; f++) {
        const diff = q[f] - X[f * n + j];
        s += diff * diff;
        if (s > eps2) break;
      }
      if (f < d) continue;
      found++;
      if (entries) entries[at++] = j;
    }
    if (counts) counts[r] = found;
  }
}
