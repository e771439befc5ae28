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

const M = BOUND_MARGIN;

export function yinyangBlock(a: YinyangArgs, i0: number, i1: number, acc: Float64Array): void {
  const { X, n, d, k, t, C, labels, U, Lo, G, fresh, groupOf, groupStart, members } = a;
  const { cumC, cumG, cumMax, half } = a;
  const kd = k * d;
  // Per row: the moved group bounds, and per examined group the best two squared distances.
  const lb = new Float64Array(t);
  const bq = new Float64Array(t);
  const sq = new Float64Array(t);
  const bc = new Int32Array(t);
  const x = new Float64Array(d);
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
    for (let j = 0; j < d; j++) x[j] = X[j * n + i];
    const qa = distance(x, C, own, d);
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
      let b1 = Infinity;
      let b2 = Infinity;
      let c1 = -1;
      for (let p = groupStart[g]; p < groupStart[g + 1]; p++) {
        const c = members[p];
        const q = distance(x, C, c, d);
        if (q < b1) {
          b2 = b1;
          b1 = q;
          c1 = c;
        } else if (q < b2) b2 = q;
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
        acc[own * d + j] -= x[j];
        acc[best * d + j] += x[j];
      }
      acc[kd + own] -= 1;
      acc[kd + best] += 1;
    }
  }
  acc[kd + k] += changed;
  acc[kd + k + 1] += recomputed;
}

/** Σ_j (x_j − c_j)² in float64, from j = 0 (the bounded kernels' order). */
function distance(x: Float64Array, C: Float64Array, c: number, d: number): number {
  const o = c * d;
  let q = 0;
  for (let j = 0; j < d; j++) {
    const v = x[j] - C[o + j];
    q += v * v;
  }
  return q;
}

/** An upper bound u stored relative to its running sum s (u − s), widened upwards. */
function up(u: number, s: number): number {
  return u - s + M * (u + s);
}

/** A lower bound l stored relative to its running sum s (l + s), widened downwards. */
function down(l: number, s: number): number {
  return l === Infinity ? l : l + s - M * (Math.abs(l) + s);
}
