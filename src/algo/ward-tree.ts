/**
 * Exact Ward agglomeration of weighted points by the nearest-neighbour chain (Murtagh 1983), as
 * scipy's linkage(method='ward') that scikit-learn's AgglomerativeClustering(linkage='ward') calls
 * — the chain walked the same way (the previous chain element preferred on ties, the lowest index
 * otherwise; the merged cluster takes the higher index), the merges then sorted by height
 * (stably) and numbered as scipy's `label` does. The Ward distance between clusters a and b is
 * √(2·w_a·w_b/(w_a+w_b))·‖c_a − c_b‖ (for single points: their Euclidean distance), computed
 * from centroids and weights: O(n·D) memory instead of scipy's n²/2 distances, O(n²·D) time.
 */
export interface WardMerges {
  /** Leaves (the points); node n + t is made by merge t. */
  leaves: number;
  /** Merge t joins nodes children[2t] < children[2t+1]. */
  children: Int32Array;
  /** Ward distance of each merge, non-decreasing. */
  heights: Float64Array;
}

/** IN points n×D row-major (float64) and their weights (rows per point). */
export function wardTree(points: Float64Array, weights: Float64Array, d: number): WardMerges {
  const n = weights.length;
  const centre = Float64Array.from(points);
  const size = Float64Array.from(weights);
  // Clusters alive, in increasing index order (scipy scans every index and skips the dead).
  let active = Int32Array.from({ length: n }, (_, i) => i);
  let alive = n;
  const chain = new Int32Array(n);
  let chainLength = 0;
  const rawX = new Int32Array(Math.max(0, n - 1));
  const rawY = new Int32Array(Math.max(0, n - 1));
  const rawH = new Float64Array(Math.max(0, n - 1));
  for (let k = 0; k < n - 1; k++) {
    if (chainLength === 0) chain[chainLength++] = active[0];
    let x = -1;
    let y = -1;
    let best = Infinity;
    for (;;) {
      x = chain[chainLength - 1];
      y = -1;
      best = Infinity;
      if (chainLength > 1) {
        y = chain[chainLength - 2];
        best = squaredWard(centre, size, d, x, y, Infinity);
      }
      for (let t = 0; t < alive; t++) {
        const i = active[t];
        if (i === x) continue;
        const dist = squaredWard(centre, size, d, x, i, best);
        if (dist < best) {
          best = dist;
          y = i;
        }
      }
      if (chainLength > 1 && y === chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    rawX[k] = x;
    rawY[k] = y;
    rawH[k] = Math.sqrt(best);
    // y becomes the union; x leaves.
    const w = size[x] + size[y];
    for (let j = 0; j < d; j++)
      centre[y * d + j] = (size[x] * centre[x * d + j] + size[y] * centre[y * d + j]) / w;
    size[y] = w;
    size[x] = 0;
    const at = active.indexOf(x);
    active.copyWithin(at, at + 1, alive);
    alive--;
    if (alive < active.length / 2) active = active.slice(0, alive);
  }
  return labelMerges(n, rawX, rawY, rawH);
}

/**
 * The squared Ward distance 2·w_a·w_b/(w_a+w_b)·‖c_a − c_b‖², or Infinity once it is past
 * `limit` (the scan only needs to know whether a cluster is nearer than the best so far).
 */
function squaredWard(
  centre: Float64Array,
  size: Float64Array,
  d: number,
  a: number,
  b: number,
  limit: number,
): number {
  const factor = (2 * size[a] * size[b]) / (size[a] + size[b]);
  const bound = limit / factor;
  let s = 0;
  const ra = a * d;
  const rb = b * d;
  for (let j = 0; j < d; j++) {
    const t = centre[ra + j] - centre[rb + j];
    s += t * t;
    if (s > bound) return Infinity;
  }
  return factor * s;
}

/** scipy's ordering: merges sorted by height (stable), then renamed to node ids by union-find. */
function labelMerges(
  n: number,
  rawX: Int32Array,
  rawY: Int32Array,
  rawH: Float64Array,
): WardMerges {
  const order = Array.from({ length: n - 1 }, (_, t) => t).sort((a, b) => rawH[a] - rawH[b]);
  const parent = new Int32Array(2 * n - 1).fill(-1);
  const find = (v: number): number => {
    let root = v;
    while (parent[root] >= 0) root = parent[root];
    while (parent[v] >= 0) {
      const next = parent[v];
      parent[v] = root;
      v = next;
    }
    return root;
  };
  const children = new Int32Array(2 * (n - 1));
  const heights = new Float64Array(n - 1);
  order.forEach((t, i) => {
    const a = find(rawX[t]);
    const b = find(rawY[t]);
    children[2 * i] = Math.min(a, b);
    children[2 * i + 1] = Math.max(a, b);
    heights[i] = rawH[t];
    parent[a] = parent[b] = n + i;
  });
  return { leaves: n, children, heights };
}
