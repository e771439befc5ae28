import { UsageError } from '../errors.js';

/** The most points exact Ward takes here (an m×m float64 distance matrix: 128 MiB at 4,096). */
export const WARD_POINTS_MAX = 4096;

/**
 * Exact Ward clustering of m points (row-major m×d) into k clusters: the nearest-neighbour chain
 * with the Lance–Williams update on squared distances (Ward is reducible, so the chain finds the
 * same merges as the greedy algorithm), merges sorted by height and the m − k lowest applied. With
 * `weights`, point i stands for weights[i] rows (Ward's cost of merging clusters of sizes a and b
 * at centroid distance δ is ab/(a+b)·δ²); without, every point weighs 1, as scikit-learn's
 * AgglomerativeClustering (linkage 'ward') on the points. Labels are numbered in the order of
 * their clusters' first point.
 */
export function wardLabels(
  points: Float64Array,
  m: number,
  d: number,
  k: number,
  weights?: Float64Array,
): Int32Array {
  if (m > WARD_POINTS_MAX)
    throw new UsageError(
      (opt) =>
        `exact Ward takes at most ${WARD_POINTS_MAX} points, got ${m}; raise ${opt('threshold')} for fewer BIRCH subclusters`,
    );
  const size = Float64Array.from({ length: m }, (_, i) => weights?.[i] ?? 1);
  // D[i·m + j]: the Lance–Williams squared Ward distance between clusters i and j.
  const D = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += (points[i * d + f] - points[j * d + f]) ** 2;
      const v = ((2 * size[i] * size[j]) / (size[i] + size[j])) * s;
      D[i * m + j] = v;
      D[j * m + i] = v;
    }
  const active = new Uint8Array(m).fill(1);
  const merges: { a: number; b: number; height: number }[] = [];
  const chain: number[] = [];
  for (let left = m; left > 1;) {
    if (chain.length === 0) chain.push(active.indexOf(1));
    for (;;) {
      const a = chain[chain.length - 1];
      const prev = chain.length > 1 ? chain[chain.length - 2] : -1;
      let b = prev;
      let best = prev >= 0 ? D[a * m + prev] : Infinity;
      for (let c = 0; c < m; c++)
        if (active[c] && c !== a && D[a * m + c] < best) [best, b] = [D[a * m + c], c];
      if (b === prev) break;
      chain.push(b);
    }
    const a = chain.pop()!;
    const b = chain.pop()!;
    const [keep, drop] = a < b ? [a, b] : [b, a];
    const dab = D[a * m + b];
    merges.push({ a: keep, b: drop, height: dab });
    for (let c = 0; c < m; c++) {
      if (!active[c] || c === a || c === b) continue;
      const v =
        ((size[a] + size[c]) * D[a * m + c] + (size[b] + size[c]) * D[b * m + c] - size[c] * dab) /
        (size[a] + size[b] + size[c]);
      D[keep * m + c] = v;
      D[c * m + keep] = v;
    }
    size[keep] += size[drop];
    active[drop] = 0;
    left--;
  }
  // The m − k lowest merges (stable: the chain's order breaks equal heights).
  const order = merges
    .map((_, i) => i)
    .sort((x, y) => merges[x].height - merges[y].height || x - y);
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  // Merges name clusters by a representative point: replay them on the points.
  const rep = Int32Array.from({ length: m }, (_, i) => i);
  for (const i of order.slice(0, Math.max(0, m - k))) {
    const { a, b } = merges[i];
    parent[find(rep[b])] = find(rep[a]);
  }
  const labels = new Int32Array(m).fill(-1);
  const number = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const root = find(i);
    if (!number.has(root)) number.set(root, number.size);
    labels[i] = number.get(root)!;
  }
  return labels;
}
