/**
 * The state of Yinyang steps (yinyang-kernel.ts) over one fit: the grouping of the centres, made
 * once from the centres of the first full pass with this K, and the per-row group bounds, in a
 * SharedArrayBuffer the worker threads write in place across the steps (never copied per step);
 * released with the fit (resetLabels, the final assignment pass, detach).
 */
export interface YinyangState {
  k: number;
  groups: CentreGroups;
  /** N×t float32 group bounds, row-major by row; invalid while `fresh`. */
  G: Float32Array;
  /** The last step was a full pass: the next Yinyang step starts every group bound from its bound. */
  fresh: boolean;
  /** Running sums of the drift since the last full pass, per centre and per group, and of the largest. */
  cumC: Float64Array;
  cumG: Float64Array;
  cumMax: number;
}

/** Adds a step's drift (per centre) to the running sums, starting them again after a full pass. */
export function addDrift(y: YinyangState, shift: Float64Array): void {
  if (y.fresh) {
    y.cumC.fill(0);
    y.cumG.fill(0);
    y.cumMax = 0;
  }
  let max = 0;
  for (let c = 0; c < shift.length; c++) {
    y.cumC[c] += shift[c];
    if (shift[c] > max) max = shift[c];
  }
  y.cumG.set(groupShifts(shift, y.groups).map((v, g) => y.cumG[g] + v));
  y.cumMax += max;
}

/** Centres in t groups: groupOf[c]; members[groupStart[g] … groupStart[g+1]) by increasing index. */
export interface CentreGroups {
  t: number;
  groupOf: Int32Array;
  groupStart: Int32Array;
  members: Int32Array;
}

/**
 * From this many centres a Lloyd step may be a Yinyang step. Off by default: measured on 1M × 16
 * blobs (bench/yinyang-fit.ts, K = 64 and 256, cluster spreads 4, 8 and 12), whole fits with
 * Yinyang steps took more CPU time than with Hamerly's WebAssembly steps, and at K = 256 more than
 * with full passes only: the group filter's distances are scalar float64 JavaScript, 10–25× the
 * cost per distance of the GEMM-form SIMD pass, which leaves too few distances to save. A SIMD
 * group filter would change that; until then Yinyang steps run where a caller asks for them
 * (CpuBackend's `yinyangMinK`).
 */
export const YINYANG_MIN_K = Infinity;

/**
 * A Yinyang step is taken while the rows that fail their bounds need few distances (each a scalar
 * float64 loop): the distances are predicted on a strided sample before each step, and past this
 * share of N·K the step is a full pass, which also refreshes the bounds. Around the measured
 * crossover of the cost per distance (1/10–1/25 of a full pass's).
 */
export const YINYANG_MAX_SHARE = 0.03;
const SAMPLE_ROWS = 4096;

/**
 * How many groups: K/10 as Ding et al. advise, fewer where t float32 bounds per row would take
 * more memory than the matrix itself (t ≤ D).
 */
export function groupCount(k: number, d: number): number {
  return Math.max(1, Math.min(Math.ceil(k / 10), d));
}

/**
 * The centres grouped by a few Lloyd iterations on the centres themselves (float64, seeded by
 * every (K/t)-th centre, deterministic); empty groups are dropped.
 */
export function groupCentres(centres: Float32Array, k: number, d: number, t: number): CentreGroups {
  const g0 = Float64Array.from({ length: t * d }, (_, o) => {
    const g = Math.floor(o / d);
    return centres[Math.floor((g * k) / t) * d + (o % d)];
  });
  const groupOf = new Int32Array(k);
  for (let iter = 0; iter < 8; iter++) {
    for (let c = 0; c < k; c++) {
      let best = 0;
      let bd = Infinity;
      for (let g = 0; g < t; g++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (centres[c * d + j] - g0[g * d + j]) ** 2;
        if (s < bd) [bd, best] = [s, g];
      }
      groupOf[c] = best;
    }
    const count = new Float64Array(t);
    const sum = new Float64Array(t * d);
    for (let c = 0; c < k; c++) {
      count[groupOf[c]]++;
      for (let j = 0; j < d; j++) sum[groupOf[c] * d + j] += centres[c * d + j];
    }
    for (let g = 0; g < t; g++)
      if (count[g] > 0) for (let j = 0; j < d; j++) g0[g * d + j] = sum[g * d + j] / count[g];
  }
  // Renumber the non-empty groups 0 … t' − 1, then list the members group by group.
  const renumber = new Int32Array(t).fill(-1);
  let used = 0;
  for (let c = 0; c < k; c++) if (renumber[groupOf[c]] < 0) renumber[groupOf[c]] = used++;
  for (let c = 0; c < k; c++) groupOf[c] = renumber[groupOf[c]];
  const groupStart = new Int32Array(used + 1);
  for (let c = 0; c < k; c++) groupStart[groupOf[c] + 1]++;
  for (let g = 0; g < used; g++) groupStart[g + 1] += groupStart[g];
  const fill = groupStart.slice(0, used);
  const members = new Int32Array(k);
  for (let c = 0; c < k; c++) members[fill[groupOf[c]]++] = c;
  return { t: used, groupOf, groupStart, members };
}

/** The largest drift of a centre in each group. */
export function groupShifts(shift: Float64Array, groups: CentreGroups): Float64Array {
  const out = new Float64Array(groups.t);
  for (let c = 0; c < shift.length; c++) {
    const g = groups.groupOf[c];
    if (shift[c] > out[g]) out[g] = shift[c];
  }
  return out;
}

/**
 * The predicted share of the N·K distances a Yinyang step would compute (after addDrift), on a
 * strided sample (no state is changed): a row that fails the global filter is counted with its own
 * centre and every centre of the groups its moved bounds do not rule out (before its upper bound
 * is made exact, so an overestimate).
 */
export function predictedYinyangShare(
  labels: Int32Array,
  U: Float32Array,
  Lo: Float32Array,
  y: YinyangState,
  half: Float64Array,
): number {
  const n = labels.length;
  const { t, groupStart } = y.groups;
  const step = Math.max(1, Math.floor(n / SAMPLE_ROWS));
  let tried = 0;
  let distances = 0;
  for (let i = 0; i < n; i += step) {
    tried++;
    const a = labels[i];
    const u = U[i] + y.cumC[a];
    if (u < Math.max(half[a], Lo[i] - y.cumMax)) continue;
    distances++;
    for (let g = 0; g < t; g++) {
      const lb = (y.fresh ? Lo[i] : y.G[i * t + g]) - y.cumG[g];
      if (!(u < lb)) distances += groupStart[g + 1] - groupStart[g];
    }
  }
  return distances / (tried * y.k);
}
