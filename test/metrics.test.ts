import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { matrixFromRows } from '../src/data/matrix.js';
import { calinskiHarabasz, daviesBouldin, elbow, silhouetteScores } from '../src/eval/metrics.js';
import { relativeError } from './helpers/reference.js';

interface MetricCase {
  name: string;
  rows: number;
  dims: number;
  k: number;
  data: number[];
  labels: number[];
  silhouette: number;
  calinski_harabasz: number;
  davies_bouldin: number;
}
const fixture = JSON.parse(readFileSync('test/fixtures/metrics-sklearn.json', 'utf8')) as {
  cases: MetricCase[];
};

describe('metrics agree with scikit-learn on the same labels (test/oracle/metrics_sklearn.py)', () => {
  test.each(fixture.cases)('$name', (c) => {
    const m = matrixFromRows(
      Array.from({ length: c.rows }, (_, i) => c.data.slice(i * c.dims, (i + 1) * c.dims)),
    );
    const labels = Int32Array.from(c.labels);
    expect(relativeError(calinskiHarabasz(m, labels, c.k), c.calinski_harabasz)).toBeLessThan(1e-6);
    expect(relativeError(daviesBouldin(m, labels, c.k), c.davies_bouldin)).toBeLessThan(1e-6);
    const { scores, method } = silhouetteScores(m, [{ labels, k: c.k }]);
    expect(method).toEqual({ exact: true, sampleSize: c.rows });
    expect(relativeError(scores[0], c.silhouette)).toBeLessThan(1e-6);
  });

  test('several labellings in one pass give each one its own score', () => {
    const cases = fixture.cases.filter((c) => c.name.startsWith('wholesale'));
    const c0 = cases[0];
    const m = matrixFromRows(
      Array.from({ length: c0.rows }, (_, i) => c0.data.slice(i * c0.dims, (i + 1) * c0.dims)),
    );
    const { scores } = silhouetteScores(
      m,
      cases.map((c) => ({ labels: Int32Array.from(c.labels), k: c.k })),
    );
    scores.forEach((s, i) => expect(relativeError(s, cases[i].silhouette)).toBeLessThan(1e-6));
  });
});

describe('silhouette above the exact limit is computed on a stated sample', () => {
  test('the sample is seeded and close to the exact value', () => {
    const c = fixture.cases[1];
    const m = matrixFromRows(
      Array.from({ length: c.rows }, (_, i) => c.data.slice(i * c.dims, (i + 1) * c.dims)),
    );
    const labels = Int32Array.from(c.labels);
    const a = silhouetteScores(m, [{ labels, k: c.k }], 3, 200);
    const b = silhouetteScores(m, [{ labels, k: c.k }], 3, 200);
    expect(a.method).toEqual({ exact: false, sampleSize: 200 });
    expect(a.scores[0]).toBe(b.scores[0]);
    expect(Math.abs(a.scores[0] - c.silhouette)).toBeLessThan(0.05);
  });
});

test('elbow: the k farthest below the chord of the inertia curve', () => {
  expect(elbow([1, 2, 3, 4, 5, 6], [1000, 400, 150, 130, 120, 112])).toBe(3);
  expect(elbow([2, 3], [10, 5])).toBeUndefined();
});
