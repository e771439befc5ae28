import type { Backend, DatasetHandle } from '../backend/backend.js';
import { globalLabels, type BirchGlobal } from './birch-global.js';
import { CfTree } from './cf-tree.js';

/**
 * BIRCH (scikit-learn's Birch): the CF-tree in one pass over the rows in order (cf-tree.ts), its
 * leaf subclusters clustered into k (birch-global.ts: exact Ward on their centroids, scikit-learn's
 * global step — AgglomerativeClustering on subcluster_centers_, its labels —, Ward counting each
 * centroid by its rows, or k-means weighting each centroid by its rows), and every row labelled by its nearest subcluster centroid — a backend assignment
 * pass, so GPU and CPU agree. With k undefined, or fewer subclusters than k, each subcluster is
 * its own cluster (scikit-learn's n_clusters=None, and its fallback with a warning).
 */
export interface BirchSettings {
  threshold: number;
  branchingFactor: number;
  k: number | undefined;
  /** The global step (birch-global.ts). */
  global: BirchGlobal;
  /** Seeds the k-means global step. */
  seed: number;
}

export interface BirchResult {
  labels: Int32Array;
  /** Leaf subcluster centroids (row-major, float32 as the backends take them) and their clusters. */
  subclusterCentres: Float32Array;
  subclusterLabels: Int32Array;
  subclusters: number;
  /** Clusters found (k, or the subclusters when fewer). */
  clusters: number;
  /** Squared distance of each row to its subcluster centroid. */
  sqDistances: Float32Array;
}

/** Rows a tree insertion takes at a time: what a streamed file's batches would be. */
const BATCH_ROWS = 65_536;

export async function runBirch(
  backend: Backend,
  handle: DatasetHandle,
  settings: BirchSettings,
): Promise<BirchResult> {
  const { matrix } = handle;
  const d = matrix.dims;
  const tree = new CfTree(d, settings.threshold, settings.branchingFactor);
  for (let start = 0; start < matrix.rows; start += BATCH_ROWS)
    tree.insertRows(matrix.data, matrix.rows, start, Math.min(matrix.rows, start + BATCH_ROWS));
  const leaves = tree.leafSubclusters();
  const m = leaves.count;
  const k = settings.k;
  const subclusterLabels =
    k === undefined || m <= k
      ? Int32Array.from({ length: m }, (_, i) => i)
      : globalLabels(leaves, d, k, settings.global, settings.seed);
  const subclusterCentres = Float32Array.from(leaves.centres);
  const nearest = await backend.assign(handle, subclusterCentres, m);
  const labels = Int32Array.from(nearest.labels, (s) => subclusterLabels[s]);
  return {
    labels,
    subclusterCentres,
    subclusterLabels,
    subclusters: m,
    clusters: k === undefined || m <= k ? m : k,
    sqDistances: nearest.sqDistances,
  };
}
