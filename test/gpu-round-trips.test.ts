import { describe, expect, test } from 'vitest';
import { CANDIDATE_SET_MULTIPLE, kmeansParallel } from '../src/algo/kmeans-init.js';
import type { Backend, GmmSummary } from '../src/backend/backend.js';
import { gmmOutputs, gmmRowStride } from '../src/backend/gpu/gmm-dispatch.js';
import { GpuBackend, type GpuBackendOptions } from '../src/backend/gpu/gpu-backend.js';
import { readbackTotals } from '../src/backend/gpu/gpu-buffers.js';
import { Rng } from '../src/util/rng.js';
import { backendCases, hasGpu } from './helpers/backends.js';
import { randomGmmParams } from './helpers/gmm-check.js';
import { blobs } from './helpers/reference.js';

/**
 * What the GPU backend moves between device and host for seeding and EM, counted at readBack
 * (gpu-buffers.ts): each readback is a round trip to the device, and on a real GPU these round
 * trips and any per-row readback, not the kernels, are what k-means‖ seeding cost (615 ms at
 * 10M rows on an H200 against 3.5 ms a Lloyd iteration).
 */
function counted<T>(body: () => Promise<T>): Promise<{ value: T; count: number; bytes: number }> {
  const before = { ...readbackTotals };
  return body().then((value) => ({
    value,
    count: readbackTotals.count - before.count,
    bytes: readbackTotals.bytes - before.bytes,
  }));
}

const gpuCases = backendCases.filter((b) => b.name.startsWith('gpu'));

describe.skipIf(!hasGpu).each(gpuCases)('round trips on backend $name', ({ name, make }) => {
  test('k-means|| reads back once per pass, and never a value per row', async () => {
    const rows = 40_000;
    const { matrix } = blobs(rows, 5, 12, 5, 0.6);
    const backend = await make();
    try {
      const handle = await backend.attach(matrix);
      const {
        value: seeding,
        count,
        bytes,
      } = await counted(() => kmeansParallel(backend, handle, 12, new Rng(1)));
      // One per pass: the draw's count and rows come back together (two round trips before), and
      // the candidates' weights are a Lloyd step's counts, not every row's label and distance
      // (one readback per chunk and array before: 8 bytes a row).
      expect(count).toBe(seeding.passes);
      // Block sums (4 bytes per 256 rows) per distance pass, 16 KiB per draw, the counting
      // step's summary per chunk: far below one byte a row with one chunk.
      if (name === 'gpu') expect(bytes).toBeLessThan(rows);
    } finally {
      await backend.dispose();
    }
  });

  test('k-means|| seeds as with weights counted from an assignment, in few compiled shapes', async () => {
    // The weights as before: every row's label from an assignment against the m candidates
    // proper (the repeats of the last one that make up the set stripped), counted on the host.
    const { matrix } = blobs(30_000, 4, 8, 11, 1.5);
    const backend = await make();
    try {
      const handle = await backend.attach(matrix);
      const setSizes: number[] = [];
      const byAssignment: Backend = Object.create(backend) as Backend;
      byAssignment.lloydStep = async (h, centres, k) => {
        setSizes.push(k);
        const d = h.dims;
        let m = k;
        const same = (a: number, b: number) =>
          centres.subarray(a * d, a * d + d).every((v, j) => Object.is(v, centres[b * d + j]));
        while (m > 1 && same(m - 1, m - 2)) m--;
        const { labels } = await backend.assign(h, centres.slice(0, m * d), m);
        const counts = new Float64Array(k);
        for (const l of labels) counts[l]++;
        return { sums: new Float64Array(k * d), counts, inertia: 0, changed: 0 };
      };
      for (let seed = 1; seed <= 3; seed++) {
        const counted = await kmeansParallel(backend, handle, 8, new Rng(seed));
        const reference = await kmeansParallel(byAssignment, handle, 8, new Rng(seed));
        expect(counted.centres).toEqual(reference.centres);
        expect(counted.potential).toBe(reference.potential);
      }
      expect(setSizes.every((k) => k % CANDIDATE_SET_MULTIPLE === 0)).toBe(true);
    } finally {
      await backend.dispose();
    }
  });

  test('an E-step reads back its summary once, whatever the rows', async () => {
    const rows = 5000;
    const { matrix } = blobs(rows, 6, 4, 3, 1);
    const backend = await make();
    try {
      const handle = await backend.attach(matrix);
      for (const form of ['diag', 'full'] as const) {
        const params = randomGmmParams(form, 4, 6, 9);
        const { count, bytes } = await counted(() => backend.gmmStep(handle, params));
        const chunks = name === 'gpu' ? 1 : Math.ceil(rows / (name.includes('512') ? 512 : 768));
        expect(count).toBe(1);
        expect(bytes).toBe(chunks * gmmOutputs(form, 4, 6) * 8);
      }
    } finally {
      await backend.dispose();
    }
  });
});

describe.skipIf(!hasGpu)('the E-step with its rows staged in workgroup memory', () => {
  test('is the default where they fit, and not where they do not', () => {
    // WG = 64 rows, padded to 65: 8 × 64 responsibilities + 128 reduction pairs + 16 × 65 values.
    expect(gmmRowStride(8, 16, true, 16_384)).toBe(65);
    expect(gmmRowStride(8, 16, false, 16_384)).toBe(0);
    expect(gmmRowStride(8, 200, true, 16_384)).toBe(0);
    expect(gmmRowStride(60, 16, true, 16_384)).toBe(0);
  });

  const shapes = [
    // A last tile of 15 rows; 512-row chunks when chunked.
    { rows: 9_999, dims: 13, k: 6 },
    // Past 1024 tiles of 64 rows: workgroups walk several tiles.
    { rows: 70_003, dims: 3, k: 3 },
  ];
  const configurations: Partial<GpuBackendOptions>[] = [{}, { maxChunkRows: 512 }];

  test.each(shapes)(
    'gives the bits of the unstaged kernel: $rows × $dims, k=$k',
    async ({ rows, dims, k }) => {
      const { matrix } = blobs(rows, dims, k, rows + dims, 2);
      for (const options of configurations) {
        const summaries: GmmSummary[][] = [];
        for (const stageGmmRows of [true, false]) {
          const backend = await GpuBackend.create({
            allowFallback: true,
            ...options,
            stageGmmRows,
          });
          try {
            const handle = await backend.attach(matrix);
            const out: GmmSummary[] = [];
            for (const form of ['diag', 'full'] as const)
              out.push(await backend.gmmStep(handle, randomGmmParams(form, k, dims, rows + k)));
            summaries.push(out);
          } finally {
            await backend.dispose();
          }
        }
        expect(summaries[0][0].nk[0]).toBeGreaterThan(0);
        expect(summaries[0]).toEqual(summaries[1]);
      }
    },
  );
});
