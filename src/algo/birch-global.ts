import { UsageError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { cutNodes, leavesUnder, mergeChildren } from './ward-cut.js';
import { wardTree } from './ward-tree.js';

/**
 * BIRCH's global step: the m leaf subclusters (centroids row-major m×d, float64, and the rows
 * each holds) joined into k clusters. Small inputs (m is the tree's subclusters, not the rows),
 * so it runs on the host in float64.
 */
export type BirchGlobal = 'ward' | 'weighted-ward' | 'kmeans';

export interface Subclusters {
  centres: Float64Array;
  counts: Float64Array;
  count: number;
}

/** The most subclusters exact Ward takes here (O(m²·d) time on the host). */
export const WARD_POINTS_MAX = 4096;

/** Restarts of the k-means global step (scikit-learn's KMeans n_init of 1.2); the lowest cost is kept. */
const KMEANS_RESTARTS = 10;
const KMEANS_MAX_ITER = 300;

/** The cluster of each subcluster (k < m). */
export function globalLabels(
  subs: Subclusters,
  d: number,
  k: number,
  global: BirchGlobal,
  seed: number,
): Int32Array {
  if (global === 'kmeans') return weightedKMeansRestarts(subs.centres, subs.counts, d, k, seed);
  return wardCut(subs.centres, global === 'weighted-ward' ? subs.counts : undefined, d, k);
}

/**
 * Refuses more subclusters than exact Ward takes; `atRow`: the tree is still being built (its
 * subclusters only grow in number, so it can stop there rather than after the last row).
 */
export function checkWardPoints(m: number, atRow?: number): void {
  if (m > WARD_POINTS_MAX)
    throw new UsageError(
      (opt) =>
        `exact Ward takes at most ${WARD_POINTS_MAX} points, ${atRow === undefined ? 'got' : `the CF-tree had`} ${m} BIRCH subclusters${atRow === undefined ? '' : ` by row ${atRow}`}; raise ${opt('threshold')} for fewer, or use ${opt('birchGlobal')} kmeans`,
    );
}

/**
 * Exact Ward on the points cut into k, numbered as scikit-learn's AgglomerativeClustering numbers
 * its labels (scipy's tree, `_hc_cut`): with unit weights, what Birch(n_clusters=k) returns.
 */
export function wardCut(
  points: Float64Array,
  weights: Float64Array | undefined,
  d: number,
  k: number,
): Int32Array {
  const m = points.length / d;
  checkWardPoints(m);
  const tree = wardTree(points, weights ?? new Float64Array(m).fill(1), d);
  const nodes = cutNodes(2 * m - 2, mergeChildren(tree), k);
  return leavesUnder(tree, nodes);
}

/**
 * Lloyd's k-means on weighted points from given centres, until no label changes: scikit-learn's
 * lloyd step, an empty cluster included (it takes the point farthest from its centre, as
 * `_relocate_empty_clusters_dense` does).
 */
export function weightedKMeans(
  points: Float64Array,
  weights: Float64Array,
  d: number,
  init: Float64Array,
  maxIter = KMEANS_MAX_ITER,
): { labels: Int32Array; centres: Float64Array; cost: number; iterations: number } {
  const m = weights.length;
  const k = init.length / d;
  const centres = Float64Array.from(init);
  const labels = new Int32Array(m).fill(-1);
  const distance = new Float64Array(m);
  let cost = 0;
  let iterations = 0;
  for (;;) {
    cost = 0;
    let changed = 0;
    for (let i = 0; i < m; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let f = 0; f < d; f++) s += (points[i * d + f] - centres[c * d + f]) ** 2;
        if (s < bestD) [best, bestD] = [c, s];
      }
      if (labels[i] !== best) changed++;
      labels[i] = best;
      distance[i] = bestD;
      cost += weights[i] * bestD;
    }
    if (changed === 0 || iterations === maxIter) break;
    iterations++;
    updateCentres(points, weights, d, labels, distance, centres);
  }
  return { labels, centres, cost, iterations };
}

/** IN labels and each point's squared distance to its centre; centres OUT as the weighted means. */
function updateCentres(
  points: Float64Array,
  weights: Float64Array,
  d: number,
  labels: Int32Array,
  distance: Float64Array,
  centres: Float64Array,
): void {
  const m = weights.length;
  const k = centres.length / d;
  const sums = new Float64Array(k * d);
  const mass = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    mass[labels[i]] += weights[i];
    for (let f = 0; f < d; f++) sums[labels[i] * d + f] += weights[i] * points[i * d + f];
  }
  const empty = [...mass.keys()].filter((c) => mass[c] === 0);
  if (empty.length > 0) {
    const far = [...distance.keys()].sort((a, b) => distance[b] - distance[a]);
    empty.forEach((c, e) => {
      const i = far[e];
      const w = weights[i];
      for (let f = 0; f < d; f++) {
        sums[labels[i] * d + f] -= points[i * d + f] * w;
        sums[c * d + f] = points[i * d + f] * w;
      }
      mass[c] = w;
      mass[labels[i]] -= w;
    });
  }
  for (let c = 0; c < k; c++)
    if (mass[c] > 0) for (let f = 0; f < d; f++) centres[c * d + f] = sums[c * d + f] / mass[c];
}

/**
 * k-means++ seeds for weighted points: each next centre drawn with probability ∝ weight ×
 * squared distance to the nearest chosen centre (the first ∝ weight).
 */
export function weightedSeeds(
  points: Float64Array,
  weights: Float64Array,
  d: number,
  k: number,
  rng: Rng,
): Float64Array {
  const m = weights.length;
  const draw = (mass: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < m; i++) total += mass[i];
    let r = rng.nextDouble() * total;
    for (let i = 0; i < m; i++) {
      r -= mass[i];
      if (r < 0 && mass[i] > 0) return i;
    }
    let last = m - 1;
    while (last > 0 && mass[last] === 0) last--;
    return last;
  };
  const out = new Float64Array(k * d);
  const nearest = new Float64Array(m).fill(Infinity);
  let chosen = draw(weights);
  for (let c = 0; c < k; c++) {
    out.set(points.subarray(chosen * d, (chosen + 1) * d), c * d);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += (points[i * d + f] - out[c * d + f]) ** 2;
      if (s < nearest[i]) nearest[i] = s;
    }
    if (c + 1 < k) chosen = draw(Float64Array.from(nearest, (v, i) => v * weights[i]));
  }
  return out;
}

/** The best of KMEANS_RESTARTS weighted k-means runs from seeded k-means++ starts. */
function weightedKMeansRestarts(
  points: Float64Array,
  weights: Float64Array,
  d: number,
  k: number,
  seed: number,
): Int32Array {
  const rng = new Rng(seed);
  let best: { labels: Int32Array; cost: number } | undefined;
  for (let r = 0; r < KMEANS_RESTARTS; r++) {
    const run = weightedKMeans(points, weights, d, weightedSeeds(points, weights, d, k, rng));
    if (!best || run.cost < best.cost) best = run;
  }
  return best!.labels;
}
