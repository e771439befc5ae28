import { describe, expect, test } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { blobs, relativeError } from './helpers/reference.js';

/**
 * The CPU backend's bounded Lloyd steps (Hamerly's bounds, sums kept up to date by the rows that
 * move) against plain full steps (the JavaScript kernels, which never skip), step by step: the
 * same changed counts, counts, sums and inertia, through ordinary updates, a centre that jumps far
 * (as an empty-cluster repair makes one), two centres that coincide (ties), and assignment passes
 * in between.
 */
describe.each([
  { rows: 3000, dims: 3, k: 5, threads: 1 },
  { rows: 80_000, dims: 7, k: 9, threads: 2 }, // past the inline limit: on the worker threads
])('$rows × $dims, k=$k', ({ rows, dims, k, threads }) => {
  test('bounded steps match full steps', async () => {
    const { matrix } = blobs(rows, dims, k, rows + dims, 2.5);
    const bounded = new CpuBackend(threads, true);
    const boundedJs = new CpuBackend(threads, true);
    const plain = new CpuBackend(threads, false);
    const hb = await bounded.attach(matrix);
    // A second attachment gets its own per-row arrays outside the matrix's kernel memory, so its
    // bounded steps run the JavaScript kernel: the WebAssembly one (wasm-bounded.ts) must match it
    // bit for bit.
    const hj = await boundedJs.attach(matrix);
    const hp = await plain.attach(matrix);
    let centres = new Float32Array(k * dims);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < dims; j++) centres[c * dims + j] = matrix.data[j * rows + c * 13];
    for (let step = 0; step < 26; step++) {
      if (step === 5) for (let j = 0; j < dims; j++) centres[2 * dims + j] = 50; // a jump far away
      if (step === 8) centres.copyWithin(3 * dims, 4 * dims, 5 * dims); // centres 3 and 4 coincide
      // Assignment passes in between (as empty-cluster repairs make) write over the bounds' bytes
      // (matrix.ts): the next step must not trust them.
      if (step === 3)
        for (const [be, h] of [
          [bounded, hb],
          [boundedJs, hj],
        ] as const)
          await be.assign(
            h,
            centres.map((v) => v + 7),
            k,
          );
      if (step === 6)
        for (const [be, h] of [
          [bounded, hb],
          [boundedJs, hj],
        ] as const)
          await be.lloydStep(
            h,
            centres.map((v) => v - 5),
            k,
            { storeLabels: false },
          );
      const a = await bounded.lloydStep(hb, centres, k);
      const j = await boundedJs.lloydStep(hj, centres, k);
      const b = await plain.lloydStep(hp, centres, k);
      expect([step, j.changed, Array.from(j.counts), Array.from(j.sums), j.inertia]).toEqual([
        step,
        a.changed,
        Array.from(a.counts),
        Array.from(a.sums),
        a.inertia,
      ]);
      expect(a.changed).toBe(b.changed);
      expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
      for (let o = 0; o < a.sums.length; o++)
        expect(Math.abs(a.sums[o] - b.sums[o])).toBeLessThan(1e-9 * (1 + Math.abs(b.sums[o])));
      expect(relativeError(a.inertia, b.inertia)).toBeLessThan(1e-6);
      const next = new Float32Array(k * dims);
      for (let c = 0; c < k; c++)
        for (let j = 0; j < dims; j++)
          next[c * dims + j] =
            b.counts[c] > 0 ? b.sums[c * dims + j] / b.counts[c] : centres[c * dims + j];
      centres = next;
    }
    // Most steps away from the events above are bounded ones (on the WebAssembly kernel and on
    // the JavaScript one alike), so that the comparison is of bounded steps.
    expect(bounded.boundedSteps).toBeGreaterThanOrEqual(6);
    expect(boundedJs.boundedSteps).toBe(bounded.boundedSteps);
    // And the labels themselves agree.
    const la = await bounded.assign(hb, centres, k);
    const lp = await plain.assign(hp, centres, k);
    expect(Array.from(la.labels)).toEqual(Array.from(lp.labels));
    await bounded.dispose();
    await boundedJs.dispose();
    await plain.dispose();
  });
});
