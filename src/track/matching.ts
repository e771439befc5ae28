import { linearSumAssignment } from './hungarian.js';
import { jaccard, type Overlap } from './overlap.js';

/**
 * The matching cost between previous segment a and new cluster b (documented in README "Weekly
 * runs"): cost = w · d(a, b) / dMax + (1 − w) · (1 − J(a, b)), where d is the Euclidean distance
 * of the two centres in the frozen preprocessed space, dMax the largest such distance over all
 * pairs (so the first term lies in [0, 1]; 0 when every distance is 0), J the Jaccard overlap of
 * the member customers, and w = `distanceWeight` (default 0.5).
 */
export function matchingCost(
  prevCentres: Float64Array | Float32Array,
  newCentres: Float64Array | Float32Array,
  dims: number,
  overlap: Overlap,
  distanceWeight = 0.5,
): Float64Array {
  const { kPrev, kNew } = overlap;
  const dist = new Float64Array(kPrev * kNew);
  let dMax = 0;
  for (let a = 0; a < kPrev; a++)
    for (let b = 0; b < kNew; b++) {
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const d = prevCentres[a * dims + j] - newCentres[b * dims + j];
        s += d * d;
      }
      dist[a * kNew + b] = Math.sqrt(s);
      if (dist[a * kNew + b] > dMax) dMax = dist[a * kNew + b];
    }
  const cost = new Float64Array(kPrev * kNew);
  for (let a = 0; a < kPrev; a++)
    for (let b = 0; b < kNew; b++) {
      const d = dMax > 0 ? dist[a * kNew + b] / dMax : 0;
      cost[a * kNew + b] = distanceWeight * d + (1 - distanceWeight) * (1 - jaccard(overlap, a, b));
    }
  return cost;
}

/** For each new cluster, the previous segment it is matched to (−1: none), by minimum total cost. */
export function matchClusters(cost: Float64Array, kPrev: number, kNew: number): Int32Array {
  const match = new Int32Array(kNew).fill(-1);
  if (kPrev === 0 || kNew === 0) return match;
  const { rows, cols } = linearSumAssignment(cost, kPrev, kNew);
  for (let t = 0; t < rows.length; t++) match[cols[t]] = rows[t];
  return match;
}
