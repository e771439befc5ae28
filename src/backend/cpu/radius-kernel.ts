/**
 * The CPU's ε-neighbour kernel (Backend.radiusCount / radiusList) on query rows [i0, i1) of a
 * column-major matrix: each row against its window [lo, hi), in float64 (data/pair-distance.ts's
 * sum, in the same order), so the CPU never reports an ambiguous pair. The partial sum stops once
 * it passes eps²: adding non-negative terms never lowers a float64 sum, so the decision is the
 * full sum's. It is tested after every four features, not after each: where a row leaves varies
 * from row to row, so a test per feature mostly mispredicts, and four terms in one block cost
 * less than those misses (a third less time on 8-D blobs).
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
  const n2 = 2 * n;
  const n3 = 3 * n;
  for (let i = i0; i < i1; i++) {
    const r = i - job.start;
    for (let f = 0; f < d; f++) q[f] = X[f * n + i];
    let found = 0;
    let at = offsets ? offsets[r] : 0;
    for (let j = lo[r], end = hi[r]; j < end; j++) {
      let s = 0;
      let f = 0;
      for (; f + 4 <= d && s <= eps2; f += 4) {
        const at0 = f * n + j;
        const d0 = q[f] - X[at0];
        const d1 = q[f + 1] - X[at0 + n];
        const d2 = q[f + 2] - X[at0 + n2];
        const d3 = q[f + 3] - X[at0 + n3];
        s += d0 * d0;
        s += d1 * d1;
        s += d2 * d2;
        s += d3 * d3;
      }
      if (s > eps2) continue;
      for (; f < d; f++) {
        const diff = q[f] - X[f * n + j];
        s += diff * diff;
      }
      if (s > eps2) continue;
      found++;
      if (entries) entries[at++] = j;
    }
    if (counts) counts[r] = found;
  }
}
