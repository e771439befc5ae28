import type { DataMatrix } from '../data/matrix.js';

/**
 * The Backend interface: the passes over the data that every algorithm is built from, and nothing
 * else. A pass turns the rows into a small summary that merges by addition (DESIGN.md); the
 * algorithms in src/algo/ only ever see these summaries, never WebGPU or worker threads.
 *
 * Kernels assume valid input: the public entry points have checked shapes, finiteness and k ≤ rows.
 */
export type BackendKind = 'cpu' | 'gpu';

/** Rows per seeding block: the granularity of the per-block potentials used to sample k-means++ candidates. */
export const SEED_BLOCK_ROWS = 256;

/** A dataset taken in by a backend: uploaded to the GPU, or shared with the CPU workers. */
export interface DatasetHandle {
  readonly rows: number;
  readonly dims: number;
  readonly matrix: DataMatrix;
}

/** OUT of one assign-and-accumulate pass (a k-means Lloyd step). */
export interface LloydSummary {
  /** Σ x over the rows assigned to each cluster: K×D, row-major. */
  sums: Float64Array;
  /** Rows assigned to each cluster. */
  counts: Float64Array;
  /** Σ over rows of the squared distance to the nearest centre. */
  inertia: number;
  /** Rows whose label differs from the one the previous pass on this dataset stored. */
  changed: number;
}

/** OUT of an assignment pass (predict, and the final labels of a fit). */
export interface Assignment {
  labels: Int32Array;
  /** Squared Euclidean distance of each row to its centre. */
  sqDistances: Float32Array;
}

export interface LloydOptions {
  /** Store the new labels (and count changes against the stored ones). Default true. */
  storeLabels?: boolean;
}

export interface Backend {
  readonly kind: BackendKind;
  /** Human-readable device, e.g. 'NVIDIA H100 (vulkan)' or 'cpu: 16 threads'. */
  readonly deviceName: string;

  /** Takes a dataset in. Its stored labels start as 'none' (every row counts as changed). */
  attach(matrix: DataMatrix): Promise<DatasetHandle>;
  detach(handle: DatasetHandle): Promise<void>;
  /** Forgets the stored labels (before a new run on the same data). */
  resetLabels(handle: DatasetHandle): Promise<void>;

  /**
   * IN centres K×D row-major (float32). Assigns every row to its nearest centre (lowest index on
   * ties) and returns the per-cluster sums, counts, the inertia and how many labels changed.
   */
  lloydStep(handle: DatasetHandle, centres: Float32Array, k: number, options?: LloydOptions): Promise<LloydSummary>;

  /** IN centres K×D. OUT labels and squared distances of every row; stored labels are untouched. */
  assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment>;

  /** k-means++: min_dist[i] = ‖x_i − c‖². OUT per-block sums of min_dist (SEED_BLOCK_ROWS rows a block). */
  seedReset(handle: DatasetHandle, centre: Float32Array): Promise<Float64Array>;
  /** k-means++: min_dist = min(min_dist, ‖x − c‖²). OUT the new per-block sums. */
  seedUpdate(handle: DatasetHandle, centre: Float32Array): Promise<Float64Array>;
  /** k-means++: IN L candidates L×D. OUT for each, Σ_i min(min_dist[i], ‖x_i − c_l‖²). */
  seedPotentials(handle: DatasetHandle, candidates: Float32Array, count: number): Promise<Float64Array>;
  /** k-means++: min_dist of rows [start, start + count). */
  seedReadMinDist(handle: DatasetHandle, start: number, count: number): Promise<Float32Array>;

  /** Releases threads, buffers and the device. The backend is unusable afterwards. */
  dispose(): Promise<void>;
}
