import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SEED_BLOCK_ROWS, type Backend, type DatasetHandle } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { backendCases, type BackendCase } from './helpers/backends.js';
import {
  BLOCKS_PER_WORKER,
  LLOYD_SHAPES,
  WORKER_SHAPE,
  WORKER_THREADS,
  lloydData,
  workerBlocks,
} from './helpers/conformance-data.js';
import { lloydFailures, lloydMutations } from './helpers/lloyd-check.js';
import { blobs, relativeError } from './helpers/reference.js';

/**
 * Every pass of the Backend interface, on every backend present, against a float64 reference on
 * fresh random data, on every shape (helpers/conformance-data.ts; the last one gives several
 * blocks to every CPU worker thread). A Lloyd step and an assignment are checked by
 * `lloydFailures` (helpers/lloyd-check.ts): counts and labels exactly — the data are made tie-free
 * first — and each sum element within float32 rounding of Σ|x| of its terms, so that +1 on any
 * element fails; each check also proves that it would fail, on every shape and backend: +1 on a
 * sum, a count off by one and a row in the wrong cluster are each rejected.
 * conformance-mutations.test.ts does the same through a wrapped CPU backend on its worker path.
 */
const shapes = LLOYD_SHAPES;

/** The backends of every suite, and one whose thread count WORKER_SHAPE is cut for. */
const cases: BackendCase[] = [
  ...backendCases,
  {
    name: `cpu (${WORKER_THREADS} threads)`,
    make: async () => new CpuBackend(WORKER_THREADS),
  },
];

test('the worker shape gives every worker several blocks and ends in a ragged one', () => {
  const split = workerBlocks(WORKER_SHAPE, WORKER_THREADS);
  expect(split.onWorkers).toBe(true);
  expect(split.fewestPerWorker).toBeGreaterThanOrEqual(BLOCKS_PER_WORKER);
  expect(split.ragged).toBe(true);
});

describe.each(cases)('backend $name', ({ make }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  describe.each(shapes)('$rows × $dims, k=$k', (shape) => {
    const { rows, dims, k } = shape;
    const { matrix, centres, ref } = lloydData(shape);
    let handle: DatasetHandle;
    beforeAll(async () => {
      handle = await backend.attach(matrix);
    });
    afterAll(async () => {
      await backend.detach(handle);
    });

    test('lloydStep and assign: sums, counts, inertia, labels, distances, changed', async () => {
      await backend.resetLabels(handle);
      const summary = await backend.lloydStep(handle, centres, k);
      expect(summary.changed).toBe(rows);
      const assignment = await backend.assign(handle, centres, k);
      expect(lloydFailures(ref, { kind: backend.kind, summary, assignment })).toEqual([]);
      // The checks see a wrong sum, count or label on this shape too.
      for (const { name, observed } of lloydMutations(ref, matrix, {
        kind: backend.kind,
        summary,
        assignment,
      }))
        expect(lloydFailures(ref, observed), name).not.toEqual([]);
      // The same centres again: nothing changes.
      const again = await backend.lloydStep(handle, centres, k);
      expect(again.changed).toBe(0);
      expect(relativeError(again.inertia, summary.inertia)).toBeLessThan(1e-6);
    });

    test('lloydStep with storeLabels=false leaves stored labels alone', async () => {
      await backend.resetLabels(handle);
      await backend.lloydStep(handle, centres, k, { storeLabels: false });
      const s = await backend.lloydStep(handle, centres, k);
      expect(s.changed).toBe(rows);
    });

    test('seeding passes: min distances, block sums, candidate potentials', async () => {
      const c0 = centres.subarray(0, dims);
      const blocks0 = await backend.seedReset(handle, c0);
      const c1 = centres.subarray((k - 1) * dims, k * dims);
      // Expected min distances after choosing c0 then c1.
      const minRef = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        let a = 0;
        let b = 0;
        for (let j = 0; j < dims; j++) {
          const x = matrix.data[j * rows + i];
          a += (x - c0[j]) ** 2;
          b += (x - c1[j]) ** 2;
        }
        minRef[i] = Math.min(a, b);
      }
      // Before the update, block sums are of ‖x − c0‖².
      const nBlocks = Math.ceil(rows / SEED_BLOCK_ROWS);
      expect(blocks0.length).toBe(nBlocks);
      const potentials = await backend.seedPotentials(handle, c1, 1);
      const expectedPotential = minRef.reduce((s, v) => s + v, 0);
      expect(relativeError(potentials[0], expectedPotential)).toBeLessThan(1e-5);
      const blocks1 = await backend.seedUpdate(handle, c1);
      for (let b = 0; b < nBlocks; b++) {
        let s = 0;
        for (let i = b * SEED_BLOCK_ROWS; i < Math.min(rows, (b + 1) * SEED_BLOCK_ROWS); i++)
          s += minRef[i];
        expect(Math.abs(blocks1[b] - s)).toBeLessThanOrEqual(1e-5 * (1 + s));
      }
      const start = (nBlocks - 1) * SEED_BLOCK_ROWS;
      const values = await backend.seedReadMinDist(handle, start, rows - start);
      for (let i = 0; i < values.length; i++)
        expect(Math.abs(values[i] - minRef[start + i])).toBeLessThanOrEqual(
          1e-5 * (1 + minRef[start + i]),
        );
    });
  });
});

describe.each(backendCases)('seeding passes with many centres, backend $name', ({ make }) => {
  test('seedUpdate with several centres, and the k-means|| draw', async () => {
    const backend = await make();
    try {
      const rows = 5000;
      const dims = 6;
      const { matrix } = blobs(rows, dims, 5, 77, 1.5);
      const handle = await backend.attach(matrix);
      const centres = new Float32Array(4 * dims);
      for (let i = 0; i < centres.length; i++) centres[i] = Math.fround(Math.cos(i * 3.1) * 6);
      await backend.seedReset(handle, centres.subarray(0, dims), 1);
      const sums = await backend.seedUpdate(handle, centres.subarray(dims), 3);
      const ref = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        ref[i] = Infinity;
        for (let c = 0; c < 4; c++) {
          let s = 0;
          for (let j = 0; j < dims; j++)
            s += (matrix.data[j * rows + i] - centres[c * dims + j]) ** 2;
          ref[i] = Math.min(ref[i], s);
        }
      }
      const total = ref.reduce((a, b) => a + b, 0);
      expect(
        relativeError(
          sums.reduce((a, b) => a + b, 0),
          total,
        ),
      ).toBeLessThan(1e-5);
      // The draw: expected ℓ = 40 rows; and exactly the rows the shared hash keeps given the backend's own distances.
      const picked = await backend.seedSample(handle, 40 / total, 12345);
      const mine = await backend.seedReadMinDist(handle, 0, SEED_BLOCK_ROWS);
      const { sampleUniform } = await import('../src/backend/cpu/kernel-source.js');
      const expected: number[] = [];
      for (let i = 0; i < SEED_BLOCK_ROWS; i++)
        if (sampleUniform(i, 12345) < Math.fround(Math.fround(40 / total) * mine[i]))
          expected.push(i);
      expect(Array.from(picked).filter((r) => r < SEED_BLOCK_ROWS)).toEqual(expected);
      expect(picked.length).toBeGreaterThan(15);
      expect(picked.length).toBeLessThan(80);
      for (let i = 1; i < picked.length; i++) expect(picked[i]).toBeGreaterThan(picked[i - 1]);
    } finally {
      await backend.dispose();
    }
  });
});
