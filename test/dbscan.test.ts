import { afterAll, describe, expect, test } from 'vitest';
import { checkDbscanRows, runDbscan } from '../src/algo/dbscan.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { INLINE_MAX_VALUES } from '../src/backend/cpu/cpu-backend.js';
import { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { allocateMatrix, matrixFromRows } from '../src/data/matrix.js';
import { UsageError } from '../src/errors.js';
import { Rng } from '../src/util/rng.js';
import { backendCases, hasGpu } from './helpers/backends.js';
import { referenceDbscan, sklearnDbscanCases } from './helpers/dbscan-reference.js';

/**
 * DBSCAN gives scikit-learn's labels — core and border rows alike (dbscan-graph.ts says why the
 * border rows can match too) — on scikit-learn's own shapes (test/oracle/dbscan_sklearn.py →
 * test/fixtures/dbscan-sklearn.json), on every backend; GPU and CPU agree on data full of pairs at
 * exactly eps (where float32 cannot decide); the worker path gives the single thread's labels.
 */

const rowsOf = (c: { rows: number; dims: number; data: number[] }) =>
  Array.from({ length: c.rows }, (_, i) => c.data.slice(i * c.dims, (i + 1) * c.dims));

describe.each(backendCases.filter((b) => !b.name.includes('JavaScript')))(
  'backend $name',
  ({ make }) => {
    test.each(sklearnDbscanCases)('$name: scikit-learn’s labels and core rows', async (c) => {
      const backend = await make();
      try {
        const r = await runDbscan(backend, matrixFromRows(rowsOf(c)), {
          eps: c.eps,
          minSamples: c.min_samples,
          seed: 0,
        });
        const core = [...r.core.keys()].filter((i) => r.core[i] === 1);
        expect(core).toEqual(c.core);
        expect(Array.from(r.labels)).toEqual(c.labels);
        expect(r.clusters).toBe(Math.max(...c.labels) + 1);
        expect(r.noise).toBe(c.labels.filter((l) => l < 0).length);
      } finally {
        await backend.dispose();
      }
    });

    test('lists in ranges of 64 entries, held in part or not at all: the same labels', async () => {
      // The lattice's pairs at eps up to rounding again: a list listed a second time (not held)
      // has its ambiguous pairs decided again.
      const rows: number[][] = [];
      for (let a = 0; a < 30; a++)
        for (let b = 0; b < 30; b++) if ((a * 7 + b * 3) % 5 !== 0) rows.push([a * 0.1, b * 0.1]);
      const eps = Math.SQRT2 * 0.1;
      const expected = Array.from(referenceDbscan(rows, eps, 6));
      const backend = await make();
      try {
        for (const heldEntries of [0, 1500]) {
          const settings = { eps, minSamples: 6, seed: 0 };
          const r = await runDbscan(backend, matrixFromRows(rows), settings, {
            listEntries: 64,
            heldEntries,
          });
          expect(Array.from(r.labels)).toEqual(expected);
        }
      } finally {
        await backend.dispose();
      }
    });

    test('a lattice with pairs at exactly eps: the float64 reference’s labels', async () => {
      // Points of a 2-D grid of step 0.1 (not exact in float32) with gaps: every grid
      // neighbour sits at eps up to rounding, the case the float32 bounds leave to float64.
      const rows: number[][] = [];
      for (let a = 0; a < 30; a++)
        for (let b = 0; b < 30; b++) if ((a * 7 + b * 3) % 5 !== 0) rows.push([a * 0.1, b * 0.1]);
      const backend = await make();
      try {
        for (const [eps, minSamples] of [
          [0.1, 4],
          [0.1, 5],
          [Math.SQRT2 * 0.1, 6],
        ]) {
          const r = await runDbscan(backend, matrixFromRows(rows), { eps, minSamples, seed: 0 });
          expect(Array.from(r.labels)).toEqual(Array.from(referenceDbscan(rows, eps, minSamples)));
        }
      } finally {
        await backend.dispose();
      }
    });
  },
);

test.runIf(hasGpu)('GPU and CPU: identical labels on noisy 5-D data', async () => {
  const rng = new Rng(7);
  const rows = Array.from({ length: 3000 }, (_, i) =>
    Array.from({ length: 5 }, () => (i % 3) * 2 + rng.nextDouble() * 1.5),
  );
  const cpu = new CpuBackend();
  const gpu = await GpuBackend.create({ allowFallback: true });
  try {
    const settings = { eps: 0.45, minSamples: 8, seed: 0 };
    const a = await runDbscan(cpu, matrixFromRows(rows), settings);
    const b = await runDbscan(gpu, matrixFromRows(rows), settings);
    expect(a.clusters).toBeGreaterThan(1);
    expect(a.noise).toBeGreaterThan(0);
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(b.core)).toEqual(Array.from(a.core));
  } finally {
    await cpu.dispose();
    await gpu.dispose();
  }
});

describe('the worker path', () => {
  const workers = new CpuBackend(2);
  const inline = new CpuBackend(1);
  afterAll(async () => {
    await workers.dispose();
    await inline.dispose();
  });

  test(
    '140,000 rows on worker threads: the single thread’s labels',
    { timeout: 300_000 },
    async () => {
      const rows = 140_000;
      const dims = 4;
      expect(rows * dims).toBeGreaterThan(INLINE_MAX_VALUES);
      const m = allocateMatrix(rows, ['a', 'b', 'c', 'd']);
      // 20 blobs along the first axis, a fifth of the rows scattered as noise: short axis windows.
      const rng = new Rng(3);
      for (let i = 0; i < rows; i++) {
        const noise = i % 5 === 4;
        const blob = i % 20;
        m.data[i] = noise ? rng.nextDouble() * 200 : blob * 10 + rng.nextDouble() * 6;
        for (let f = 1; f < dims; f++) m.data[f * rows + i] = rng.nextDouble() * (noise ? 5 : 1);
      }
      const settings = { eps: 0.3, minSamples: 10, seed: 0 };
      const a = await runDbscan(workers, m, settings);
      const b = await runDbscan(inline, m, settings);
      // Blobs 4, 9, 14 and 19 hold only noise rows (i % 5 = 4): 16 dense blobs.
      expect(a.clusters).toBe(16);
      expect(a.noise).toBeGreaterThan(0);
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    },
  );
});

describe('bad input and limits', () => {
  test('more rows than the backend takes: refused, pointing to k-means', () => {
    expect(() => checkDbscanRows(200_001, 'cpu')).toThrow(UsageError);
    expect(() => checkDbscanRows(200_001, 'cpu')).toThrow(/at most 200,000 rows.*algorithm kmeans/);
    expect(() => checkDbscanRows(2_000_001, 'gpu')).toThrow(/at most 2,000,000/);
    expect(() => checkDbscanRows(2_000_000, 'gpu')).not.toThrow();
  });

  test('eps auto: the k-distance knee separates scikit-learn’s blobs', async () => {
    const c = sklearnDbscanCases[0];
    const backend = new CpuBackend(1);
    try {
      const r = await runDbscan(backend, matrixFromRows(rowsOf(c)), {
        eps: 'auto',
        minSamples: c.min_samples,
        seed: 0,
      });
      expect(r.eps).toBeGreaterThan(0.05);
      expect(r.eps).toBeLessThan(1);
      expect(r.clusters).toBe(3);
    } finally {
      await backend.dispose();
    }
  });
});
