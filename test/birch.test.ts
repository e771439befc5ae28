import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runBirch } from '../src/algo/birch.js';
import { wardCut } from '../src/algo/birch-global.js';
import { matrixFromRows } from '../src/data/matrix.js';
import { tableFromArrays } from 'apache-arrow';
import { fit, parseModel, predict, UsageError } from '../src/index.js';
import { backendCases } from './helpers/backends.js';

/**
 * BIRCH agrees with scikit-learn's Birch (test/oracle/birch_sklearn.py →
 * test/fixtures/birch-sklearn.json): the same leaf subclusters in the same order (the CF-tree is
 * deterministic given the row order), the same subcluster labels and row labels, numbered alike
 * (after Ward too: scipy's tree cut as AgglomerativeClustering cuts it).
 */
interface SklearnCase {
  name: string;
  rows: number;
  dims: number;
  threshold: number;
  branching_factor: number;
  n_clusters: number | null;
  data: number[];
  subcluster_centers: number[];
  subcluster_labels: number[];
  labels: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/birch-sklearn.json', import.meta.url), 'utf8'),
) as { cases: SklearnCase[] };

/** The labels renumbered by first appearance: equal for two labellings of the same partition. */
function canonical(labels: ArrayLike<number>): number[] {
  const seen = new Map<number, number>();
  return Array.from(labels, (l) => {
    if (!seen.has(l)) seen.set(l, seen.size);
    return seen.get(l)!;
  });
}

describe.each(backendCases.filter((b) => ['cpu', 'gpu'].includes(b.name)))(
  'backend $name',
  ({ make }) => {
    test.each(fixture.cases)('$name', async (c) => {
      const rows = Array.from({ length: c.rows }, (_, i) =>
        c.data.slice(i * c.dims, (i + 1) * c.dims),
      );
      const backend = await make();
      try {
        const handle = await backend.attach(matrixFromRows(rows));
        const r = await runBirch(backend, handle, {
          threshold: c.threshold,
          branchingFactor: c.branching_factor,
          k: c.n_clusters ?? undefined,
          global: 'ward',
          seed: 0,
        });
        expect(r.subclusters).toBe(c.subcluster_labels.length);
        const centres = Array.from(r.subclusterCentres);
        centres.forEach((v, i) => expect(v).toBeCloseTo(c.subcluster_centers[i], 5));
        // Ward's labels numbered as AgglomerativeClustering numbers them: the same, not just the same partition.
        expect(Array.from(r.subclusterLabels)).toEqual(c.subcluster_labels);
        expect(Array.from(r.labels)).toEqual(c.labels);
      } finally {
        await backend.dispose();
      }
    });
  },
);

describe('exact Ward on points', () => {
  test('two tight pairs and a far point: the pairs merge first', () => {
    const points = Float64Array.from([0, 0, 0.1, 0, 5, 5, 5.1, 5, 20, 20]);
    expect(canonical(wardCut(points, undefined, 2, 3))).toEqual([0, 0, 1, 1, 2]);
    expect(canonical(wardCut(points, undefined, 2, 2))).toEqual([0, 0, 0, 0, 1]);
  });

  test('weights change which pair is cheapest to merge', () => {
    // Points 0, 1, 2.2. Unweighted, merging {0, 1} costs 1/2·1² = 0.5 < {1, 2.2}'s 1/2·1.2² = 0.72.
    // Weighing 0 as 1 row and 1 and 2.2 as 100 rows each: {0, 1} costs 100/101·1² ≈ 0.99, less
    // than {1, 2.2}'s 50·1.2² = 72: still {0, 1}. Weighing 0 as 100 rows, 1 and 2.2 as 1:
    // {0, 1} costs 100/101 ≈ 0.99 > {1, 2.2}'s 0.72, so 1 joins 2.2.
    const points = Float64Array.from([0, 1, 2.2]);
    expect(canonical(wardCut(points, undefined, 1, 2))).toEqual([0, 0, 1]);
    expect(canonical(wardCut(points, Float64Array.from([1, 100, 100]), 1, 2))).toEqual([0, 0, 1]);
    expect(canonical(wardCut(points, Float64Array.from([100, 1, 1]), 1, 2))).toEqual([0, 1, 1]);
  });
});

describe('fit and predict with algorithm birch', () => {
  const c = fixture.cases.find((x) => x.n_clusters === 25)!;
  const table = tableFromArrays({
    x: Float32Array.from({ length: c.rows }, (_, i) => c.data[i * 2]),
    y: Float32Array.from({ length: c.rows }, (_, i) => c.data[i * 2 + 1]),
  });

  test('scikit-learn’s partition through the API; predict gives the same labels', async () => {
    const r = await fit(table, {
      algorithm: 'birch',
      k: c.n_clusters!,
      threshold: c.threshold,
      branchingFactor: c.branching_factor,
      scale: 'none',
      backend: 'cpu',
    });
    expect(Array.from(r.labels)).toEqual(c.labels);
    expect(r.stats.birch!.subclusters).toBe(c.subcluster_labels.length);
    const model = parseModel(JSON.stringify(r.model));
    expect(model.algorithm).toBe('birch');
    const p = await predict(table, model, { backend: 'cpu' });
    expect(Array.from(p.labels)).toEqual(Array.from(r.labels));
  });

  test('threshold ≤ 0 and a branching factor below 2 are usage errors naming the option', async () => {
    await expect(fit(table, { algorithm: 'birch', k: 3, threshold: 0 })).rejects.toThrow(
      /^threshold: expected a number > 0, got '0'$/,
    );
    await expect(fit(table, { algorithm: 'birch', k: 3, branchingFactor: 1 })).rejects.toThrow(
      UsageError,
    );
  });
});
