import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { CovarianceType } from '../src/algo/gmm-math.js';
import { parameterCount, informationCriteria } from '../src/algo/gmm-math.js';
import { runGmm } from '../src/algo/gmm.js';
import { columnStats, matrixFromRows } from '../src/data/matrix.js';
import { backendCases } from './helpers/backends.js';

/**
 * Given the same initial means (and the one-hot responsibilities they imply), EM agrees with
 * scikit-learn's GaussianMixture: the mean log-likelihood within 1e-4, the same labels on
 * separated data, BIC and AIC by the same parameter count (test/oracle/gmm_sklearn.py).
 */
interface GmmCase {
  name: string;
  dataset: string;
  covariance: CovarianceType;
  rows: number;
  dims: number;
  k: number;
  tol: number;
  reg_covar: number;
  max_iter: number;
  score: number;
  n_iter: number;
  converged: boolean;
  labels: number[];
  weights: number[];
  bic: number;
  aic: number;
}
const fixture = JSON.parse(readFileSync('test/fixtures/gmm-sklearn.json', 'utf8')) as {
  datasets: Record<string, { data: number[]; init_means: number[] }>;
  cases: GmmCase[];
};

describe.each(
  backendCases.filter(
    (b) => b.name === 'cpu' || b.name.startsWith('gpu (chunked') || b.name === 'gpu',
  ),
)('backend $name', ({ make }) => {
  test.each(fixture.cases)('$name', async (c) => {
    const ds = fixture.datasets[c.dataset];
    const matrix = matrixFromRows(
      Array.from({ length: c.rows }, (_, i) => ds.data.slice(i * c.dims, (i + 1) * c.dims)),
    );
    const backend = await make();
    try {
      const handle = await backend.attach(matrix);
      const meanVariance = columnStats(matrix).variance.reduce((a, b) => a + b, 0) / c.dims;
      const r = await runGmm(
        backend,
        handle,
        {
          k: c.k,
          covariance: c.covariance,
          init: Float32Array.from(ds.init_means),
          nInit: 1,
          maxIter: c.max_iter,
          tol: c.tol,
          regCovar: c.reg_covar,
          seed: 0,
        },
        meanVariance,
        { probabilities: false },
      );
      expect(Math.abs(r.logLikelihood - c.score)).toBeLessThan(1e-4);
      expect(r.converged).toBe(c.converged);
      if (c.name.startsWith('separated')) {
        expect(Array.from(r.labels)).toEqual(c.labels);
        expect(Math.abs(r.iterations - c.n_iter)).toBeLessThanOrEqual(1);
      }
      r.params.weights.forEach((w, i) => expect(Math.abs(w - c.weights[i])).toBeLessThan(1e-3));
      const ic = informationCriteria(
        r.logLikelihood,
        c.rows,
        parameterCount(c.covariance, c.k, c.dims),
      );
      expect(Math.abs(ic.bic - c.bic)).toBeLessThan(1e-4 * c.rows * 2 + 1e-6);
      expect(Math.abs(ic.aic - c.aic)).toBeLessThan(1e-4 * c.rows * 2 + 1e-6);
    } finally {
      await backend.dispose();
    }
  });
});
