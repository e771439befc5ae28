import { InputError } from '../errors.js';

/**
 * Gaussian-mixture arithmetic on the host, in float64, with scikit-learn's definitions
 * (sklearn/mixture/_gaussian_mixture.py). The data passes only return sufficient statistics
 * centred on each component's current mean (d = x − μ_k):
 *   Nk = Σ r_ik,  Sd_k = Σ r_ik d_i,  Sdd_k = Σ r_ik d_i d_iᵀ (full: upper triangle; diag: diagonal)
 * Centring on μ_k avoids the cancellation of E[xxᵀ] − μμᵀ: near convergence Sd_k/Nk is small.
 */
export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';

/** What the kernels evaluate: per-dimension precisions (diag, spherical) or triangular factors (full, tied). */
export type KernelForm = 'diag' | 'full';

export function kernelForm(type: CovarianceType): KernelForm {
  return type === 'full' || type === 'tied' ? 'full' : 'diag';
}

/** Entries of the second-moment statistic per component: D (diag) or D(D+1)/2 (full, upper triangle by rows). */
export function secondMomentSize(form: KernelForm, d: number): number {
  return form === 'diag' ? d : (d * (d + 1)) / 2;
}

export interface GmmParameters {
  type: CovarianceType;
  k: number;
  d: number;
  weights: Float64Array;
  /** K×D. */
  means: Float64Array;
  /** full: K×D×D; tied: D×D; diag: K×D; spherical: K. */
  covariances: Float64Array;
}

/** The form the data passes take: everything per component, in float32. */
export interface GmmKernelParams {
  form: KernelForm;
  k: number;
  d: number;
  means: Float32Array;
  /** diag: K×D values 1/σ; full: K×D×D upper-triangular P with PᵀΣP… such that Σ⁻¹ = P Pᵀ. */
  precChol: Float32Array;
  /** log w_k + log det P_k − D/2 · log 2π. */
  bias: Float32Array;
}

export interface GmmStatistics {
  nk: Float64Array;
  sd: Float64Array;
  sdd: Float64Array;
  /** Σ over rows of log p(x). */
  logLikelihood: number;
}

const EPS = 2.220446049250313e-16;
const LOG_2PI = Math.log(2 * Math.PI);

/** M-step: new parameters from statistics centred on `centredOn` (K×D, the means the pass used). */
export function mStep(
  type: CovarianceType,
  stats: GmmStatistics,
  centredOn: Float64Array,
  d: number,
  regCovar: number,
): GmmParameters {
  const k = stats.nk.length;
  const form = kernelForm(type);
  const s = secondMomentSize(form, d);
  const nk = Float64Array.from(stats.nk, (v) => v + 10 * EPS);
  const total = nk.reduce((a, b) => a + b, 0);
  const weights = Float64Array.from(nk, (v) => v / total);
  const means = new Float64Array(k * d);
  const delta = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      delta[c * d + j] = stats.sd[c * d + j] / nk[c];
      means[c * d + j] = centredOn[c * d + j] + delta[c * d + j];
    }
  }
  // Per-component covariance about the new mean: Sdd/nk − δδᵀ.
  const fullCov = (c: number): Float64Array => {
    const cov = new Float64Array(d * d);
    let at = 0;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const v = stats.sdd[c * s + at++] / nk[c] - delta[c * d + a] * delta[c * d + b];
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
    }
    return cov;
  };
  let covariances: Float64Array;
  if (type === 'full') {
    covariances = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      const cov = fullCov(c);
      for (let j = 0; j < d; j++) cov[j * d + j] += regCovar;
      covariances.set(cov, c * d * d);
    }
  } else if (type === 'tied') {
    covariances = new Float64Array(d * d);
    for (let c = 0; c < k; c++) {
      const cov = fullCov(c);
      for (let i = 0; i < d * d; i++) covariances[i] += cov[i] * nk[c];
    }
    for (let i = 0; i < d * d; i++) covariances[i] /= total;
    for (let j = 0; j < d; j++) covariances[j * d + j] += regCovar;
  } else {
    const diag = new Float64Array(k * d);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++)
        diag[c * d + j] = stats.sdd[c * d + j] / nk[c] - delta[c * d + j] ** 2 + regCovar;
    if (type === 'diag') covariances = diag;
    else {
      covariances = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += diag[c * d + j];
        covariances[c] = sum / d;
      }
    }
  }
  return { type, k, d, weights, means, covariances };
}

/** Lower Cholesky factor of a D×D symmetric matrix; undefined when it is not positive definite. */
function cholesky(a: Float64Array, d: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let p = 0; p < j; p++) s -= l[i * d + p] * l[j * d + p];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix. */
function invertLower(l: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let p = col; p < i; p++) s -= l[i * d + p] * inv[p * d + col];
      inv[i * d + col] = s / l[i * d + i];
    }
  }
  return inv;
}

function singular(component: string, regCovar: number): InputError {
  return new InputError(
    (opt) =>
      `the covariance of ${component} is not positive definite even with reg_covar=${regCovar} (collapsed or duplicate rows); try fewer components (${opt('k')}), a larger ${opt('regCovar')} (e.g. 1e-3), or scaled data (${opt('scale')} standard)`,
  );
}

/**
 * The precision factors the kernels use: P with Σ⁻¹ = P Pᵀ (P = L⁻ᵀ for Σ = L Lᵀ, upper
 * triangular), so that the squared Mahalanobis distance is ‖(x − μ)ᵀ P‖²; and the per-component
 * constant log w + log det P − D/2 · log 2π. Throws when a covariance is not positive definite.
 */
export function kernelParams(p: GmmParameters, regCovar: number): GmmKernelParams {
  const { k, d } = p;
  const form = kernelForm(p.type);
  const bias = new Float32Array(k);
  const means = Float32Array.from(p.means);
  if (form === 'diag') {
    const precChol = new Float32Array(k * d);
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        const v = p.type === 'diag' ? p.covariances[c * d + j] : p.covariances[c];
        if (!(v > 0)) throw singular(`component ${c}`, regCovar);
        const inv = 1 / Math.sqrt(v);
        precChol[c * d + j] = inv;
        logDet += Math.log(inv);
      }
      bias[c] = Math.log(p.weights[c]) + logDet - 0.5 * d * LOG_2PI;
    }
    return { form, k, d, means, precChol, bias };
  }
  const precChol = new Float32Array(k * d * d);
  const factor = (cov: Float64Array, name: string): { p: Float64Array; logDet: number } => {
    const l = cholesky(cov, d);
    if (!l) throw singular(name, regCovar);
    const inv = invertLower(l, d);
    const up = new Float64Array(d * d);
    let logDet = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) up[a * d + b] = inv[b * d + a];
      logDet += Math.log(up[a * d + a]);
    }
    return { p: up, logDet };
  };
  const tied = p.type === 'tied' ? factor(p.covariances, 'the tied covariance') : undefined;
  for (let c = 0; c < k; c++) {
    const f = tied ?? factor(p.covariances.subarray(c * d * d, (c + 1) * d * d), `component ${c}`);
    precChol.set(f.p, c * d * d);
    bias[c] = Math.log(p.weights[c]) + f.logDet - 0.5 * d * LOG_2PI;
  }
  return { form, k, d, means, precChol, bias };
}

/** Free parameters, as scikit-learn's _n_parameters counts them. */
export function parameterCount(type: CovarianceType, k: number, d: number): number {
  const cov =
    type === 'full'
      ? (k * d * (d + 1)) / 2
      : type === 'diag'
        ? k * d
        : type === 'tied'
          ? (d * (d + 1)) / 2
          : k;
  return cov + k * d + k - 1;
}

/** BIC and AIC from the mean log-likelihood per row. */
export function informationCriteria(
  meanLogLikelihood: number,
  rows: number,
  params: number,
): { bic: number; aic: number } {
  return {
    bic: -2 * meanLogLikelihood * rows + params * Math.log(rows),
    aic: -2 * meanLogLikelihood * rows + 2 * params,
  };
}

/** Statistics of hard (one-hot) responsibilities, for initialising from labels. */
export function oneHotStatistics(
  data: Float32Array,
  rows: number,
  d: number,
  labels: Int32Array,
  k: number,
  form: KernelForm,
): { stats: GmmStatistics; centredOn: Float64Array } {
  const s = secondMomentSize(form, d);
  const nk = new Float64Array(k);
  const sums = new Float64Array(k * d);
  for (let i = 0; i < rows; i++) {
    nk[labels[i]]++;
    for (let j = 0; j < d; j++) sums[labels[i] * d + j] += data[j * rows + i];
  }
  const centredOn = new Float64Array(k * d);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) centredOn[c * d + j] = nk[c] > 0 ? sums[c * d + j] / nk[c] : 0;
  const sdd = new Float64Array(k * s);
  const x = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    const c = labels[i];
    for (let j = 0; j < d; j++) x[j] = data[j * rows + i] - centredOn[c * d + j];
    if (form === 'diag') for (let j = 0; j < d; j++) sdd[c * s + j] += x[j] * x[j];
    else {
      let at = 0;
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) sdd[c * s + at++] += x[a] * x[b];
    }
  }
  return { stats: { nk, sd: new Float64Array(k * d), sdd, logLikelihood: 0 }, centredOn };
}
