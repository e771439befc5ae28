import type { DataMatrix } from '../data/matrix.js';
import { Rng } from '../util/rng.js';
import { pairDistanceSums } from './silhouette-sums.js';

/**
 * Cluster-quality scores with scikit-learn's definitions (sklearn.metrics), computed in float64 in
 * the clustering space. Labels are 0..k-1; every function assumes at least one row per label that
 * occurs and k ≥ 2 where the score needs two clusters.
 */

/** Per-cluster counts and centroids (K×D), from the labels. */
export function centroids(
  m: DataMatrix,
  labels: Int32Array,
  k: number,
): { counts: Float64Array; centres: Float64Array } {
  const counts = new Float64Array(k);
  const centres = new Float64Array(k * m.dims);
  for (let i = 0; i < m.rows; i++) counts[labels[i]]++;
  for (let j = 0; j < m.dims; j++) {
    const col = m.data.subarray(j * m.rows, (j + 1) * m.rows);
    for (let i = 0; i < m.rows; i++) centres[labels[i] * m.dims + j] += col[i];
  }
  for (let c = 0; c < k; c++)
    for (let j = 0; j < m.dims; j++) if (counts[c] > 0) centres[c * m.dims + j] /= counts[c];
  return { counts, centres };
}

/** Calinski-Harabasz: between-cluster over within-cluster dispersion, scaled by (n − k)/(k − 1). */
export function calinskiHarabasz(m: DataMatrix, labels: Int32Array, k: number): number {
  const { counts, centres } = centroids(m, labels, k);
  const d = m.dims;
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += centres[c * d + j] * counts[c];
    mean[j] = s / m.rows;
  }
  let extra = 0;
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) extra += counts[c] * (centres[c * d + j] - mean[j]) ** 2;
  let intra = 0;
  for (let j = 0; j < d; j++) {
    const col = m.data.subarray(j * m.rows, (j + 1) * m.rows);
    for (let i = 0; i < m.rows; i++) intra += (col[i] - centres[labels[i] * d + j]) ** 2;
  }
  const used = countUsed(counts);
  return intra === 0 ? 1 : (extra * (m.rows - used)) / (intra * (used - 1));
}

/** Davies-Bouldin: mean over clusters of the worst (s_i + s_j) / d(c_i, c_j); lower is better. */
export function daviesBouldin(m: DataMatrix, labels: Int32Array, k: number): number {
  const { counts, centres } = centroids(m, labels, k);
  const d = m.dims;
  const intra = new Float64Array(k);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (m.data[j * m.rows + i] - centres[labels[i] * d + j]) ** 2;
    intra[labels[i]] += Math.sqrt(s);
  }
  const used: number[] = [];
  for (let c = 0; c < k; c++)
    if (counts[c] > 0) {
      intra[c] /= counts[c];
      used.push(c);
    }
  const dist = (a: number, b: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) s += (centres[a * d + j] - centres[b * d + j]) ** 2;
    return Math.sqrt(s);
  };
  if (used.every((c) => Math.abs(intra[c]) < 1e-15)) return 0;
  let allZero = true;
  for (const a of used) for (const b of used) if (a !== b && dist(a, b) >= 1e-15) allZero = false;
  if (allZero) return 0;
  let total = 0;
  for (const a of used) {
    let worst = 0;
    for (const b of used) {
      if (a === b) continue;
      const dab = dist(a, b);
      const r = dab === 0 ? 0 : (intra[a] + intra[b]) / dab;
      if (r > worst) worst = r;
    }
    total += worst;
  }
  return total / used.length;
}

function countUsed(counts: Float64Array): number {
  let n = 0;
  for (const c of counts) if (c > 0) n++;
  return n;
}

/** How silhouette was computed: on every row, or on a seeded sample of rows. */
export interface SilhouetteMethod {
  exact: boolean;
  /** Rows the score was computed on. */
  sampleSize: number;
}

/** Above this many rows the silhouette is computed on a sample of this many rows. */
export const SILHOUETTE_EXACT_MAX = 20_000;

/**
 * Silhouette scores for several labellings of the same rows in one pass over the pairs (the
 * pairwise distances are the cost, and they do not depend on the labels). Above `exactMax` rows
 * the score is that of a sample of `exactMax` rows drawn with `seed`, as scikit-learn's
 * silhouette_score(sample_size=...) does: distances within the sample only.
 */
export function silhouetteScores(
  m: DataMatrix,
  labellings: { labels: Int32Array; k: number }[],
  seed = 0,
  exactMax = SILHOUETTE_EXACT_MAX,
): { scores: number[]; method: SilhouetteMethod } {
  const n = m.rows;
  const rows =
    n <= exactMax
      ? null
      : new Rng(seed).sampleWithoutReplacement(n, exactMax).sort((a, b) => a - b);
  const s = rows ? rows.length : n;
  const d = m.dims;
  const x = new Float64Array(s * d);
  for (let i = 0; i < s; i++) {
    const r = rows ? rows[i] : i;
    for (let j = 0; j < d; j++) x[i * d + j] = m.data[j * n + r];
  }
  const labs = labellings.map((l) => (rows ? Int32Array.from(rows, (r) => l.labels[r]) : l.labels));
  const offsets: number[] = [];
  let width = 0;
  for (const l of labellings) {
    offsets.push(width);
    width += l.k;
  }
  // sums[i * width + offset_l + c]: Σ distances from row i to the rows of cluster c under labelling l.
  const sums = pairDistanceSums(x, s, d, labs, offsets, width);
  const scores = labellings.map((l, li) => {
    const counts = new Float64Array(l.k);
    for (let i = 0; i < s; i++) counts[labs[li][i]]++;
    let total = 0;
    for (let i = 0; i < s; i++) {
      const own = labs[li][i];
      if (counts[own] <= 1) continue; // a singleton's silhouette is 0
      const a = sums[i * width + offsets[li] + own] / (counts[own] - 1);
      let b = Infinity;
      for (let c = 0; c < l.k; c++)
        if (c !== own && counts[c] > 0)
          b = Math.min(b, sums[i * width + offsets[li] + c] / counts[c]);
      total += (b - a) / Math.max(a, b);
    }
    return total / s;
  });
  return { scores, method: { exact: rows === null, sampleSize: s } };
}

/**
 * The elbow of a decreasing inertia curve: the k farthest below the straight line joining the
 * first and last points, both axes scaled to [0, 1] (the 'kneedle' construction of Satopää et
 * al. 2011, without smoothing). Undefined with fewer than three points.
 */
export function elbow(ks: number[], inertias: number[]): number | undefined {
  if (ks.length < 3) return undefined;
  const x0 = ks[0];
  const x1 = ks[ks.length - 1];
  const yMax = Math.max(...inertias);
  const yMin = Math.min(...inertias);
  const span = yMax - yMin || 1;
  const first = (inertias[0] - yMin) / span;
  const last = (inertias[inertias.length - 1] - yMin) / span;
  let best: number | undefined;
  let bestGap = 0;
  ks.forEach((k, i) => {
    const t = (k - x0) / (x1 - x0);
    const line = first + (last - first) * t;
    const gap = line - (inertias[i] - yMin) / span;
    if (gap > bestGap) {
      bestGap = gap;
      best = k;
    }
  });
  return best;
}
