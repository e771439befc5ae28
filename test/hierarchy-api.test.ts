import { tableFromArrays } from 'apache-arrow';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  cutModel,
  fit,
  InputError,
  parseModel,
  predict,
  selectK,
  UsageError,
  type BisectingModel,
  type WardModel,
} from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { errors, gpuseg, tempDir } from './helpers/cli.js';
import { blobs } from './helpers/reference.js';

/** bisecting and ward through the API and the CLI: fit, save/load, predict, cut, bad input. */
function blobTable(rows: number, dims: number, k: number, seed: number, spread = 1) {
  const { matrix } = blobs(rows, dims, k, seed, spread);
  const columns: Record<string, Float32Array | Int32Array> = {
    customer_id: Int32Array.from({ length: rows }, (_, i) => 1000 + i),
  };
  for (let j = 0; j < dims; j++) columns[`f${j}`] = matrix.data.slice(j * rows, (j + 1) * rows);
  return tableFromArrays(columns);
}

const roundTrip = <T>(model: T): T => parseModel(JSON.stringify(model)) as T;
const table = blobTable(1500, 3, 6, 4, 1.2);

describe('bisecting', () => {
  test.each(backendCases.filter((b) => b.name === 'cpu' || b.name === 'gpu'))(
    'backend $name: a saved model predicts the fit’s labels; a cut is the fit at that k',
    async ({ name }) => {
      const backend = name as 'cpu' | 'gpu';
      const r = await fit(table, { k: 6, algorithm: 'bisecting', backend, seed: 5 });
      const model = roundTrip(r.model) as BisectingModel;
      expect(model.algorithm).toBe('bisecting');
      expect(model.tree.length).toBe(11);
      expect(r.stats.inertia).toBeCloseTo(model.inertia, 6);
      const again = await predict(table, model, { backend });
      expect(Array.from(again.labels)).toEqual(Array.from(r.labels));
      for (let i = 0; i < r.labels.length; i++)
        expect(again.distances![i]).toBeCloseTo(r.distances![i], 4);
      const fitted3 = await fit(table, { k: 3, algorithm: 'bisecting', backend, seed: 5 });
      const cut3 = cutModel(model, 3) as BisectingModel;
      expect(cut3.inertia / fitted3.stats.inertia!).toBeCloseTo(1, 6);
      const predicted3 = await predict(table, cut3, { backend });
      expect(Array.from(predicted3.labels)).toEqual(Array.from(fitted3.labels));
    },
  );

  test('largest_cluster splits the most rows: every split node was the largest leaf then', async () => {
    const r = await fit(table, {
      k: 5,
      algorithm: 'bisecting',
      bisectingStrategy: 'largest_cluster',
      backend: 'cpu',
    });
    const tree = (r.model as BisectingModel).tree;
    for (let s = 1; s < 4; s++) {
      // Before split s the leaves are the nodes < 2s+1 without children among them.
      const leaves = tree.slice(0, 2 * s + 1).filter((n) => !n.children || n.children[0] > 2 * s);
      const split = tree.find((n) => n.children?.[0] === 2 * s + 1)!;
      expect(split.rows).toBe(Math.max(...leaves.map((n) => n.rows)));
    }
  });
});

describe('ward', () => {
  test('exact: a cut of a saved model is the fit at that k (labels, inertia, centres)', async () => {
    const small = blobTable(600, 2, 5, 9, 1.5);
    const r = await fit(small, { k: 6, algorithm: 'ward', backend: 'cpu' });
    const model = roundTrip(r.model) as WardModel;
    expect(model.wardMethod).toBe('exact');
    expect(model.dendrogram.groups.length).toBe(200);
    const fitted = await fit(small, { k: 3, algorithm: 'ward', backend: 'cpu' });
    const cut = cutModel(model, 3) as WardModel;
    expect(cut.inertia / fitted.stats.inertia!).toBeCloseTo(1, 9);
    expect(cut.groupSegments).toEqual((fitted.model as WardModel).groupSegments);
    cut.centres.flat().forEach((v, i) => expect(v).toBeCloseTo(fitted.model.centres.flat()[i], 5));
  });

  test('two-step: predict gives each row its micro-cluster’s segment, the fit’s labels', async () => {
    const r = await fit(table, {
      k: 4,
      algorithm: 'ward',
      wardMethod: 'two-step',
      microClusters: 30,
      backend: 'cpu',
    });
    const model = roundTrip(r.model) as WardModel;
    expect(model.wardMethod).toBe('two-step');
    expect(model.dendrogram.groups.length).toBe(30);
    const again = await predict(table, model, { backend: 'cpu' });
    expect(Array.from(again.labels)).toEqual(Array.from(r.labels));
  });

  test('over 20,000 rows: auto switches to two-step with a notice; exact is refused', async () => {
    const big = blobTable(20_001, 2, 4, 3, 0.5);
    const notices: string[] = [];
    const r = await fit(big, {
      k: 4,
      algorithm: 'ward',
      microClusters: 20,
      backend: 'cpu',
      onNotice: (m) => notices.push(m),
    });
    expect((r.model as WardModel).wardMethod).toBe('two-step');
    expect(notices.some((m) => /20001 rows exceed 20000 .*two-step/.test(m))).toBe(true);
    await expect(
      fit(big, { k: 4, algorithm: 'ward', wardMethod: 'exact', backend: 'cpu' }),
    ).rejects.toThrow(InputError);
  });

  test('k above the kept clusters, cuts of other models and beyond the tree are clear errors', async () => {
    await expect(
      fit(table, { k: 12, algorithm: 'ward', microClusters: 10, backend: 'cpu' }),
    ).rejects.toThrow(/^k 12 exceeds microClusters 10/);
    const km = await fit(table, { k: 3, backend: 'cpu' });
    expect(() => cutModel(km.model, 2)).toThrow(UsageError);
    const b = await fit(table, { k: 3, algorithm: 'bisecting', backend: 'cpu' });
    expect(() => cutModel(b.model, 4)).toThrow(/^k: expected an integer in 1..3/);
  });
});

describe('CLI', () => {
  test('fit --algorithm ward, cut, predict; a bad --k is one line and writes nothing', () => {
    const dir = tempDir();
    const model = join(dir, 'ward.json');
    const fitRun = gpuseg([
      'fit',
      'datasets/wholesale-customers.csv',
      '--features',
      'Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen',
      '--k',
      '5',
      '--algorithm',
      'ward',
      '--backend',
      'cpu',
      '--model',
      model,
      '--json',
    ]);
    expect(errors(fitRun)).toBe('');
    expect(JSON.parse(fitRun.stdout).algorithm).toBe('ward');
    const cut = join(dir, 'ward3.json');
    const cutRun = gpuseg(['cut', model, '--k', '3', '--output', cut, '--json']);
    expect(cutRun.status).toBe(0);
    expect(JSON.parse(cutRun.stdout).k).toBe(3);
    expect(JSON.parse(readFileSync(cut, 'utf8')).k).toBe(3);
    const bad = gpuseg(['cut', model, '--k', '500', '--output', join(dir, 'x.json')]);
    expect(bad.status).toBe(2);
    expect(errors(bad)).toMatch(
      /^gpuseg: error: --k: expected an integer in 1\.\.200 .*got '500'$/,
    );
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    const strategy = gpuseg([
      'fit',
      'datasets/wholesale-customers.csv',
      '--k',
      '3',
      '--algorithm',
      'bisecting',
      '--bisecting-strategy',
      'widest',
    ]);
    expect(strategy.status).toBe(2);
    expect(errors(strategy)).toMatch(/--bisecting-strategy/);
  });
});

describe('select over the levels of one hierarchy', () => {
  test.each(['ward', 'bisecting'] as const)(
    '%s: each k’s inertia and sizes are those of the fit at that k',
    async (algorithm) => {
      const small = blobTable(500, 2, 4, 2, 1.0);
      const result = await selectK(small, { k: '2..5', algorithm, backend: 'cpu' });
      expect(result.rows.map((r) => r.k)).toEqual([2, 3, 4, 5]);
      for (const row of result.rows) {
        const single = await fit(small, { k: row.k, algorithm, backend: 'cpu' });
        expect(row.inertia / single.stats.inertia!).toBeCloseTo(1, 6);
        expect(row.sizes).toEqual(single.sizes);
      }
      // Nested partitions: the inertia falls as k grows.
      for (let i = 1; i < result.rows.length; i++)
        expect(result.rows[i].inertia).toBeLessThan(result.rows[i - 1].inertia);
    },
  );
});
