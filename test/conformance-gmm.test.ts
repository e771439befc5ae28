import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Backend, DatasetHandle, GmmPassParams } from '../src/backend/backend.js';
import type { DataMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { backendCases } from './helpers/backends.js';
import { blobs, relativeError } from './helpers/reference.js';

/**
 * The Gaussian-mixture passes on every backend against a float64 reference: responsibilities by
 * log-sum-exp, their centred statistics, the log-likelihood, labels and probabilities.
 */
function randomParams(form: 'diag' | 'full', k: number, d: number, seed: number): GmmPassParams {
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

function reference(m: DataMatrix, p: GmmPassParams) {
  const { k, form } = p;
  const d = m.dims;
  const s = form === 'diag' ? d : (d * (d + 1)) / 2;
  const nk = new Float64Array(k);
  const sd = new Float64Array(k * d);
  const sdd = new Float64Array(k * s);
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
      if (c !== best && Math.abs(lp[c] - lp[best]) < 1e-4 * (1 + Math.abs(lp[best]))) ties.add(i);
    labels[i] = best;
    for (let c = 0; c < k; c++) {
      const r = Math.exp(lp[c] - lse);
      probs[c * m.rows + i] = r;
      nk[c] += r;
      const dv = x.map((v, j) => v - p.means[c * d + j]);
      dv.forEach((v, j) => (sd[c * d + j] += r * v));
      if (form === 'diag') dv.forEach((v, j) => (sdd[c * s + j] += r * v * v));
      else {
        let at = 0;
        for (let a = 0; a < d; a++)
          for (let b = a; b < d; b++) sdd[c * s + at++] += r * dv[a] * dv[b];
      }
    }
  }
  return { nk, sd, sdd, ll, labels, probs, ties };
}

const shapes = [
  { rows: 1, dims: 1, k: 1 },
  { rows: 70, dims: 2, k: 3 },
  { rows: 2500, dims: 5, k: 4 },
  { rows: 40_000, dims: 13, k: 6 },
  // Past the inline limit, so the worker threads run it (diag: the SIMD E-step, wasm-gmm.ts); the
  // second block's 17,235 rows end in a partial piece and three rows past the last quad.
  { rows: 50_003, dims: 11, k: 5 },
];

describe.each(backendCases)('backend $name', ({ make }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  describe.each(shapes)('$rows × $dims, k=$k', ({ rows, dims, k }) => {
    const { matrix } = blobs(rows, dims, k, rows + 17 * dims, 2);
    let handle: DatasetHandle;
    beforeAll(async () => {
      handle = await backend.attach(matrix);
    });
    afterAll(async () => {
      await backend.detach(handle);
    });

    test.each(['diag', 'full'] as const)(
      '%s: statistics, log-likelihood, labels and probabilities',
      async (form) => {
        const params = randomParams(form, k, dims, rows + k);
        const ref = reference(matrix, params);
        const got = await backend.gmmStep(handle, params);
        expect(relativeError(got.logLikelihood, ref.ll)).toBeLessThan(1e-5);
        const close = (a: Float64Array, b: Float64Array, tol: number) => {
          const scale = Math.max(1, ...b.map(Math.abs));
          for (let i = 0; i < b.length; i++)
            expect(Math.abs(a[i] - b[i]) / scale).toBeLessThan(tol);
        };
        close(got.nk, ref.nk, 1e-5);
        close(got.sd, ref.sd, 1e-5);
        close(got.sdd, ref.sdd, 1e-5);
        const a = await backend.gmmAssign(handle, params, { probabilities: true });
        expect(relativeError(a.logLikelihood, ref.ll)).toBeLessThan(1e-5);
        for (let i = 0; i < rows; i++) {
          if (!ref.ties.has(i)) expect(a.labels[i]).toBe(ref.labels[i]);
          expect(Math.abs(a.probability[i] - ref.probs[a.labels[i] * rows + i])).toBeLessThan(1e-4);
        }
        for (let i = 0; i < rows * k; i += Math.max(1, Math.floor(rows / 50)))
          expect(Math.abs(a.probabilities![i] - ref.probs[i])).toBeLessThan(1e-4);
        const noProbs = await backend.gmmAssign(handle, params, { probabilities: false });
        expect(noProbs.probabilities).toBeUndefined();
      },
    );
  });
});
