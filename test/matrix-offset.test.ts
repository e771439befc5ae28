import { describe, expect, test } from 'vitest';
import { kmeansPlusPlus } from '../src/algo/kmeans-init.js';
import type { Backend, DatasetHandle } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { allocateInputBytes, inputKernelMemory } from '../src/data/input-memory.js';
import type { DataMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { randomGmmParams } from './helpers/gmm-check.js';
import { blobs } from './helpers/reference.js';

/**
 * The CPU backend's SIMD kernels (Lloyd, bounded steps, seeding, the diagonal GMM E-step) on a
 * matrix that lies at a byte offset of its WebAssembly memory, as a one-batch Arrow file's columns
 * lie after its header (data/in-place.ts), against the same values at offset 0: the same bits.
 * The bytes before the matrix hold huge values, so a kernel that read from offset 0 (or from a
 * wrong base) would see other rows and give other results. The offset is a multiple of 4 but not
 * of 16 (the kernels' vector loads need no alignment).
 */
const OFFSET = 4 * 1001;

/** The matrix's values copied to byte OFFSET of an input memory, as the file reader lays them. */
function atOffset(m: DataMatrix): DataMatrix {
  const size = OFFSET + m.rows * m.dims * 4;
  const bytes = allocateInputBytes(size);
  new Float32Array(bytes.buffer, 0, OFFSET / 4).fill(3e18);
  const data = new Float32Array(bytes.buffer, OFFSET, m.rows * m.dims);
  data.set(m.data);
  const kernelMemory = inputKernelMemory(bytes.buffer, m.rows);
  expect(kernelMemory).toBeDefined(); // the kernels work in place, not on a copy
  return { ...m, data, kernelMemory, borrowed: true };
}

describe.each([
  { rows: 60_001, dims: 5, k: 6, threads: 1 }, // past IN_PLACE_MIN_BYTES, inline
  // Past the inline limit: on the worker threads (and the SIMD E-step, which runs only there).
  { rows: 120_003, dims: 6, k: 7, threads: 2 },
])('$rows × $dims, k=$k, $threads thread(s)', ({ rows, dims, k, threads }) => {
  test('seeding, Lloyd and bounded steps and the GMM E-step match the matrix at offset 0', async () => {
    const { matrix } = blobs(rows, dims, k, rows + dims, 2);
    const shifted = atOffset(matrix);
    expect(shifted.data.byteOffset).toBe(OFFSET);
    const a = new CpuBackend(threads, true);
    const b = new CpuBackend(threads, true);
    try {
      const ha = await a.attach(matrix);
      const hb = await b.attach(shifted);
      const both = async <T>(run: (be: Backend, h: DatasetHandle) => Promise<T>): Promise<T[]> => [
        await run(a, ha),
        await run(b, hb),
      ];

      const [sa, sb] = await both((be, h) => kmeansPlusPlus(be, h, k, new Rng(5)));
      expect(Array.from(sb.centres)).toEqual(Array.from(sa.centres));
      expect(sb.potential).toBe(sa.potential);

      let centres = sa.centres;
      for (let step = 0; step < 12; step++) {
        const [x, y] = await both((be, h) => be.lloydStep(h, centres, k));
        expect([step, y.changed, Array.from(y.counts), Array.from(y.sums), y.inertia]).toEqual([
          step,
          x.changed,
          Array.from(x.counts),
          Array.from(x.sums),
          x.inertia,
        ]);
        const next = new Float32Array(k * dims);
        for (let c = 0; c < k; c++)
          for (let j = 0; j < dims; j++)
            next[c * dims + j] = x.counts[c] > 0 ? x.sums[c * dims + j] / x.counts[c] : 0;
        centres = next;
      }
      // The comparison covered bounded steps (wasm-bounded.ts), not only full passes.
      expect(b.boundedSteps).toBeGreaterThan(0);
      const [assignA, assignB] = await both((be, h) => be.assign(h, centres, k));
      expect(Array.from(assignB.labels)).toEqual(Array.from(assignA.labels));
      expect(Array.from(assignB.sqDistances)).toEqual(Array.from(assignA.sqDistances));

      const params = randomGmmParams('diag', k, dims, rows + k);
      const [ga, gb] = await both((be, h) => be.gmmStep(h, params));
      expect(gb).toEqual(ga);
      const [pa, pb] = await both((be, h) => be.gmmAssign(h, params, { probabilities: true }));
      expect(pb).toEqual(pa);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
