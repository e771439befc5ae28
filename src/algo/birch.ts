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

export interface BirchResult extends BirchSubclusters {
  labels: Int32Array;
  /** Squared distance of each row to its subcluster centroid. */
  sqDistances: Float32Array;
}

/** Rows a tree insertion takes at a time: what a streamed file's batches would be. */
const BATCH_ROWS = 65_536;

/** The global step's result: the leaf subclusters' centroids (row-major, float32 as the backends take them) and segments. */
export interface BirchSubclusters {
  subclusterCentres: Float32Array;
  subclusterLabels: Int32Array;
  subclusters: number;
  /** Clusters found (k, or the subclusters when fewer). */
  clusters: number;
}

export async function runBirch(
  backend: Backend,
  handle: DatasetHandle,
  settings: BirchSettings,
): Promise<BirchResult> {
  const { matrix } = handle;
  const tree = new CfTree(matrix.dims, settings.threshold, settings.branchingFactor);
  for (let start = 0; start < matrix.rows; start += BATCH_ROWS)
    tree.insertRows(matrix.data, matrix.rows, start, Math.min(matrix.rows, start + BATCH_ROWS));
  const global = birchGlobalStep(tree, settings);
  const nearest = await backend.assign(handle, global.subclusterCentres, global.subclusters);
  return {
    ...global,
    labels: Int32Array.from(nearest.labels, (s) => global.subclusterLabels[s]),
    sqDistances: nearest.sqDistances,
  };
}

/**
 * The tree's leaf subclusters joined into k clusters (birch-global.ts), or each its own cluster
 * without k or with k or fewer of them. The in-memory fit and the out-of-core one (whose tree was
 * fed chunk by chunk) both end their tree here, so the same tree gives the same segments.
 */
export function birchGlobalStep(
  tree: CfTree,
  settings: Pick<BirchSettings, 'k' | 'global' | 'seed'>,
): BirchSubclusters {
  const leaves = tree.leafSubclusters();
  const m = leaves.count;
  const { k } = settings;
  const own = k === undefined || m <= k;
  return {
    subclusterCentres: Float32Array.from(leaves.centres),
    subclusterLabels: own
      ? Int32Array.from({ length: m }, (_, i) => i)
      : globalLabels(leaves, tree.dims, k, settings.global, settings.seed),
    subclusters: m,
    clusters: own ? m : k,
  };
}
