import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, InputError, predict, UsageError, type FitResult } from '../src/index.js';
import { backendCases, hasGpu } from './helpers/backends.js';
import { blobs } from './helpers/reference.js';

/** The API a Node service uses: an apache-arrow Table in, a model and assignments out. */
function blobTable(rows: number, dims: number, k: number, seed: number, spread = 1) {
  const { matrix, truth } = blobs(rows, dims, k, seed, spread);
  const columns: Record<string, Float32Array | Int32Array> = {
    customer_id: Int32Array.from({ length: rows }, (_, i) => 1000 + i),
  };
  for (let j = 0; j < dims; j++) columns[`f${j}`] = matrix.data.slice(j * rows, (j + 1) * rows);
  return { table: tableFromArrays(columns), truth };
}

describe('fit and predict on an apache-arrow Table', () => {
  test('returns a model, labels, distances and an assignments table', async () => {
    const { table, truth } = blobTable(2000, 3, 4, 1, 0.3);
    const result = await fit(table, { k: 4, backend: 'cpu' });
    expect(result.model.features).toEqual(['f0', 'f1', 'f2']);
    expect(result.model.idColumn).toBe('customer_id');
    expect(result.assignments.schema.fields.map((f) => f.name)).toEqual([
      'customer_id',
      'segment_id',
      'distance',
    ]);
    expect(result.assignments.getChild('customer_id')!.get(5)).toBe(1005);
    // Well-separated blobs: the segments are the blobs, up to renaming.
    const mapping = new Map<number, number>();
    for (let i = 0; i < truth.length; i++) {
      const seen = mapping.get(truth[i]);
      if (seen === undefined) mapping.set(truth[i], result.labels[i]);
      else expect(result.labels[i]).toBe(seen);
    }
    const again = await predict(table, result.model, { backend: 'cpu' });
    expect(Array.from(again.labels)).toEqual(Array.from(result.labels));
    expect(Array.from(again.distances!)).toEqual(Array.from(result.distances!));
  });

  test('validation errors are typed and name the option', async () => {
    const { table } = blobTable(10, 2, 2, 2);
    await expect(fit(table, { k: 0 })).rejects.toThrow(UsageError);
    await expect(fit(table, { k: 11, backend: 'cpu' })).rejects.toThrow(InputError);
    await expect(fit(table, { k: 11, backend: 'cpu' })).rejects.toThrow(
      'k=11 exceeds rows=10; lower k',
    );
    await expect(fit(table, { k: 2, maxIter: 0 })).rejects.toThrow(
      /^maxIter: expected an integer ≥ 1/,
    );
    await expect(fit(table, { k: 2, tol: -1 })).rejects.toThrow(/^tol: expected a number ≥ 0/);
    await expect(fit(table, { k: 2, init: [[1, 2, 3]] })).rejects.toThrow(
      'init: expected 2 centres × 2 features',
    );
    await expect(fit(table, { k: 2, features: ['f0', 'nope'] })).rejects.toThrow(
      "features: unknown column 'nope'",
    );
  });

  test('explicit initial centres and n_init: the best of several runs is never worse', async () => {
    const { table } = blobTable(3000, 4, 6, 3, 3);
    const one = await fit(table, { k: 6, init: 'random', nInit: 1, seed: 5, backend: 'cpu' });
    const ten = await fit(table, { k: 6, init: 'random', nInit: 10, seed: 5, backend: 'cpu' });
    expect(ten.stats.inertia!).toBeLessThanOrEqual(one.stats.inertia!);
    expect(ten.model.nInit).toBe(10);
    const warm = await fit(table, { k: 6, init: one.model.centresInputUnits, backend: 'cpu' });
    expect(warm.stats.iterations).toBe(1);
    expect(Math.abs(warm.stats.inertia! - one.stats.inertia!) / one.stats.inertia!).toBeLessThan(
      1e-5,
    );
  });
});

describe.each(backendCases.filter((b) => !b.name.includes('1 thread')))(
  'properties on backend $name',
  ({ name }) => {
    const backend = name.startsWith('gpu') ? 'gpu' : 'cpu';
    const { table } = blobTable(4000, 5, 8, 11, 2.5);
    const results = new Map<number, FitResult>();
    const fitK = async (k: number, seed = 0): Promise<FitResult> => {
      if (seed === 0 && results.has(k)) return results.get(k)!;
      const r = await fit(table, { k, seed, backend, tol: 0 });
      if (seed === 0) results.set(k, r);
      return r;
    };

    test('the objective never rises from one iteration to the next', async () => {
      const r = await fitK(8);
      const inertias = r.stats.history.map((h) => h.inertia);
      for (let i = 1; i < inertias.length; i++)
        expect(inertias[i]).toBeLessThanOrEqual(inertias[i - 1] * (1 + 1e-6));
      expect(r.stats.inertia).toBeLessThanOrEqual(inertias[inertias.length - 1] * (1 + 1e-6));
    });

    test('more centroids give a lower inertia', async () => {
      const [a, b, c] = [await fitK(2), await fitK(4), await fitK(8)];
      expect(b.stats.inertia!).toBeLessThan(a.stats.inertia!);
      expect(c.stats.inertia!).toBeLessThan(b.stats.inertia!);
    });

    test('the same seed gives the same result', async () => {
      const a = await fitK(5, 42);
      const b = await fitK(5, 42);
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      expect(b.model.centres).toEqual(a.model.centres);
      expect(b.stats.inertia!).toBe(a.stats.inertia!);
    });

    test('with tol=0 the fit stops when labels stop changing', async () => {
      const r = await fitK(8);
      expect(r.stats.converged).toBe(true);
      expect(r.stats.history[r.stats.history.length - 1].changed).toBe(0);
    });
  },
);

test.skipIf(!hasGpu)(
  'GPU and CPU agree from the same seed (k-means++ on the GPU and the CPU)',
  async () => {
    const { table } = blobTable(5000, 6, 5, 21, 0.8);
    const cpu = await fit(table, { k: 5, seed: 3, backend: 'cpu' });
    const gpu = await fit(table, { k: 5, seed: 3, backend: 'gpu' });
    expect(gpu.stats.backend).toBe('gpu');
    expect(Array.from(gpu.labels)).toEqual(Array.from(cpu.labels));
    expect(Math.abs(gpu.stats.inertia! - cpu.stats.inertia!) / cpu.stats.inertia!).toBeLessThan(
      1e-5,
    );
  },
);
