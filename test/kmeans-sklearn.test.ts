import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runKMeans } from '../src/algo/kmeans.js';
import { columnStats, matrixFromRows } from '../src/data/matrix.js';
import { backendCases } from './helpers/backends.js';
import { relativeError } from './helpers/reference.js';

/**
 * Given the same initial centres, k-means agrees with scikit-learn's KMeans(algorithm='lloyd'):
 * the same labels, inertia within 1e-5 relative, the same iteration count. Expected values come
 * from test/oracle/kmeans_sklearn.py (committed in test/fixtures/kmeans-sklearn.json).
 */
interface SklearnCase {
  name: string;
  rows: number;
  dims: number;
  k: number;
  tol: number;
  max_iter: number;
  data: number[];
  init: number[];
  labels: number[];
  inertia: number;
  n_iter: number;
  centres: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/kmeans-sklearn.json', import.meta.url), 'utf8'),
) as { cases: SklearnCase[] };

describe.each(backendCases.filter((b) => !b.name.includes('1 thread')))(
  'backend $name',
  ({ make }) => {
    test.each(fixture.cases)('$name', async (c) => {
      const rows = Array.from({ length: c.rows }, (_, i) =>
        c.data.slice(i * c.dims, (i + 1) * c.dims),
      );
      const matrix = matrixFromRows(rows);
      const stats = columnStats(matrix);
      const backend = await make();
      try {
        const handle = await backend.attach(matrix);
        const meanVariance = stats.variance.reduce((s, v) => s + v, 0) / c.dims;
        const result = await runKMeans(
          backend,
          handle,
          {
            k: c.k,
            init: Float32Array.from(c.init),
            nInit: 1,
            maxIter: c.max_iter,
            tol: c.tol,
            seed: 0,
          },
          meanVariance,
        );
        expect(Array.from(result.labels)).toEqual(c.labels);
        expect(relativeError(result.inertia, c.inertia)).toBeLessThan(1e-5);
        expect(result.iterations).toBe(c.n_iter);
        for (let i = 0; i < c.centres.length; i++)
          expect(Math.abs(result.centres[i] - c.centres[i])).toBeLessThan(
            1e-3 * (1 + Math.abs(c.centres[i])),
          );
        if (c.name.includes('empty')) expect(result.emptyClusterRepairs).toBeGreaterThan(0);
      } finally {
        await backend.dispose();
      }
    });
  },
);
