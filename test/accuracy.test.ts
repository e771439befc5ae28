import { describe, expect, test } from 'vitest';
import { allocateMatrix } from '../src/data/matrix.js';
import { backendCases } from './helpers/backends.js';

/**
 * Accumulation accuracy at scale. 4M rows of values near 0.1 in one cluster: a plain float32
 * running sum drifts by about 1e-3 relative (each add rounds at the sum's magnitude); the kernels
 * keep float32 sums short (a tile of rows) and join them with error-free TwoSum pairs merged in
 * float64, so the sums stay within float32 rounding of a single value. At N = 100M the plain sum
 * would be off by whole percents; this test would catch the kernel drifting.
 */
const rows = 1 << 22;

function naiveFloat32Sum(values: Float32Array): number {
  let s = Math.fround(0);
  for (let i = 0; i < values.length; i++) s = Math.fround(s + values[i]);
  return s;
}

describe.each(
  backendCases.filter((b) => ['cpu', 'gpu', 'gpu (chunked, 512 rows)'].includes(b.name)),
)('backend $name', ({ make }) => {
  test('sums and inertia of 4M rows stay exact to float32 rounding', async () => {
    const m = allocateMatrix(rows, ['a', 'b']);
    for (let i = 0; i < rows; i++) {
      m.data[i] = Math.fround(0.1 + ((i % 1000) - 500) * 1e-6);
      m.data[rows + i] = Math.fround(-3 + ((i % 777) - 388) * 1e-5);
    }
    let exactA = 0;
    let exactB = 0;
    let exactInertia = 0;
    const centre = Float32Array.from([0.1, -3]);
    for (let i = 0; i < rows; i++) {
      exactA += m.data[i];
      exactB += m.data[rows + i];
      exactInertia += (m.data[i] - centre[0]) ** 2 + (m.data[rows + i] - centre[1]) ** 2;
    }
    // The drift the test is there to catch.
    expect(Math.abs(naiveFloat32Sum(m.data.subarray(0, rows)) - exactA) / exactA).toBeGreaterThan(
      1e-4,
    );
    const backend = await make();
    try {
      const handle = await backend.attach(m);
      const s = await backend.lloydStep(handle, centre, 1);
      expect(s.counts[0]).toBe(rows);
      expect(Math.abs(s.sums[0] - exactA) / Math.abs(exactA)).toBeLessThan(1e-7);
      expect(Math.abs(s.sums[1] - exactB) / Math.abs(exactB)).toBeLessThan(1e-7);
      expect(Math.abs(s.inertia - exactInertia) / exactInertia).toBeLessThan(1e-5);
    } finally {
      await backend.dispose();
    }
  });
});
