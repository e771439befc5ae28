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

/** IN of the Gaussian-mixture passes: the parameters in the form the kernels evaluate (see algo/gmm-math.ts). */
export interface GmmPassParams {
  form: 'diag' | 'full';
  k: number;
  /** K×D means. */
  means: Float32Array;
  /** diag: K×D values 1/σ; full: K×D×D upper-triangular factors P with Σ⁻¹ = P Pᵀ. */
  precChol: Float32Array;
  /** K constants log w_k + log det P_k − D/2·log 2π. */
  bias: Float32Array;
}

/** OUT of a Gaussian-mixture E-step pass, statistics centred on each component's mean (d = x − μ_k). */
export interface GmmSummary {
  /** Σ_i r_ik (K). */
  nk: Float64Array;
  /** Σ_i r_ik d_i (K×D). */
  sd: Float64Array;
  /** Σ_i r_ik d_i d_iᵀ: diag K×D; full K×D(D+1)/2, the upper triangle by rows. */
  sdd: Float64Array;
  /** Σ_i log p(x_i). */
  logLikelihood: number;
}

/** OUT of a Gaussian-mixture assignment pass. */
export interface GmmAssignment {
  labels: Int32Array;
  /** Probability of the assigned component. */
  probability: Float32Array;
  /** All responsibilities, component-major (component c at [c·N, (c+1)·N)), when asked for. */
  probabilities: Float32Array | undefined;
  /** Σ_i log p(x_i). */
  logLikelihood: number;
}

/**
 * IN of the ε-neighbour passes (DBSCAN): query rows [start, start + count) of the dataset, each
 * tested against the rows of its window [lo[r], hi[r]) (absolute row numbers; the caller proves
 * every neighbour lies there: rows sorted along one axis). A pair is a neighbour when its squared
 * distance is ≤ eps², decided in float64 as Σ_d (x_id − x_jd)² in feature order (`radiusSquared`).
 * A backend that computes in float32 reports the pairs it cannot decide (within float32 rounding
 * of eps²) as ambiguous, for the caller to decide in float64: every backend then agrees exactly.
 */
export interface RadiusQuery {
  start: number;
  count: number;
  eps: number;
  lo: Int32Array;
  hi: Int32Array;
}

/** OUT of radiusCount, per query row (the row itself counts). */
export interface RadiusCounts {
  /** Neighbours decided within eps. */
  sure: Int32Array;
  /** sure + the pairs left undecided (ambiguous); equal to `sure` on a float64 backend. */
  candidates: Int32Array;
}

/** Flag bit of an ambiguous entry of a neighbour list: the row is `entry & RADIUS_ROW_MASK`. */
export const RADIUS_AMBIGUOUS = 0x80000000 | 0;
export const RADIUS_ROW_MASK = 0x7fffffff;

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
  lloydStep(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
    options?: LloydOptions,
  ): Promise<LloydSummary>;

  /** IN centres K×D. OUT labels and squared distances of every row; stored labels are untouched. */
  assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment>;

  /**
   * Seeding: min_dist[i] = min over the `count` centres (count×D) of ‖x_i − c‖².
   * OUT per-block sums of min_dist (SEED_BLOCK_ROWS rows a block).
   */
  seedReset(handle: DatasetHandle, centres: Float32Array, count?: number): Promise<Float64Array>;
  /** Seeding: min_dist = min(min_dist, min over the new centres of ‖x − c‖²). OUT the new per-block sums. */
  seedUpdate(handle: DatasetHandle, centres: Float32Array, count?: number): Promise<Float64Array>;
  /**
   * k-means‖ oversampling: the rows kept with probability min(1, factor · min_dist[i]), the draw a
   * hash of (seed, row) identical on every backend. OUT the kept rows in increasing order.
   */
  seedSample(handle: DatasetHandle, factor: number, seed: number): Promise<Int32Array>;
  /** k-means++: IN L candidates L×D. OUT for each, Σ_i min(min_dist[i], ‖x_i − c_l‖²). */
  seedPotentials(
    handle: DatasetHandle,
    candidates: Float32Array,
    count: number,
  ): Promise<Float64Array>;
  /** k-means++: min_dist of rows [start, start + count). */
  seedReadMinDist(handle: DatasetHandle, start: number, count: number): Promise<Float32Array>;

  /** Gaussian mixture E-step: responsibilities (log-sum-exp) and their sufficient statistics. */
  gmmStep(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary>;
  /** Gaussian mixture assignment: most probable component, its probability, optionally all of them. */
  gmmAssign(
    handle: DatasetHandle,
    params: GmmPassParams,
    options: { probabilities: boolean },
  ): Promise<GmmAssignment>;

  /** DBSCAN: ε-neighbour counts of the query rows (see RadiusQuery). */
  radiusCount(handle: DatasetHandle, query: RadiusQuery): Promise<RadiusCounts>;
  /**
   * DBSCAN: the ε-neighbour lists of the query rows, row r's (candidate) neighbours at
   * [offsets[r], offsets[r + 1]) of the result in increasing row order, ambiguous ones flagged with
   * RADIUS_AMBIGUOUS. IN `offsets` (count + 1): room per row, from radiusCount's candidates.
   */
  radiusList(handle: DatasetHandle, query: RadiusQuery, offsets: Int32Array): Promise<Int32Array>;

  /** Releases threads, buffers and the device. The backend is unusable afterwards. */
  dispose(): Promise<void>;
}
