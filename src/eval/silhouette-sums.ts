/**
 * The O(n²) part of every silhouette gpuseg computes (selection's scores, the report's plot): for
 * each row i and cluster c of each labelling, Σ over the other rows j of c of ‖x_i − x_j‖. Each
 * pair's distance is computed once and added on both sides, so n(n − 1)/2 distances.
 *
 * x is row-major (rows × d). sums[i * width + offsets[l] + c] is row i's sum for cluster c of
 * labelling l; width is Σ k over the labellings.
 */
export function pairDistanceSums(
  x: Float64Array,
  rows: number,
  d: number,
  labels: readonly Int32Array[],
  offsets: readonly number[],
  width: number,
): Float64Array {
  if (labels.length === 1) return oneLabellingSums(x, rows, d, labels[0], offsets[0], width);
  const sums = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    for (let jRow = i + 1; jRow < rows; jRow++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const t = x[i * d + j] - x[jRow * d + j];
        dist += t * t;
      }
      dist = Math.sqrt(dist);
      for (let l = 0; l < labels.length; l++) {
        const o = offsets[l];
        sums[i * width + o + labels[l][jRow]] += dist;
        sums[jRow * width + o + labels[l][i]] += dist;
      }
    }
  }
  return sums;
}

/**
 * pairDistanceSums for one labelling (the report's silhouette plot): the same sums, added in the
 * same order, without the loop over labellings in the innermost loop (about a third less time).
 */
function oneLabellingSums(
  x: Float64Array,
  rows: number,
  d: number,
  labels: Int32Array,
  offset: number,
  width: number,
): Float64Array {
  const sums = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    const own = i * width + offset;
    const label = labels[i];
    for (let jRow = i + 1; jRow < rows; jRow++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const t = x[i * d + j] - x[jRow * d + j];
        dist += t * t;
      }
      dist = Math.sqrt(dist);
      sums[own + labels[jRow]] += dist;
      sums[jRow * width + offset + label] += dist;
    }
  }
  return sums;
}
