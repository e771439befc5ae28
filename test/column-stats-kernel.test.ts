import { expect, test } from 'vitest';
import { allocateMatrix } from '../src/data/matrix.js';
import { kernelColumnStats, loadColumnStatsKernel } from '../src/prep/column-stats-kernel.js';
import { meanAndStd } from '../src/prep/stats.js';

/**
 * The column-statistics kernel gives meanAndStd's bits (the same float64 operations in the same
 * order), so whether a fit had it loaded changes nothing but time: columns with NaN, ±0, a
 * constant, all NaN, large offsets, and an odd length.
 */
test('the WebAssembly column statistics equal meanAndStd bit for bit', async () => {
  await loadColumnStatsKernel();
  const rows = 100_003;
  const columns: ((i: number) => number)[] = [
    (i) => Math.sin(i) * 1000 + 1e6,
    (i) => (i % 7 === 0 ? Number.NaN : Math.cos(i * 0.3)),
    () => 4.25,
    () => Number.NaN,
    (i) => (i % 2 ? Number('-0') : 0), // (a literal -0 does not survive the test transform)
    (i) => Math.fround(i * 1e-3) - 17,
  ];
  const m = allocateMatrix(
    rows,
    columns.map((_c, j) => `c${j}`),
  );
  expect(m.kernelMemory).toBeDefined();
  columns.forEach((f, j) => {
    for (let i = 0; i < rows; i++) m.data[j * rows + i] = f(i);
  });
  columns.forEach((_f, j) => {
    const kernel = kernelColumnStats(m, j);
    expect(kernel).toBeDefined(); // the kernel ran, not the fallback
    const js = meanAndStd(m.data.subarray(j * rows, (j + 1) * rows));
    expect([j, kernel]).toEqual([j, js]);
  });
});
