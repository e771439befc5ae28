import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SEED_BLOCK_ROWS, type Backend, type DatasetHandle } from '../src/backend/backend.js';
import { backendCases } from './helpers/backends.js';
import { blobs, refLloyd, relativeError } from './helpers/reference.js';

/**
 * Every pass of the Backend interface, on every backend present, against a float64 reference on
 * fresh random data: sums and counts agree to float32 rounding, labels agree except at ties.
 * Shapes cover one tile, ragged tails, several chunks, and (at 50k × 12) the CPU worker threads.
 */
const shapes = [
  { rows: 1, dims: 1, k: 1 },
  { rows: 37, dims: 3, k: 4 },
  { rows: 1000, dims: 5, k: 7 },
  { rows: 3001, dims: 16, k: 8 },
  { rows: 50_000, dims: 12, k: 16 },
];

describe.each(backendCases)('backend $name', ({ make }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  describe.each(shapes)('$rows × $dims, k=$k', ({ rows, dims, k }) => {
    const { matrix } = blobs(rows, dims, k, rows * 31 + dims, 2);
    // Centres that are not the blob centres, so clusters are uneven and some may be empty.
    const centres = new Float32Array(k * dims);
    for (let i = 0; i < centres.length; i++) centres[i] = Math.fround(Math.sin(i * 12.9898) * 8);
    const ref = refLloyd(matrix, centres, k);
    let handle: DatasetHandle;
    beforeAll(async () => {
      handle = await backend.attach(matrix);
    });
    afterAll(async () => {
      await backend.detach(handle);
    });

    test('lloydStep: sums, counts, inertia, changed', async () => {
      await backend.resetLabels(handle);
      const s = await backend.lloydStep(handle, centres, k);
      expect(s.changed).toBe(rows);
      let labelMismatch = 0;
      const a = await backend.assign(handle, centres, k);
      for (let i = 0; i < rows; i++)
        if (a.labels[i] !== ref.labels[i] && !ref.ties.has(i)) labelMismatch++;
      expect(labelMismatch).toBe(0);
      if (ref.ties.size === 0) {
        for (let c = 0; c < k; c++) expect(s.counts[c]).toBe(ref.counts[c]);
        const scale = Math.max(...ref.sums.map(Math.abs), 1);
        for (let o = 0; o < ref.sums.length; o++)
          expect(Math.abs(s.sums[o] - ref.sums[o]) / scale).toBeLessThan(1e-6);
      }
      expect(relativeError(s.inertia, ref.inertia)).toBeLessThan(1e-6);
      // The same centres again: nothing changes.
      const again = await backend.lloydStep(handle, centres, k);
      expect(again.changed).toBe(0);
      expect(relativeError(again.inertia, s.inertia)).toBeLessThan(1e-6);
    });

    test('lloydStep with storeLabels=false leaves stored labels alone', async () => {
      await backend.resetLabels(handle);
      await backend.lloydStep(handle, centres, k, { storeLabels: false });
      const s = await backend.lloydStep(handle, centres, k);
      expect(s.changed).toBe(rows);
    });

    test('assign: labels and squared distances', async () => {
      const a = await backend.assign(handle, centres, k);
      for (let i = 0; i < rows; i++) {
        if (!ref.ties.has(i)) expect(a.labels[i]).toBe(ref.labels[i]);
        expect(Math.abs(a.sqDistances[i] - ref.sq[i])).toBeLessThanOrEqual(1e-5 * (1 + ref.sq[i]));
      }
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
