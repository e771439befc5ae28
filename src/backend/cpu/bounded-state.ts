import type { DataMatrix } from '../../data/matrix.js';
import type { LloydSummary } from '../backend.js';

/**
 * Hamerly's bounds (2010) between Lloyd steps: per row an upper bound on the distance to its
 * centre and a lower bound on the distance to every other; the per-cluster sums and counts of the
 * stored labels, kept up to date by the rows that move; and the centres of the last step.
 */
export interface BoundState {
  k: number;
  upper: Float32Array;
  lower: Float32Array;
  centres: Float32Array;
  sums: Float64Array;
  counts: Float64Array;
}

/**
 * A bounded step pays while few rows fail their bound test (they get every distance in scalar
 * JavaScript, slower per row than the SIMD full pass). The share is predicted on a strided sample
 * of BOUND_SAMPLE rows before each step; past BOUNDED_MAX_FAILING the step is a full SIMD pass,
 * which also refreshes the bounds.
 */
export const BOUNDED_MAX_FAILING = 0.1;
const BOUND_SAMPLE = 4096;

/** Centre movements and half-distances a bounded step needs (Hamerly's δ and s). */
export interface CentreGeometry {
  shift: Float64Array;
  far: number;
  nextFar: number;
  farthest: number;
  half: Float64Array;
}

export function centreGeometry(
  centres: Float32Array,
  previous: Float32Array,
  k: number,
  d: number,
): CentreGeometry {
  const shift = new Float64Array(k);
  let far = 0;
  let nextFar = 0;
  let farthest = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (centres[c * d + j] - previous[c * d + j]) ** 2;
    shift[c] = Math.sqrt(s);
    if (shift[c] > far) {
      nextFar = far;
      far = shift[c];
      farthest = c;
    } else if (shift[c] > nextFar) nextFar = shift[c];
  }
  const half = new Float64Array(k).fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let c = a + 1; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (centres[a * d + j] - centres[c * d + j]) ** 2;
      const h = Math.sqrt(s) / 2;
      if (h < half[a]) half[a] = h;
      if (h < half[c]) half[c] = h;
    }
  }
  return { shift, far, nextFar, farthest, half };
}

/** The share of rows whose bound test fails, on a strided sample (no state is changed). */
export function predictedFailing(labels: Int32Array, b: BoundState, g: CentreGeometry): number {
  const n = labels.length;
  const step = Math.max(1, Math.floor(n / BOUND_SAMPLE));
  let tried = 0;
  let failing = 0;
  for (let i = 0; i < n; i += step) {
    const a = labels[i];
    const u = b.upper[i] + g.shift[a];
    const l = b.lower[i] - (a === g.farthest ? g.nextFar : g.far);
    if (!(u < Math.max(g.half[a], l))) failing++;
    tried++;
  }
  return failing / tried;
}

/**
 * The summary of a bounded step: its per-block partials (the moves of the rows that changed)
 * added in block order to the state's sums and counts, the new centres kept, and the inertia from
 * the sums: Σ‖x − c_a‖² = Σ‖x‖² − 2·Σ_c c·S_c + Σ_c n_c·‖c‖² (sumSquares = Σ‖x‖²).
 */
export function boundedSummary(
  b: BoundState,
  partials: readonly Float64Array[],
  centres: Float32Array,
  d: number,
  sumSquares: number,
): LloydSummary {
  const k = b.k;
  const kd = k * d;
  let changed = 0;
  for (const part of partials) {
    for (let o = 0; o < kd; o++) b.sums[o] += part[o];
    for (let c = 0; c < k; c++) b.counts[c] += part[kd + c];
    changed += part[kd + k];
  }
  b.centres = Float32Array.from(centres);
  let inertia = sumSquares;
  for (let c = 0; c < k; c++) {
    let cs = 0;
    let cc = 0;
    for (let j = 0; j < d; j++) {
      const v = centres[c * d + j];
      cs += v * b.sums[c * d + j];
      cc += v * v;
    }
    inertia += b.counts[c] * cc - 2 * cs;
  }
  return {
    sums: b.sums.slice(),
    counts: b.counts.slice(),
    inertia: Math.max(0, inertia),
    changed,
  };
}

/** Σ over rows of ‖x‖², in float64. */
export function sumOfSquares(m: DataMatrix): number {
  // Four running sums: one would wait on the previous addition's latency for every value.
  const x = m.data;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = x.length - (x.length % 4);
  for (let i = 0; i < end; i += 4) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
    s2 += x[i + 2] * x[i + 2];
    s3 += x[i + 3] * x[i + 3];
  }
  for (let i = end; i < x.length; i++) s0 += x[i] * x[i];
  return s0 + s1 + (s2 + s3);
}
