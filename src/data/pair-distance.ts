/**
 * The squared distance between rows i and j of a column-major float32 matrix (n rows, d features),
 * in float64: Σ_d (x_id − x_jd)² in feature order. This one function decides every ε-neighbour
 * pair of DBSCAN: the CPU backend's kernel computes it, and the pairs a float32 backend leaves
 * undecided are decided with it, so every backend gives the same neighbours bit for bit.
 */
export function pairSquaredDistance(
  X: Float32Array,
  n: number,
  d: number,
  i: number,
  j: number,
): number {
  let s = 0;
  for (let f = 0; f < d; f++) {
    const diff = X[f * n + i] - X[f * n + j];
    s += diff * diff;
  }
  return s;
}
