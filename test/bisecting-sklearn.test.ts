import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { descendBisectingTree } from '../src/algo/bisecting-predict.js';
import { leafCentres } from '../src/algo/bisecting-tree.js';
import { runBisectingKMeans, type BisectingStrategy } from '../src/algo/bisecting.js';
import { matrixFromRows, readRow, type DataMatrix } from '../src/data/matrix.js';
import { adjustedRandIndex } from '../src/eval/agreement.js';
import { backendCases } from './helpers/backends.js';
import { relativeError } from './helpers/reference.js';

/**
 * Bisecting k-means against scikit-learn's BisectingKMeans (test/oracle/bisecting_sklearn.py,
 * committed in test/fixtures/bisecting-sklearn.json). Given the same two starting rows for every
 * bisection: the same labels, inertia within 1e-5 relative, the same leaf centres, and predict
 * (descending the tree) gives scikit-learn's labels on fresh rows. From seeds (gpuseg's and
 * scikit-learn's own random starts): adjusted Rand index ≥ 0.95. Every backend gives the same labels.
 */
interface FixedCase {
  name: string;
  rows: number;
  dims: number;
  k: number;
  strategy: BisectingStrategy;
  n_init: number;
  tol: number;
  data: number[];
  starts: number[][];
  labels: number[];
  inertia: number;
  centres: number[];
  fresh: number[];
  fresh_labels: number[];
}

interface SeededCase {
  name: string;
  rows: number;
  dims: number;
  k: number;
  strategy: BisectingStrategy;
  data: number[];
  runs: { labels: number[]; inertia: number }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/bisecting-sklearn.json', import.meta.url), 'utf8'),
) as { cases: FixedCase[]; seeded: SeededCase[] };

function matrixOf(values: number[], rows: number, dims: number): DataMatrix {
  return matrixFromRows(
    Array.from({ length: rows }, (_, i) => values.slice(i * dims, (i + 1) * dims)),
  );
}

const cases = backendCases.filter((b) => !b.name.includes('1 thread'));
const labelsByBackend = new Map<string, number[][]>();

describe.each(cases)('backend $name', ({ name, make }) => {
  test.each(fixture.cases)('$name: scikit-learn’s labels from the same starts', async (c) => {
    const matrix = matrixOf(c.data, c.rows, c.dims);
    const backend = await make();
    try {
      const handle = await backend.attach(matrix);
      const result = await runBisectingKMeans(
        backend,
        handle,
        {
          k: c.k,
          strategy: c.strategy,
          init: 'random',
          nInit: c.n_init,
          maxIter: 300,
          tol: c.tol,
          seed: 0,
        },
        {
          startingCentres: (split, run) => {
            const [a, b] = c.starts[split * c.n_init + run];
            const out = new Float32Array(2 * c.dims);
            out.set(readRow(matrix, a), 0);
            out.set(readRow(matrix, b), c.dims);
            return out;
          },
        },
      );
      expect(Array.from(result.labels)).toEqual(c.labels);
      expect(relativeError(result.inertia, c.inertia)).toBeLessThan(1e-5);
      const centres = leafCentres(result.tree);
      for (let i = 0; i < c.centres.length; i++)
        expect(Math.abs(centres[i] - c.centres[i])).toBeLessThan(
          1e-3 * (1 + Math.abs(c.centres[i])),
        );
      const byCase = labelsByBackend.get(c.name) ?? [];
      byCase.push(Array.from(result.labels));
      labelsByBackend.set(c.name, byCase);

      // predict on the training rows gives the fit's labels; on fresh rows, scikit-learn's.
      const again = await descendBisectingTree(backend, handle, result.tree);
      expect(Array.from(again.labels)).toEqual(c.labels);
      await backend.detach(handle);
      const fresh = await backend.attach(matrixOf(c.fresh, c.fresh.length / c.dims, c.dims));
      const predicted = await descendBisectingTree(backend, fresh, result.tree);
      expect(Array.from(predicted.labels)).toEqual(c.fresh_labels);
    } finally {
      await backend.dispose();
    }
  });

  test.each(fixture.seeded)('$name: ARI ≥ 0.95 against scikit-learn from seeds', async (c) => {
    const matrix = matrixOf(c.data, c.rows, c.dims);
    const backend = await make();
    try {
      const handle = await backend.attach(matrix);
      for (const seed of [0, 1, 2]) {
        const result = await runBisectingKMeans(backend, handle, {
          k: c.k,
          strategy: c.strategy,
          init: 'random',
          nInit: 1,
          maxIter: 300,
          tol: 1e-4,
          seed,
        });
        expect(new Set(result.labels).size).toBe(c.k);
        const theirs = c.runs[seed];
        expect(adjustedRandIndex(result.labels, theirs.labels)).toBeGreaterThanOrEqual(0.95);
      }
    } finally {
      await backend.dispose();
    }
  });
  void name;
});

test('every backend gives the same labels', () => {
  expect(labelsByBackend.size).toBe(fixture.cases.length);
  for (const runs of labelsByBackend.values()) {
    expect(runs.length).toBe(cases.length);
    for (const r of runs) expect(r).toEqual(runs[0]);
  }
});
