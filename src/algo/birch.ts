import type { Backend, DatasetHandle } from '../backend/backend.js';
import { CfTree } from './cf-tree.js';
import { wardLabels } from './ward-points.js';

/**
 * BIRCH (scikit-learn's Birch): the CF-tree in one pass over the rows in order (cf-tree.ts), its
 * leaf subclusters clustered into k by exact Ward on their centroids (scikit-learn's global step,
 * AgglomerativeClustering on subcluster_centers_; `weighted` counts each centroid by its rows
 * instead), and every row labelled by its nearest subcluster centroid — a backend assignment
 * pass, so GPU and CPU agree. With k undefined, or fewer subclusters than k, each subcluster is
 * its own cluster (scikit-learn's n_clusters=None, and its fallback with a warning).
 */
export interface BirchSettings {
  threshold: number;
  branchingFactor: number;
  k: number | undefined;
  /** Ward on centroids weighted by their rows (false: scikit-learn's unweighted Ward). */
  weighted: boolean;
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
      : wardLabels(leaves.centres, m, d, k, settings.weighted ? leaves.counts : undefined);
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
