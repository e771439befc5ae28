import type {
  BackendKind,
  GmmAssignment,
  GmmPassParams,
  GmmSummary,
} from '../../src/backend/backend.js';
import type { DataMatrix } from '../../src/data/matrix.js';
import { Rng } from '../../src/util/rng.js';
import { relativeError } from './reference.js';

/**
 * The Gaussian-mixture conformance checks as a function, like lloyd-check.ts for k-means: a float64
 * reference of the E-step (responsibilities by log-sum-exp, their centred statistics, the
 * log-likelihood, labels and probabilities) and `gmmFailures`, which lists every way a backend's
 * results differ from it (empty when they conform).
 *
 * Responsibilities are soft, so ties change labels only, never the statistics: every statistic of
 * every shape is compared. Each element is compared against the sum of the absolute values of its
 * terms (Σ r for Nk, Σ r·|d| for Σ r·d, Σ r·|d_a·d_b| for Σ r·d·dᵀ), the scale of its rounding
 * error, never against the largest statistic of the pass.
 */

/** Relative closeness of the two best log-probabilities within which a row's label is not compared. */
export const GMM_TIE_MARGIN = 1e-4;
/** A statistic may differ from the reference by this times the Σ of its absolute terms. */
export const GMM_STAT_TOLERANCE: Record<BackendKind, number> = { cpu: 1e-5, gpu: 1e-5 };
export const GMM_LL_TOLERANCE = 1e-5;
export const GMM_PROBABILITY_TOLERANCE = 1e-4;

/** Random mixture parameters in the kernels' form (log-weights folded into the bias). */
export function randomGmmParams(
  form: 'diag' | 'full',
  k: number,
  d: number,
  seed: number,
): GmmPassParams {
  const rng = new Rng(seed);
  const means = Float32Array.from({ length: k * d }, () => rng.nextDouble() * 16 - 8);
  const precChol = new Float32Array(form === 'diag' ? k * d : k * d * d);
  const bias = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    if (form === 'diag') {
      for (let j = 0; j < d; j++) {
        const p = 0.3 + rng.nextDouble();
        precChol[c * d + j] = p;
        logDet += Math.log(p);
      }
    } else {
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++)
          precChol[(c * d + a) * d + b] =
            a === b ? 0.3 + rng.nextDouble() : (rng.nextDouble() - 0.5) * 0.4;
        logDet += Math.log(precChol[(c * d + a) * d + a]);
      }
    }
    bias[c] = Math.log(0.2 + rng.nextDouble()) + logDet - 0.5 * d * Math.log(2 * Math.PI);
  }
  return { form, k, means, precChol, bias };
}

export interface GmmReference {
  rows: number;
  k: number;
  nk: Float64Array;
  sd: Float64Array;
  sdd: Float64Array;
  /** Σ of the absolute values of the terms of each statistic. */
  absNk: Float64Array;
  absSd: Float64Array;
  absSdd: Float64Array;
  ll: number;
  labels: Int32Array;
  /** Responsibilities, component-major. */
  probs: Float64Array;
  ties: Set<number>;
}

/** The float64 reference of one E-step and assignment. */
export function gmmReference(m: DataMatrix, p: GmmPassParams): GmmReference {
  const { k, form } = p;
  const d = m.dims;
  const s = form === 'diag' ? d : (d * (d + 1)) / 2;
  const nk = new Float64Array(k);
  const sd = new Float64Array(k * d);
  const sdd = new Float64Array(k * s);
  const absSd = new Float64Array(k * d);
  const absSdd = new Float64Array(k * s);
  const labels = new Int32Array(m.rows);
  const probs = new Float64Array(m.rows * k);
  const ties = new Set<number>();
  let ll = 0;
  for (let i = 0; i < m.rows; i++) {
    const x = Array.from({ length: d }, (_, j) => m.data[j * m.rows + i]);
    const lp = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const dv = x.map((v, j) => v - p.means[c * d + j]);
      let maha = 0;
      if (form === 'diag') for (let j = 0; j < d; j++) maha += (dv[j] * p.precChol[c * d + j]) ** 2;
      else
        for (let b = 0; b < d; b++) {
          let y = 0;
          for (let a = 0; a <= b; a++) y += dv[a] * p.precChol[(c * d + a) * d + b];
          maha += y * y;
        }
      lp[c] = p.bias[c] - 0.5 * maha;
    }
    const mx = Math.max(...lp);
    const lse = mx + Math.log(lp.reduce((acc, v) => acc + Math.exp(v - mx), 0));
    ll += lse;
    let best = 0;
    for (let c = 1; c < k; c++) if (lp[c] > lp[best]) best = c;
    for (let c = 0; c < k; c++)
      if (c !== best && Math.abs(lp[c] - lp[best]) < GMM_TIE_MARGIN * (1 + Math.abs(lp[best])))
        ties.add(i);
    labels[i] = best;
    for (let c = 0; c < k; c++) {
      const r = Math.exp(lp[c] - lse);
      probs[c * m.rows + i] = r;
      nk[c] += r;
      const dv = x.map((v, j) => v - p.means[c * d + j]);
      dv.forEach((v, j) => {
        sd[c * d + j] += r * v;
        absSd[c * d + j] += r * Math.abs(v);
      });
      if (form === 'diag')
        dv.forEach((v, j) => {
          sdd[c * s + j] += r * v * v;
          absSdd[c * s + j] += r * v * v;
        });
      else {
        let at = 0;
        for (let a = 0; a < d; a++)
          for (let b = a; b < d; b++, at++) {
            sdd[c * s + at] += r * dv[a] * dv[b];
            absSdd[c * s + at] += r * Math.abs(dv[a] * dv[b]);
          }
      }
    }
  }
  return { rows: m.rows, k, nk, sd, sdd, absNk: nk, absSd, absSdd, ll, labels, probs, ties };
}

export interface GmmObserved {
  kind: BackendKind;
  summary?: GmmSummary;
  /** With probabilities. */
  assignment?: GmmAssignment;
}

const SHOWN = 3;

/** Every way `got` differs from the reference beyond rounding; empty when it conforms. */
export function gmmFailures(ref: GmmReference, got: GmmObserved): string[] {
  const failures: string[] = [];
  const report = (what: string, bad: string[]) => {
    if (bad.length > 0)
      failures.push(
        `${what}: ${bad.length} wrong (${bad.slice(0, SHOWN).join('; ')}${bad.length > SHOWN ? '; …' : ''})`,
      );
  };
  const tol = GMM_STAT_TOLERANCE[got.kind];
  const { rows, k } = ref;
  if (got.summary) {
    const s = got.summary;
    const stats: [string, Float64Array, Float64Array, Float64Array][] = [
      ['nk', s.nk, ref.nk, ref.absNk],
      ['sd', s.sd, ref.sd, ref.absSd],
      ['sdd', s.sdd, ref.sdd, ref.absSdd],
    ];
    for (const [name, a, b, abs] of stats) {
      if (a.length !== b.length) {
        failures.push(`${name} has ${a.length} values, expected ${b.length}`);
        continue;
      }
      const bad: string[] = [];
      for (let o = 0; o < b.length; o++)
        if (!(Math.abs(a[o] - b[o]) <= tol * abs[o] + 1e-9))
          bad.push(`[${o}]: ${a[o]} vs ${b[o]} (tolerance ${(tol * abs[o]).toExponential(2)})`);
      report(name, bad);
    }
    const e = relativeError(s.logLikelihood, ref.ll);
    if (!(e < GMM_LL_TOLERANCE))
      failures.push(`log-likelihood ${s.logLikelihood} vs ${ref.ll} (relative error ${e})`);
  }
  if (got.assignment) {
    const a = got.assignment;
    const e = relativeError(a.logLikelihood, ref.ll);
    if (!(e < GMM_LL_TOLERANCE))
      failures.push(
        `assignment log-likelihood ${a.logLikelihood} vs ${ref.ll} (relative error ${e})`,
      );
    if (a.labels.length !== rows || a.probability.length !== rows)
      failures.push(`assignment has ${a.labels.length} labels, expected ${rows}`);
    else {
      const wrong: string[] = [];
      const prob: string[] = [];
      for (let i = 0; i < rows; i++) {
        if (!ref.ties.has(i) && a.labels[i] !== ref.labels[i])
          wrong.push(`row ${i}: ${a.labels[i]} ≠ ${ref.labels[i]}`);
        const expected = ref.probs[a.labels[i] * rows + i];
        if (!(Math.abs(a.probability[i] - expected) < GMM_PROBABILITY_TOLERANCE))
          prob.push(`row ${i}: ${a.probability[i]} vs ${expected}`);
      }
      report('labels', wrong);
      report('probability of the label', prob);
    }
    if (a.probabilities) {
      const bad: string[] = [];
      if (a.probabilities.length !== rows * k)
        bad.push(`${a.probabilities.length} values, expected ${rows * k}`);
      else
        for (let i = 0; i < rows * k; i++)
          if (!(Math.abs(a.probabilities[i] - ref.probs[i]) < GMM_PROBABILITY_TOLERANCE))
            bad.push(`[${i}]: ${a.probabilities[i]} vs ${ref.probs[i]}`);
      report('probabilities', bad);
    }
  }
  return failures;
}

/** Removes row `row`'s terms from every statistic, as a kernel that skipped the row would. */
export function dropRow(
  ref: GmmReference,
  m: DataMatrix,
  p: GmmPassParams,
  summary: GmmSummary,
  row: number,
): void {
  const d = m.dims;
  const s = p.form === 'diag' ? d : (d * (d + 1)) / 2;
  for (let c = 0; c < p.k; c++) {
    const r = ref.probs[c * m.rows + row];
    summary.nk[c] -= r;
    const dv = Array.from({ length: d }, (_, j) => m.data[j * m.rows + row] - p.means[c * d + j]);
    let at = 0;
    for (let a = 0; a < d; a++) {
      summary.sd[c * d + a] -= r * dv[a];
      if (p.form === 'diag') summary.sdd[c * s + a] -= r * dv[a] * dv[a];
      else for (let b = a; b < d; b++) summary.sdd[c * s + at++] -= r * dv[a] * dv[b];
    }
  }
}

/** The last row whose label is clear (not at a tie) and whose responsibility for it is over 0.99. */
export function clearRow(ref: GmmReference): number {
  for (let i = ref.rows - 1; i >= 0; i--)
    if (!ref.ties.has(i) && ref.probs[ref.labels[i] * ref.rows + i] > 0.99) return i;
  return -1;
}

function copyGmmSummary(s: GmmSummary): GmmSummary {
  return { ...s, nk: s.nk.slice(), sd: s.sd.slice(), sdd: s.sdd.slice() };
}

/**
 * The mutations the checks must reject, applied to copies: +1 on the largest Nk, one clear row
 * left out of the statistics, and (with k > 1) a wrong label on that row. (+1 on Σ r·d or
 * Σ r·d·dᵀ is not among them: on a large component it is below the float32 rounding of the
 * responsibilities, which the GPU and the SIMD E-step compute in float32 — measured up to 2.2e-6
 * of Σ|terms| on lavapipe, 7e-7 on the SIMD E-step.)
 */
export function gmmMutations(
  ref: GmmReference,
  m: DataMatrix,
  p: GmmPassParams,
  got: Required<GmmObserved>,
): { name: string; observed: GmmObserved }[] {
  const tol = GMM_STAT_TOLERANCE[got.kind];
  const largest = ref.nk.indexOf(Math.max(...ref.nk));
  if (tol * ref.absNk[largest] >= 0.5)
    throw new Error(`Nk's tolerance is ${tol * ref.absNk[largest]}: +1 would pass; use fewer rows`);
  const plusOne = copyGmmSummary(got.summary);
  plusOne.nk[largest] += 1;
  const out: { name: string; observed: GmmObserved }[] = [
    { name: `+1 on nk[${largest}]`, observed: { kind: got.kind, summary: plusOne } },
  ];
  const row = clearRow(ref);
  if (row >= 0) {
    const dropped = copyGmmSummary(got.summary);
    dropRow(ref, m, p, dropped, row);
    out.push({ name: `row ${row} left out`, observed: { kind: got.kind, summary: dropped } });
    if (ref.k > 1) {
      const labels = got.assignment.labels.slice();
      labels[row] = (labels[row] + 1) % ref.k;
      out.push({
        name: `row ${row} labelled ${labels[row]}`,
        observed: { kind: got.kind, assignment: { ...got.assignment, labels } },
      });
    }
  }
  return out;
}
