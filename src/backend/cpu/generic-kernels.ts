import { BOUND_MARGIN, GMM_MIN_RESPONSIBILITY } from './kernel-source.js';
import type {
  BoundedKernel,
  GmmKernel,
  LloydKernel,
  SeedMinDistKernel,
  SeedPotentialsKernel,
} from './kernel-types.js';

/**
 * The CPU kernels as plain TypeScript loops: the same float64 operations in the same order as the
 * kernels kernel-source.ts generates per shape (which hold the row in locals and unroll the
 * loops, ~3× faster), hence the same results. They run where the host forbids code generation
 * from strings (`node --disallow-code-generation-from-strings`; see util/compile-kernel.ts), and
 * gmmDiagRow is also the WebAssembly E-step's scalar tail (wasm-gmm-driver.ts).
 */
const UP = 1 + BOUND_MARGIN;
const DOWN = 1 - BOUND_MARGIN;

export function genericLloyd(k: number, d: number): LloydKernel {
  const kd = k * d;
  return (X, n, i0, i1, C, labels, sqd, acc, ub, lb) => {
    let inertia = 0;
    let changed = 0;
    for (let i = i0; i < i1; i++) {
      let best = 0;
      let bd = Infinity;
      let sd = Infinity;
      for (let c = 0; c < k; c++) {
        let q = 0;
        for (let j = 0; j < d; j++) {
          const t = X[j * n + i] - C[c * d + j];
          q += t * t;
        }
        if (q < bd) {
          sd = bd;
          bd = q;
          best = c;
        } else if (q < sd) sd = q;
      }
      if (labels[i] !== best) {
        changed++;
        labels[i] = best;
      }
      inertia += bd;
      if (sqd !== null) sqd[i] = bd;
      if (ub && lb) {
        ub[i] = Math.sqrt(bd) * UP;
        lb[i] = Math.sqrt(sd) * DOWN;
      }
      if (acc !== null) {
        for (let j = 0; j < d; j++) acc[best * d + j] += X[j * n + i];
        acc[kd + best] += 1;
      }
    }
    if (acc !== null) {
      acc[kd + k] += inertia;
      acc[kd + k + 1] += changed;
    }
    return inertia;
  };
}

export function genericBoundedLloyd(k: number, d: number): BoundedKernel {
  const kd = k * d;
  return (X, n, i0, i1, C, labels, U, Lo, shift, far, nextFar, farthest, half, acc) => {
    let changed = 0;
    let recomputed = 0;
    for (let i = i0; i < i1; i++) {
      const a = labels[i];
      let u = U[i] + shift[a];
      const l = Lo[i] - (a === farthest ? nextFar : far);
      const m = half[a] > l ? half[a] : l;
      if (u < m) {
        U[i] = u * UP;
        Lo[i] = l * DOWN;
        continue;
      }
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = X[j * n + i] - C[a * d + j];
        s += t * t;
      }
      u = Math.sqrt(s);
      if (u < m) {
        U[i] = u * UP;
        Lo[i] = l * DOWN;
        continue;
      }
      let best = 0;
      let bd = Infinity;
      let sd = Infinity;
      recomputed++;
      for (let c = 0; c < k; c++) {
        let q = 0;
        for (let j = 0; j < d; j++) {
          const t = X[j * n + i] - C[c * d + j];
          q += t * t;
        }
        if (q < bd) {
          sd = bd;
          bd = q;
          best = c;
        } else if (q < sd) sd = q;
      }
      U[i] = Math.sqrt(bd) * UP;
      Lo[i] = Math.sqrt(sd) * DOWN;
      if (best !== a) {
        labels[i] = best;
        changed++;
        for (let j = 0; j < d; j++) {
          const x = X[j * n + i];
          acc[a * d + j] -= x;
          acc[best * d + j] += x;
        }
        acc[kd + a] -= 1;
        acc[kd + best] += 1;
      }
    }
    acc[kd + k] += changed;
    acc[kd + k + 1] += recomputed;
  };
}

export function genericSeedMinDist(d: number): SeedMinDistKernel {
  return (X, n, i0, i1, C, count, minDist, reset, blockSums, blockRows) => {
    for (let b0 = i0; b0 < i1; b0 += blockRows) {
      const b1 = Math.min(i1, b0 + blockRows);
      let s = 0;
      for (let i = b0; i < b1; i++) {
        let v = reset ? Infinity : minDist[i];
        for (let c = 0; c < count; c++) {
          let q = 0;
          for (let j = 0; j < d; j++) {
            const t = X[j * n + i] - C[c * d + j];
            q += t * t;
          }
          const f = Math.fround(q);
          if (f < v) v = f;
        }
        minDist[i] = v;
        s += v;
      }
      blockSums[b0 / blockRows] = s;
    }
  };
}

export function genericSeedPotentials(d: number): SeedPotentialsKernel {
  return (X, n, i0, i1, cands, L, minDist, out) => {
    for (let l = 0; l < L; l++) {
      let s = 0;
      for (let i = i0; i < i1; i++) {
        let q = 0;
        for (let j = 0; j < d; j++) {
          const t = X[j * n + i] - cands[l * d + j];
          q += t * t;
        }
        const m = minDist[i];
        s += Math.fround(q) < m ? Math.fround(q) : m;
      }
      out[l] += s;
    }
  };
}

/**
 * One row of the diagonal E-step in float64: log-densities (lp), exp(lp − max) (e), the outputs,
 * and, when raw is given, the raw moments Σr, Σr·x, Σr·x² at raw[r0 …] (K, K×D, K×D; rows with
 * r < minr add nothing). Returns the row's log p(x).
 */
export function gmmDiagRow(
  X: Float32Array,
  n: number,
  i: number,
  k: number,
  d: number,
  M: Float32Array,
  P: Float32Array,
  B: Float32Array,
  lp: Float64Array,
  e: Float64Array,
  labels: Int32Array | null,
  maxProb: Float32Array | null,
  probs: Float32Array | null,
  raw: Float64Array | null,
  r0: number,
  minr: number,
): number {
  let mx = -Infinity;
  for (let c = 0; c < k; c++) {
    let maha = 0;
    for (let j = 0; j < d; j++) {
      const z = (X[j * n + i] - M[c * d + j]) * P[c * d + j];
      maha += z * z;
    }
    const v = B[c] - 0.5 * maha;
    lp[c] = v;
    if (v > mx) mx = v;
  }
  return gmmRowOutputs(n, i, k, lp, e, mx, labels, maxProb, probs, (r, c) => {
    if (raw === null || r < minr) return;
    raw[r0 + c] += r;
    for (let j = 0; j < d; j++) {
      const x = X[j * n + i];
      const rx = r * x;
      raw[r0 + k + c * d + j] += rx;
      raw[r0 + k + k * d + c * d + j] += rx * x;
    }
  });
}

/** Responsibilities from the log-densities, the row's outputs, add(r, c) per component; log p(x). */
function gmmRowOutputs(
  n: number,
  i: number,
  k: number,
  lp: Float64Array,
  e: Float64Array,
  mx: number,
  labels: Int32Array | null,
  maxProb: Float32Array | null,
  probs: Float32Array | null,
  add: ((r: number, c: number) => void) | null,
): number {
  let sum = 0;
  let best = 0;
  for (let c = 0; c < k; c++) {
    const z = Math.exp(lp[c] - mx);
    e[c] = z;
    sum += z;
    if (lp[c] > lp[best]) best = c;
  }
  const inv = 1 / sum;
  if (labels !== null && maxProb !== null) {
    labels[i] = best;
    maxProb[i] = e[best] * inv;
  }
  if (probs !== null) for (let c = 0; c < k; c++) probs[c * n + i] = e[c] * inv;
  if (add !== null) for (let c = 0; c < k; c++) add(e[c] * inv, c);
  return mx + Math.log(sum);
}

/** Adds raw diagonal moments at raw[r0 …], centred on the means M, to acc (Nk, Σr·d, Σr·d²). */
export function addCentredMoments(
  raw: Float64Array,
  r0: number,
  k: number,
  d: number,
  M: Float32Array,
  acc: Float64Array,
): void {
  const kd = k * d;
  for (let c = 0; c < k; c++) {
    const nk = raw[r0 + c];
    acc[c] += nk;
    for (let j = 0; j < d; j++) {
      const mu = M[c * d + j];
      const s1 = raw[r0 + k + c * d + j];
      acc[k + c * d + j] += s1 - nk * mu;
      acc[k + kd + c * d + j] += raw[r0 + k + kd + c * d + j] - 2 * mu * s1 + nk * mu * mu;
    }
  }
}

export function genericGmm(form: 'diag' | 'full', k: number, d: number): GmmKernel {
  const kd = k * d;
  const s = form === 'diag' ? d : (d * (d + 1)) / 2;
  const lp = new Float64Array(k);
  const e = new Float64Array(k);
  const dv = new Float64Array(d);
  if (form === 'diag')
    return (X, n, i0, i1, M, P, B, acc, labels, maxProb, probs, out) => {
      const raw = acc !== null ? new Float64Array(k + 2 * kd) : null;
      let ll = 0;
      for (let i = i0; i < i1; i++)
        ll += gmmDiagRow(
          X,
          n,
          i,
          k,
          d,
          M,
          P,
          B,
          lp,
          e,
          labels,
          maxProb,
          probs,
          raw,
          0,
          GMM_MIN_RESPONSIBILITY,
        );
      if (acc !== null && raw !== null) addCentredMoments(raw, 0, k, d, M, acc);
      out[0] += ll;
      return ll;
    };
  return (X, n, i0, i1, M, P, B, acc, labels, maxProb, probs, out) => {
    let ll = 0;
    for (let i = i0; i < i1; i++) {
      let mx = -Infinity;
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) dv[j] = X[j * n + i] - M[c * d + j];
        let maha = 0;
        const po = c * d * d;
        for (let b = 0; b < d; b++) {
          let y = dv[0] * P[po + b];
          for (let a = 1; a <= b; a++) y += dv[a] * P[po + a * d + b];
          maha += y * y;
        }
        const v = B[c] - 0.5 * maha;
        lp[c] = v;
        if (v > mx) mx = v;
      }
      const add =
        acc === null
          ? null
          : (r: number, c: number): void => {
              if (r < GMM_MIN_RESPONSIBILITY) return;
              acc[c] += r;
              for (let j = 0; j < d; j++) {
                dv[j] = X[j * n + i] - M[c * d + j];
                acc[k + c * d + j] += r * dv[j];
              }
              let at = k + kd + c * s;
              for (let a = 0; a < d; a++) {
                const ra = r * dv[a];
                for (let b = a; b < d; b++) acc[at++] += ra * dv[b];
              }
            };
      ll += gmmRowOutputs(n, i, k, lp, e, mx, labels, maxProb, probs, add);
    }
    out[0] += ll;
    return ll;
  };
}
