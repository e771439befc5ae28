import { readFileSync } from 'node:fs';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { weightedKMeans } from '../src/algo/birch-global.js';
import { CfTree } from '../src/algo/cf-tree.js';
import { fit, UsageError } from '../src/index.js';
import type { BirchModel } from '../src/model/birch-model.js';

/**
 * BIRCH's k-means global step (`birchGlobal: 'kmeans'`): k-means on the leaf subclusters with each
 * centroid weighted by its rows, as scikit-learn's KMeans with sample_weight given the same
 * subclusters and starting centres (test/oracle/birch_kmeans_sklearn.py →
 * test/fixtures/birch-kmeans-sklearn.json); without weights, as KMeans without them.
 */
interface KMeansFit {
  labels: number[];
  centres: number[];
  inertia: number;
}

interface Case {
  name: string;
  rows: number;
  dims: number;
  threshold: number;
  branching_factor: number;
  k: number;
  data: number[];
  subcluster_centers: number[];
  subcluster_rows: number[];
  init_rows: number[];
  weighted: KMeansFit;
  unweighted: KMeansFit;
}

const { cases } = JSON.parse(
  readFileSync(new URL('./fixtures/birch-kmeans-sklearn.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe.each(cases)('$name', (c) => {
  const d = c.dims;
  const centres = Float64Array.from(c.subcluster_centers);
  const init = Float64Array.from(
    c.init_rows.flatMap((r) => c.subcluster_centers.slice(r * d, (r + 1) * d)),
  );

  test('our CF-tree has scikit-learn’s subclusters with the same rows (the weights)', () => {
    const n = c.rows;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) data[f * n + i] = c.data[i * d + f];
    const tree = new CfTree(d, c.threshold, c.branching_factor);
    tree.insertRows(data, n, 0, n);
    const leaves = tree.leafSubclusters();
    expect(Array.from(leaves.counts)).toEqual(c.subcluster_rows);
    leaves.centres.forEach((v, i) => expect(v).toBeCloseTo(c.subcluster_centers[i], 5));
  });

  test('weighted by rows: KMeans(sample_weight=rows)’s labels, centres and inertia', () => {
    const r = weightedKMeans(centres, Float64Array.from(c.subcluster_rows), d, init);
    expect(Array.from(r.labels)).toEqual(c.weighted.labels);
    r.centres.forEach((v, i) => expect(v).toBeCloseTo(c.weighted.centres[i], 9));
    expect(r.cost / c.weighted.inertia).toBeCloseTo(1, 9);
  });

  test('unit weights: KMeans without sample_weight — and the weights do change the answer', () => {
    const r = weightedKMeans(centres, new Float64Array(c.subcluster_rows.length).fill(1), d, init);
    expect(Array.from(r.labels)).toEqual(c.unweighted.labels);
    expect(c.unweighted.labels).not.toEqual(c.weighted.labels);
  });
});

describe('fit with birchGlobal kmeans', () => {
  const c = cases[1];
  const columns = ['x', 'y', 'z'];
  const table = tableFromArrays(
    Object.fromEntries(
      columns.map((name, f) => [
        name,
        Float32Array.from({ length: c.rows }, (_, i) => c.data[i * c.dims + f]),
      ]),
    ),
  );

  test('the subclusters’ labels are a weighted k-means fixed point; the model says kmeans', async () => {
    const r = await fit(table, {
      algorithm: 'birch',
      k: c.k,
      threshold: c.threshold,
      branchingFactor: c.branching_factor,
      birchGlobal: 'kmeans',
      scale: 'none',
      backend: 'cpu',
      seed: 1,
    });
    const model = r.model as BirchModel;
    expect(model.global).toBe('kmeans');
    const labels = model.subclusterLabels;
    expect(labels).toHaveLength(c.subcluster_rows.length);
    expect(new Set(labels).size).toBe(c.k);
    // Each segment's centre: the rows-weighted mean of its subclusters; every subcluster is nearest its own.
    const sums = new Float64Array(c.k * c.dims);
    const mass = new Float64Array(c.k);
    labels.forEach((l, s) => {
      mass[l] += c.subcluster_rows[s];
      for (let f = 0; f < c.dims; f++)
        sums[l * c.dims + f] += c.subcluster_rows[s] * c.subcluster_centers[s * c.dims + f];
    });
    const means = Float64Array.from(sums, (v, j) => v / mass[Math.floor(j / c.dims)]);
    model.subclusterCentres.forEach((point, s) => {
      const dist = Array.from({ length: c.k }, (_, g) =>
        point.reduce((a, v, f) => a + (v - means[g * c.dims + f]) ** 2, 0),
      );
      expect(dist.indexOf(Math.min(...dist))).toBe(labels[s]);
    });
    // The same seed, the same segments.
    const again = await fit(table, {
      algorithm: 'birch',
      k: c.k,
      threshold: c.threshold,
      branchingFactor: c.branching_factor,
      birchGlobal: 'kmeans',
      scale: 'none',
      backend: 'cpu',
      seed: 1,
    });
    expect(Array.from(again.labels)).toEqual(Array.from(r.labels));
  });

  test('an unknown global step is a usage error naming the option and the choices', async () => {
    await expect(
      fit(table, { algorithm: 'birch', k: 3, birchGlobal: 'dbscan' as 'kmeans' }),
    ).rejects.toThrow(UsageError);
    await expect(
      fit(table, { algorithm: 'birch', k: 3, birchGlobal: 'dbscan' as 'kmeans' }),
    ).rejects.toThrow(/birchGlobal.*kmeans/);
  });
});
