import type { Backend, DatasetHandle } from '../backend/backend.js';
import {
  cutDendrogram,
  groupStatistics,
  keepTop,
  type WardCut,
  type WardDendrogram,
} from './ward-dendrogram.js';
import { wardTree } from './ward-tree.js';
import { runKMeans, type KMeansSettings, type KMeansResult } from './kmeans.js';

/**
 * Rows up to which `ward` is exact by default. Exact Ward here keeps the centroids (n·D float64)
 * rather than scipy's n²/2 distances — 20,000 × 16 is 2.6 MB where scipy needs 1.6 GB — but its
 * time grows as n²·D (about 10 s on one core at 20,000 × 8).
 */
export const EXACT_WARD_MAX_ROWS = 20_000;

export interface WardSettings {
  k: number;
  /** exact: the tree over every row (scikit-learn's labels); two-step: over micro-clusters. */
  method: 'exact' | 'two-step';
  /** two-step: k-means clusters the Ward tree is built on; both: clusters the model keeps (the deepest cut `cut` can make). */
  microClusters: number;
  /** two-step: the micro-cluster k-means (its k is microClusters). */
  kmeans: Omit<KMeansSettings, 'k'>;
}

export interface WardResult {
  dendrogram: WardDendrogram;
  cut: WardCut;
  labels: Int32Array;
  /** The group (dendrogram.groups) of each row. */
  rowGroup: Int32Array;
  /** Squared distance of each row to its segment's centre. */
  sqDistances: Float32Array;
  /** The micro-cluster k-means (two-step), for iterations and history. */
  micro: KMeansResult | undefined;
}

/**
 * Ward clustering. Exact: the tree over every row (ward-tree.ts), the same labels as
 * scikit-learn's AgglomerativeClustering(linkage='ward'). Two-step (SPSS TwoStep, BIRCH's global
 * step): k-means on the backend into m micro-clusters, then exact Ward on their means weighted by
 * their rows. Either way the model keeps the tree cut at m with the merges above it.
 */
export async function runWard(
  backend: Backend,
  handle: DatasetHandle,
  settings: WardSettings,
  meanVariance: number,
): Promise<WardResult> {
  const { matrix } = handle;
  const n = matrix.rows;
  const d = matrix.dims;
  let dendrogram: WardDendrogram;
  let rowGroup: Int32Array;
  let micro: KMeansResult | undefined;
  if (settings.method === 'exact') {
    const points = new Float64Array(n * d);
    for (let j = 0; j < d; j++)
      for (let i = 0; i < n; i++) points[i * d + j] = matrix.data[j * n + i];
    const tree = wardTree(points, new Float64Array(n).fill(1), d);
    const m = Math.min(n, settings.microClusters);
    const top = keepTop(tree, m, (leafGroup) => groupStatistics(matrix, leafGroup, m));
    dendrogram = top.dendrogram;
    rowGroup = top.leafGroup;
  } else {
    const m = Math.min(n, settings.microClusters);
    micro = await runKMeans(backend, handle, { ...settings.kmeans, k: m }, meanVariance);
    // Micro-clusters left empty (fewer distinct rows than m) are dropped.
    const used = new Int32Array(m).fill(-1);
    let leaves = 0;
    for (const l of micro.labels) if (used[l] < 0) used[l] = leaves++;
    const microOfRow = Int32Array.from(micro.labels, (l) => used[l]);
    const stats = groupStatistics(matrix, microOfRow, leaves);
    const points = Float64Array.from(stats.flatMap((s) => s.centre));
    const tree = wardTree(
      points,
      Float64Array.from(stats, (s) => s.rows),
      d,
    );
    const top = keepTop(tree, leaves, (leafGroup) => {
      const ordered = new Array<(typeof stats)[number]>(leaves);
      leafGroup.forEach((g, leaf) => (ordered[g] = stats[leaf]));
      return ordered;
    });
    dendrogram = top.dendrogram;
    rowGroup = Int32Array.from(microOfRow, (leaf) => top.leafGroup[leaf]);
  }
  const cut = cutDendrogram(dendrogram, settings.k);
  const labels = Int32Array.from(rowGroup, (g) => cut.groupSegment[g]);
  const sqDistances = new Float32Array(n);
  for (let j = 0; j < d; j++)
    for (let i = 0; i < n; i++)
      sqDistances[i] += (matrix.data[j * n + i] - cut.centres[labels[i] * d + j]) ** 2;
  return { dendrogram, cut, labels, rowGroup, sqDistances, micro };
}
