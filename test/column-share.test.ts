import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float32, Table, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { expect, test } from 'vitest';
import { featureMatrix } from '../src/api/input.js';
import { columnsDoneByHelper, sharedRowSample } from '../src/data/column-share.js';
import { allocateMatrix } from '../src/data/matrix.js';
import { loadColumnStatsKernel, matrixColumnStats } from '../src/data/column-stats-kernel.js';
import { meanAndStd } from '../src/data/mean-std.js';
import { readTable } from '../src/io/read-table.js';
import { tempDir } from './helpers/cli.js';

// A file of many record batches is copied into the matrix (its columns are not contiguous), the
// float32 columns by this thread and the column helper thread together (data/column-share.ts);
// a column with nulls and an integer column are converted here as before. Large enough for the
// helper to be asked (4M values and more).

const ROWS = 330_000;
const BATCH = 50_000;
const DIMS = 14;

function batchOf(first: number, n: number): Table {
  const columns: Record<string, ReturnType<typeof makeVector>> = {};
  for (let j = 0; j < DIMS; j++)
    columns[`f${j}`] = makeVector(
      Float32Array.from({ length: n }, (_v, i) => (((first + i) * (j + 7)) % 1009) / (j + 1)),
    );
  columns.count = makeVector(Int32Array.from({ length: n }, (_v, i) => (first + i) % 97));
  columns.gappy = vectorFromArray(
    Array.from({ length: n }, (_v, i) => ((first + i) % 1000 === 7 ? null : (first + i) / 3)),
    new Float32(),
  );
  return new Table(columns);
}

test('a file of many batches is copied into the matrix by two threads, value for value', async () => {
  await loadColumnStatsKernel();
  const batches = [];
  for (let first = 0; first < ROWS; first += BATCH)
    batches.push(...batchOf(first, Math.min(BATCH, ROWS - first)).batches);
  const table = new Table(batches);
  expect(table.batches.length).toBeGreaterThan(1);
  const path = join(tempDir(), 'batches.arrow');
  writeFileSync(path, tableToIPC(table, 'file'));
  const names = [...Array.from({ length: DIMS }, (_v, j) => `f${j}`), 'count', 'gappy'];
  // What each column holds, from the source values (nulls as NaN).
  const expected = names.map((name, j) =>
    Float32Array.from({ length: ROWS }, (_v, i) =>
      j < DIMS
        ? ((i * (j + 7)) % 1009) / (j + 1)
        : name === 'count'
          ? i % 97
          : i % 1000 === 7
            ? Number.NaN
            : i / 3,
    ),
  );
  const expectedStats = expected.map((values) => meanAndStd(values));
  let helped = 0;
  let attempts = 0;
  for (let attempt = 0; attempt < 20 && helped === 0; attempt++) {
    const before = columnsDoneByHelper();
    const read = await readTable(path);
    const { matrix } = featureMatrix(read, { features: names }, { allowMissing: true });
    helped = columnsDoneByHelper() - before;
    attempts++;
    names.forEach((name, j) => {
      const got = matrix.data.subarray(j * ROWS, (j + 1) * ROWS);
      expect([
        name,
        Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(
          Buffer.from(expected[j].buffer),
        ),
      ]).toEqual([name, true]);
      expect(matrixColumnStats(matrix, j)).toEqual(expectedStats[j]);
    });
    if (helped === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect([attempts, helped > 0]).toEqual([attempts, true]);
});

/**
 * The correlation report's row sample (evenly spaced rows, prep/preprocess.ts) gathered by this
 * thread and the helper, a column each at a time: the values at rows ⌊s · rows / samples⌋, and
 * the helper did take columns.
 */
test('a row sample of a large matrix is gathered by two threads, value for value', async () => {
  await loadColumnStatsKernel();
  const rows = 700_003;
  const dims = 7;
  const samples = 20_000;
  const m = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_c, j) => `c${j}`),
  );
  for (let i = 0; i < rows * dims; i++) m.data[i] = (i % 10_007) - i / rows;
  let helped = 0;
  for (let attempt = 0; attempt < 20 && helped === 0; attempt++) {
    const before = columnsDoneByHelper();
    const sample = sharedRowSample(m.data, rows, dims, samples);
    helped = columnsDoneByHelper() - before;
    expect(sample?.length).toBe(samples * dims);
    for (let j = 0; j < dims; j++) {
      const want = Float32Array.from(
        { length: samples },
        (_v, s) => m.data[j * rows + Math.floor((s * rows) / samples)],
      );
      const got = sample!.subarray(j * samples, (j + 1) * samples);
      expect([
        j,
        Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer)),
      ]).toEqual([j, true]);
    }
  }
  expect(helped).toBeGreaterThan(0);
});
