import { BOUND_MARGIN } from './kernel-source.js';

/**
 * The Yinyang Lloyd step (Ding et al., "Yinyang K-Means", ICML 2015) on rows [i0, i1) of a
 * column-major float32 matrix: the centres are split into t groups once per fit (yinyang-groups.ts);
 * each row keeps an upper bound on the distance to its centre, a lower bound on the distance to
 * every other centre (global) and, per group, a lower bound on the distance to every centre of the
 * group other than its own. Bounds move by the centres' drift: the upper one by its centre's, a
 * group's by the largest in the group, the global one by the largest of all. Then per row:
 * - global filter: upper < max(global, half the distance from its centre to the nearest other) →
 *   the label cannot change; else the upper bound is made exact and the test repeated, then again
 *   with the smallest group bound as the global one;
 * - group filter: only the groups whose bound is not above the exact distance are looked into
 *   (every distance of their centres), and their bounds are made exact.
 *
 * Drift is kept as running sums since the last full pass (cumC per centre, cumG per group, cumMax
 * of the largest), and bounds are stored relative to them (U = u − cumC[label], Lo = global +
 * cumMax, G = group + cumG): a row that passes the global filter is read and never written. Each
 * stored bound is widened by BOUND_MARGIN × (|bound| + |running sum|), which covers its float32
 * rounding and the running sums' float64 rounding.
 *
 * Distances are the bounded kernels' (kernel-source.ts, boundedLloyd): Σ_j (x_j − c_j)² in float64
 * from j = 0, and the label is the nearest centre, lowest index on ties — the same label the full
 * passes give (their direct-form re-decision uses the same float64 form). A group is skipped only
 * when its bound is strictly above the distance to the row's centre, so no centre of a skipped
 * group can be nearer or tie.
 *
 * IN X, n, C (K×D float64 centres), groupOf (K), groupStart (t + 1) and members (K: centre indices
 *   by group, increasing within a group), cumC (K), cumG (t), cumMax, half (K);
 * IN/OUT labels, U, Lo (N), G (N×t, by row); fresh: the last full pass left U and Lo (in the frame
 *   of running sums 0) and G is not yet valid: every group bound starts from Lo;
 * OUT acc (K·D + K + 2, added to): the change of the sums and counts by the rows that moved, how
 *   many moved, and how many rows needed the group filter.
 */
export interface YinyangArgs {
  X: Float32Array;
  n: number;
  d: number;
  k: number;
  t: number;
  C: Float64Array;
  labels: Int32Array;
  U: Float32Array;
  Lo: Float32Array;
  G: Float32Array;
  fresh: boolean;
  groupOf: Int32Array;
  groupStart: Int32Array;
  members: Int32Array;
  cumC: Float64Array;
  cumG: Float64Array;
  cumMax: number;
  half: Float64Array;
}

/**
 * The squared distances of row i of X to the centres listed in centres[p0 … p1), into out[0 …]:
 * Σ_j (x_j − c_j)² in float64 from j = 0 (the bounded kernels' order). The one part of the step
 * that depends on the shape: yinyang-source.ts generates it per D with the row in locals.
 */
export type RowDistances = (
  X: Float32Array,
  n: number,
  i: number,
  d: number,
  C: Float64Array,
  centres: Int32Array,
  p0: number,
  p1: number,
  out: Float64Array,
) => void;

export type YinyangKernel = (a: YinyangArgs, i0: number, i1: number, acc: Float64Array) => void;

/**
 * The Yinyang step with the given row distances and bound margin (BOUND_MARGIN). The one source of
 * the step: yinyangBlock below, and the kernel compiled per shape from this function's own text
 * (yinyang-source.ts), which is why it names nothing outside itself but its parameters and
 * JavaScript's globals.
 */
export function yinyangKernel(distances: RowDistances, margin: number): YinyangKernel {
  /** An upper bound u stored relative to its running sum s (u − s), widened upwards. */
  const up = (u: number, s: number): number => u - s + margin * (u + s);
  /** A lower bound l stored relative to its running sum s (l + s), widened downwards. */
  const down = (l: number, s: number): number =>
    l === Infinity ? l : l + s - margin * (Math.abs(l) + s);
  return function yinyang(a, i0, i1, acc) {
    const { X, n, d, k, t, C, labels, U, Lo, G, fresh, groupOf, groupStart, members } = a;
    const { cumC, cumG, cumMax, half } = a;
    const kd = k * d;
    // Per row: the moved group bounds, and per examined group the best two squared distances.
    const lb = new Float64Array(t);
    const bq = new Float64Array(t);
    const sq = new Float64Array(t);
    const bc = new Int32Array(t);
    // The distances to one group's centres, and the row's own centre as a list of one.
    const q = new Float64Array(k);
    const ownOnly = new Int32Array(1);
    let changed = 0;
    let recomputed = 0;
    for (let i = i0; i < i1; i++) {
      const own = labels[i];
      const base = i * t;
      // The full pass's global bound holds for every group (all running sums were 0 then).
      if (fresh) G.fill(Lo[i], base, base + t);
      const h = half[own];
      let u = U[i] + cumC[own];
      const glob = Lo[i] - cumMax;
      if (u < (h > glob ? h : glob)) continue;
      ownOnly[0] = own;
      distances(X, n, i, d, C, ownOnly, 0, 1, q);
      const qa = q[0];
      u = Math.sqrt(qa);
      let low = Infinity;
      for (let g = 0; g < t; g++) {
        const v = G[base + g] - cumG[g];
        lb[g] = v;
        if (v < low) low = v;
      }
      if (u < (h > low ? h : low)) {
        U[i] = up(u, cumC[own]);
        Lo[i] = down(low, cumMax);
        continue;
      }
      recomputed++;
      const ownGroup = groupOf[own];
      // The row's own centre competes directly when its group is not looked into.
      let best = -1;
      let bd = Infinity;
      if (u < lb[ownGroup]) {
        best = own;
        bd = qa;
      }
      for (let g = 0; g < t; g++) {
        bq[g] = -1; // not examined
        if (u < lb[g]) continue;
        const p0 = groupStart[g];
        const p1 = groupStart[g + 1];
        distances(X, n, i, d, C, members, p0, p1, q);
        let b1 = Infinity;
        let b2 = Infinity;
        let c1 = -1;
        for (let p = p0; p < p1; p++) {
          const qc = q[p - p0];
          if (qc < b1) {
            b2 = b1;
            b1 = qc;
            c1 = members[p];
          } else if (qc < b2) b2 = qc;
        }
        bq[g] = b1;
        sq[g] = b2;
        bc[g] = c1;
        if (b1 < bd || (b1 === bd && c1 < best)) {
          bd = b1;
          best = c1;
        }
      }
      low = Infinity;
      for (let g = 0; g < t; g++) {
        if (bq[g] >= 0) lb[g] = Math.sqrt(bc[g] === best ? sq[g] : bq[g]);
        else if (g === ownGroup && best !== own)
          lb[g] = u; // its old centre joins the group's others
        else {
          if (lb[g] < low) low = lb[g];
          continue; // unchanged: its stored value stays valid
        }
        G[base + g] = down(lb[g], cumG[g]);
        if (lb[g] < low) low = lb[g];
      }
      U[i] = up(Math.sqrt(bd), cumC[best]);
      Lo[i] = down(low, cumMax);
      if (best !== own) {
        labels[i] = best;
        changed++;
        for (let j = 0; j < d; j++) {
          const x = X[j * n + i];
          acc[own * d + j] -= x;
          acc[best * d + j] += x;
        }
        acc[kd + own] -= 1;
        acc[kd + best] += 1;
      }
    }
    acc[kd + k] += changed;
    acc[kd + k + 1] += recomputed;
  };
}

/** RowDistances as plain loops (where code cannot be generated from strings). */
const rowDistances: RowDistances = (X, n, i, d, C, centres, p0, p1, out) => {
  for (let p = p0; p < p1; p++) {
    const o = centres[p] * d;
    let q = 0;
    for (let j = 0; j < d; j++) {
      const v = X[j * n + i] - C[o + j];
      q += v * v;
    }
    out[p - p0] = q;
  }
};

/** The Yinyang step with plain loops (the kernel where code cannot be generated from strings). */
export const yinyangBlock: YinyangKernel = yinyangKernel(rowDistances, BOUND_MARGIN);
