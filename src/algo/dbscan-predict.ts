import type { Backend } from '../backend/backend.js';
import type { DataMatrix } from '../data/matrix.js';
import {
  axisWindow,
  coreSquaredDistance,
  foreignReach,
  nearestCoreDirect,
  type CoreRows,
} from './dbscan-cores.js';

/**
 * DBSCAN predict's labels (a row takes the cluster of its nearest core row within eps, else −1),
 * exactly those of the direct search (dbscan-cores.ts), by one of two paths:
 *
 * - host: the direct search per row, over the core rows within eps on the sorted axis;
 * - backend: a nearest-centre search with the core rows as centres — backend assignment passes
 *   (the CPU's SIMD GEMM-form kernel on worker threads, the GPU's kernel), CORE_PASS_VALUES core
 *   values a pass, each pass's winner measured again in float64 on the host and the lowest
 *   distance kept (the earlier core row on ties). A backend's nearest may differ from the float64
 *   one within float32 rounding (the GPU's direct form is float32), so its answer is used only where
 *   it is certain: with s the float64 squared distance of the core c found,
 *   - s > eps²·(1 + TRUST): no core row within eps (a backend's distances are off by far less);
 *   - s ≤ eps² and 4s < foreign(c) (dbscan-cores.ts foreignReach): every core row at most √s
 *     away is within 2√s of c, so in c's cluster: the label is c's whichever is exactly nearest;
 *   - else (near eps, or near another cluster's core rows): the direct search decides, starting
 *     from c.
 *
 * The host path is taken where the rows' windows are small against the core rows (many clusters,
 * small eps): it examines fewer pairs than the backend's N × cores by more than the backend's
 * speed per pair (HOST_PAIR_COST).
 */

/** Core values (cores × dims) per assignment pass: the CPU's SIMD kernel holds them in its scratch. */
export const CORE_PASS_VALUES = 8192;
/** Relative margin on eps² beyond which a backend's nearest distance certainly means noise. */
export const TRUST = 2 ** -12;
/** Margin on 4s against foreign(c): covers float64 rounding of both sums. */
const CERTAIN = 1 + 2 ** -20;
/**
 * A pair examined by the host's direct search costs about this many of a backend's pairs. CPU:
 * measured ~18 (bench/dbscan-predict.ts, 100k rows, 19,047 core rows, 9 features, 2 loaded
 * threads: 178 ns a pair in a window of 13,557 on average, against 9.7 ns a core row by the
 * backend), 12 to stay on the host's side where it is close. GPU: not measured, a guess; its
 * pairs are far cheaper.
 */
export const HOST_PAIR_COST = { cpu: 12, gpu: 256 } as const;

export interface DbscanPredictStats {
  /** Rows whose label came from the backend's nearest core row without a direct search. */
  certified: number;
  /** Rows decided by the direct search (all of them on the host path). */
  direct: number;
}

/**
 * Below this many (row, core row) pairs the host path is taken whatever the windows: it takes a
 * fraction of a second at worst, less than starting a backend's threads or device.
 */
export const MIN_BACKEND_PAIRS = 1 << 22;

/** Whether the backend path should label these rows (see HOST_PAIR_COST, MIN_BACKEND_PAIRS). */
export function backendPays(cores: CoreRows, X: DataMatrix, kind: Backend['kind']): boolean {
  const n = X.rows;
  if (n * cores.matrix.rows < MIN_BACKEND_PAIRS) return false;
  const step = Math.max(1, Math.floor(n / 1024));
  let examined = 0;
  let sampled = 0;
  for (let i = 0; i < n; i += step) {
    const [lo, hi] = axisWindow(cores.sorted, X.data[cores.sorted.axis * n + i], cores.eps);
    examined += hi - lo;
    sampled++;
  }
  return (examined / sampled) * HOST_PAIR_COST[kind] > cores.matrix.rows;
}

/** The host path: the direct search for every row. OUT labels (cluster or −1). */
export function hostDbscanLabels(cores: CoreRows, X: DataMatrix): Int32Array {
  const labels = new Int32Array(X.rows).fill(-1);
  for (let i = 0; i < X.rows; i++) {
    const c = nearestCoreDirect(cores, X.data, X.rows, i);
    if (c >= 0) labels[i] = cores.labels[c];
  }
  return labels;
}

/** What the backend path needs of the core rows, computed once per model. */
export interface BackendCores {
  cores: CoreRows;
  /** Core rows K×D row-major float32: the centres of the assignment passes. */
  centres: Float32Array;
  /** foreignReach of the core rows. */
  foreign: Float64Array;
}

export function backendCores(cores: CoreRows): BackendCores {
  const { rows: nc, dims: d, data } = cores.matrix;
  const centres = new Float32Array(nc * d);
  for (let c = 0; c < nc; c++) for (let f = 0; f < d; f++) centres[c * d + f] = data[f * nc + c];
  return { cores, centres, foreign: foreignReach(cores) };
}

/** The backend path for the rows of X (attached to `backend` for the passes). OUT labels. */
export async function backendDbscanLabels(
  backend: Backend,
  X: DataMatrix,
  prepared: BackendCores,
  stats?: DbscanPredictStats,
): Promise<Int32Array> {
  const { cores, centres, foreign } = prepared;
  const n = X.rows;
  const d = X.dims;
  const nc = cores.matrix.rows;
  const nearest = new Int32Array(n).fill(-1);
  const nearestS = new Float64Array(n).fill(Infinity);
  const perPass = Math.max(1, Math.floor(CORE_PASS_VALUES / d));
  const handle = await backend.attach(X);
  try {
    for (let c0 = 0; c0 < nc; c0 += perPass) {
      const k = Math.min(perPass, nc - c0);
      const a = await backend.assign(handle, centres.subarray(c0 * d, (c0 + k) * d), k);
      // Passes go in core order: a later pass wins only with a strictly smaller distance.
      for (let i = 0; i < n; i++) {
        const c = c0 + a.labels[i];
        const s = coreSquaredDistance(cores, X.data, n, i, c);
        if (s < nearestS[i]) [nearest[i], nearestS[i]] = [c, s];
      }
    }
  } finally {
    await backend.detach(handle);
  }
  const labels = new Int32Array(n).fill(-1);
  const eps2 = cores.eps2;
  let certified = 0;
  for (let i = 0; i < n; i++) {
    const c = nearest[i];
    const s = nearestS[i];
    if (s > eps2 * (1 + TRUST)) {
      certified++;
      continue;
    }
    if (s <= eps2 && 4 * s * CERTAIN < foreign[c]) {
      labels[i] = cores.labels[c];
      certified++;
      continue;
    }
    const known = s <= eps2 ? { core: c, s } : undefined;
    const exact = nearestCoreDirect(cores, X.data, n, i, known);
    if (exact >= 0) labels[i] = cores.labels[exact];
  }
  if (stats) {
    stats.certified += certified;
    stats.direct += n - certified;
  }
  return labels;
}
