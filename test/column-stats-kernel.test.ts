import { expect, test } from 'vitest';
import { allocateMatrix } from '../src/data/matrix.js';
import { kernelColumnStats, loadColumnStatsKernel } from '../src/prep/column-stats-kernel.js';
import { meanAndStd } from '../src/prep/stats.js';
import { kernelAllColumnStats, columnStatsModule } from '../src/data/column-stats-kernel.js';
import { sharedColumnStats, type StatsKernel } from '../src/data/column-share.js';

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

/**
 * A large matrix's columns are shared between this thread and the helper thread
 * (data/column-share.ts), each column computed whole by one of them with the same kernel:
 * the same bits as meanAndStd, and the helper did take columns (a first job may find it still
 * starting, and this thread then takes them all: a few tries).
 */
test('column statistics shared with the helper thread equal meanAndStd bit for bit', async () => {
  await loadColumnStatsKernel();
  const rows = 700_001;
  const dims = 8;
  const m = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_c, j) => `c${j}`),
  );
  for (let j = 0; j < dims; j++)
    for (let i = 0; i < rows; i++)
      m.data[j * rows + i] = (i + j) % 13 === 0 ? Number.NaN : Math.sin(i * (j + 1)) * 10 ** j;
  const offsets = Array.from({ length: dims }, (_c, j) => j * rows * 4);
  const exports = new WebAssembly.Instance(await columnStatsModule(), {
    env: { mem: m.kernelMemory!.memory },
  }).exports as unknown as StatsKernel;
  let helped = 0;
  for (let attempt = 0; attempt < 20 && helped === 0; attempt++) {
    const shared = sharedColumnStats(m.kernelMemory!.memory, exports, offsets, rows);
    expect(shared).toBeDefined();
    helped = shared!.helped;
    for (let j = 0; j < dims; j++) {
      const js = meanAndStd(m.data.subarray(j * rows, (j + 1) * rows));
      const [count, mean, ss, min, max] = shared!.results.subarray(j * 5, j * 5 + 5);
      expect([j, { count, mean, std: Math.sqrt(ss / count), min, max }]).toEqual([j, js]);
    }
    if (helped === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(helped).toBeGreaterThan(0);
  // And through the statistics every caller uses: the same bits.
  const all = kernelAllColumnStats(m)!;
  all.forEach((s, j) => expect(s).toEqual(meanAndStd(m.data.subarray(j * rows, (j + 1) * rows))));
});

/**
 * The kernel does four columns at once (two to a float64x2 vector, each lane one column's loop):
 * every column count (short groups repeat their last column) and every row count modulo four
 * (the rows after the last four), over NaN, ±0, infinities, a column all NaN and a constant, give
 * meanAndStd's bits.
 */
test('column statistics four columns at a time equal meanAndStd bit for bit', async () => {
  await loadColumnStatsKernel();
  const kinds: ((i: number) => number)[] = [
    (i) => Math.sin(i) * 1000 + 1e6,
    (i) => (i % 7 === 3 ? Number.NaN : Math.cos(i * 0.3)),
    (i) => (i % 2 ? Number('-0') : 0),
    () => Number.NaN,
    (i) => (i === 5 ? Number.POSITIVE_INFINITY : Math.fround(i * 1e-3) - 17),
    () => -2.5,
    (i) => (i % 3 === 0 ? Number.NEGATIVE_INFINITY : i),
    (i) => (i % 5 ? Math.tan(i) : Number.NaN),
    (i) => 1e30 * Math.sin(i * 7),
  ];
  for (let dims = 1; dims <= kinds.length; dims++)
    for (const rows of [1, 2, 3, 4, 65_536 * 2 + 5, 70_003]) {
      const m = allocateMatrix(
        rows,
        kinds.slice(0, dims).map((_c, j) => `c${j}`),
      );
      for (let j = 0; j < dims; j++)
        for (let i = 0; i < rows; i++) m.data[j * rows + i] = kinds[j](i);
      const all = kernelAllColumnStats(m);
      expect(all).toBeDefined(); // the kernel ran, not the fallback
      all!.forEach((s, j) =>
        expect([dims, rows, j, s]).toEqual([
          dims,
          rows,
          j,
          meanAndStd(m.data.subarray(j * rows, (j + 1) * rows)),
        ]),
      );
    }
});
