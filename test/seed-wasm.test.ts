import { describe, expect, test } from 'vitest';
import { kmeansParallel, kmeansPlusPlus } from '../src/algo/kmeans-init.js';
import { SEED_BLOCK_ROWS } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { Rng } from '../src/util/rng.js';
import { blobs } from './helpers/reference.js';

/**
 * The SIMD seeding kernels (src/backend/cpu/wasm-seed.ts) against the JavaScript ones, which the
 * GPU-less inline path of a matrix outside a kernel memory still runs: the same bits, since a
 * seeding that depended on the path would make a fit depend on the thread count. Row counts that
 * are not a multiple of four (the rows after the last quad), one feature, an odd number, and
 * enough features that the candidates go to the kernel in several batches; inline (one thread)
 * and on the workers.
 */
describe.each([
  { rows: 1001, dims: 1, threads: 1 },
  { rows: 4099, dims: 7, threads: 1 },
  { rows: 70_003, dims: 16, threads: 2 },
  { rows: 9_002, dims: 200, threads: 1 },
])('$rows × $dims, $threads thread(s)', ({ rows, dims, threads }) => {
  test('min distances, block sums, potentials and whole seedings are bit for bit the JavaScript ones', async () => {
    const { matrix } = blobs(rows, dims, 6, rows * 7 + dims, 3);
    expect(matrix.kernelMemory).toBeDefined(); // the SIMD kernels work in place, or not at all
    const simd = new CpuBackend(threads, true);
    const plain = new CpuBackend(threads, false);
    const hs = await simd.attach(matrix);
    const hp = await plain.attach(matrix);
    const row = (i: number) =>
      Float32Array.from({ length: dims }, (_, j) => matrix.data[j * rows + i]);
    const many = new Float32Array(120 * dims); // > one batch at 200 features
    for (let c = 0; c < 120; c++)
      many.set(
        row((c * 37) % rows).map((v, j) => v + (c % 3) - j * 0.01),
        c * dims,
      );

    expect(Array.from(await simd.seedReset(hs, row(3), 1))).toEqual(
      Array.from(await plain.seedReset(hp, row(3), 1)),
    );
    expect(Array.from(await simd.seedUpdate(hs, many, 120))).toEqual(
      Array.from(await plain.seedUpdate(hp, many, 120)),
    );
    expect(Array.from(await simd.seedPotentials(hs, many, 120))).toEqual(
      Array.from(await plain.seedPotentials(hp, many, 120)),
    );
    const last = Math.floor((rows - 1) / SEED_BLOCK_ROWS) * SEED_BLOCK_ROWS;
    expect(Array.from(await simd.seedReadMinDist(hs, last, rows - last))).toEqual(
      Array.from(await plain.seedReadMinDist(hp, last, rows - last)),
    );
    expect(Array.from(await simd.seedReset(hs, many.subarray(0, 5 * dims), 5))).toEqual(
      Array.from(await plain.seedReset(hp, many.subarray(0, 5 * dims), 5)),
    );

    const a = await kmeansPlusPlus(simd, hs, 6, new Rng(9));
    const b = await kmeansPlusPlus(plain, hp, 6, new Rng(9));
    expect(Array.from(a.centres)).toEqual(Array.from(b.centres));
    expect(a.potential).toBe(b.potential);
    const p = await kmeansParallel(simd, hs, 6, new Rng(10));
    const q = await kmeansParallel(plain, hp, 6, new Rng(10));
    expect(Array.from(p.centres)).toEqual(Array.from(q.centres));
    expect(p.potential).toBe(q.potential);
    await simd.detach(hs);
    await plain.detach(hp);
    await simd.dispose();
    await plain.dispose();
  });
});
