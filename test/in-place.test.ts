import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, type FitOptions, type FitResult } from '../src/api/fit.js';
import { inPlaceMatrix } from '../src/data/in-place.js';
import { IN_PLACE_MIN_BYTES } from '../src/data/input-memory.js';
import { readTable } from '../src/io/read-table.js';
import { tempDir } from './helpers/cli.js';

// Float32 feature columns of an Arrow file of one record batch are the matrix in place (no copy);
// preprocessing writes to memory of its own. Everything must come out as from a copied matrix.

const ROWS = 80_000; // 4 columns of 4·ROWS bytes: past IN_PLACE_MIN_BYTES, and 4·ROWS a multiple of 8
const FEATURES = ['a', 'b', 'c', 'd'];

function features(nan?: { column: string; row: number; value: number }): Table {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  // An id column before the features: the matrix starts at a byte offset of the file's memory.
  const columns: Record<string, Float32Array | Int32Array> = {
    id: Int32Array.from({ length: ROWS }, (_, i) => 1_000_000 + i),
  };
  FEATURES.forEach((name, j) => {
    const col = new Float32Array(ROWS);
    for (let i = 0; i < ROWS; i++) col[i] = (i % 5) * (j + 1) * 3 + next() * (j + 2) + 1;
    columns[name] = col;
  });
  if (nan) columns[nan.column][nan.row] = nan.value;
  return tableFromArrays(columns);
}

/** The table written as an Arrow IPC file of one batch: its path. */
function written(table: Table): string {
  const path = join(tempDir(), 'features.arrow');
  writeFileSync(path, tableToIPC(table, 'file'));
  return path;
}

/** The same values in ordinary memory (not an input memory): the matrix is copied. */
function copied(table: Table): Table {
  return tableFromIPC(tableToIPC(table, 'file'));
}

function columnsOf(table: Table): (Float32Array | Int32Array)[] {
  return ['id', ...FEATURES].map((name) =>
    (table.getChild(name)!.data[0].values as Float32Array | Int32Array).slice(),
  );
}

function expectSameFit(a: FitResult, b: FitResult): void {
  expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  expect(Array.from(a.model.centres.flat())).toEqual(Array.from(b.model.centres.flat()));
  expect(a.stats.inertia).toBe(b.stats.inertia);
  expect(Array.from(a.distances!)).toEqual(Array.from(b.distances!));
}

const base: FitOptions = { k: 4, seed: 3, nInit: 2, maxIter: 20, backend: 'cpu', id: 'id' };

describe('float32 columns read in place', () => {
  test('a one-batch file read for a fit is the matrix where the file put it, its bytes unmoved; a caller’s table read by gpuseg too', async () => {
    const source = features();
    const path = written(source);
    expect(4 * ROWS * (FEATURES.length + 1)).toBeGreaterThan(IN_PLACE_MIN_BYTES);
    const r = await fit(path, { ...base, scale: 'none' });
    expect(r.data.matrix.borrowed).toBe(true);
    const a = r.data.table.getChild('a')!.data[0].values as Float32Array;
    // The id column comes first: the matrix lies after it, at the first feature's own bytes.
    expect(a.byteOffset).toBeGreaterThan(0);
    expect(r.data.matrix.data.buffer).toBe(a.buffer);
    expect(r.data.matrix.data.byteOffset).toBe(a.byteOffset);
    // Every column of the table (the id before the features too) reads as written.
    expect(columnsOf(r.data.table)).toEqual(columnsOf(source));
    expect(Array.from(r.assignments.getChild('id')!.toArray() as Int32Array)).toEqual(
      Array.from(source.getChild('id')!.toArray() as Int32Array),
    );
    const callers = await readTable(path);
    const before = callers.getChild('a')!.data[0].values as Float32Array;
    const matrix = inPlaceMatrix(callers, FEATURES);
    expect(matrix?.borrowed).toBe(true);
    expect(matrix?.data.byteOffset).toBe(before.byteOffset);
    expect(callers.getChild('a')!.data[0].values).toBe(before);
    // Ordinary memory (not an input memory): copied.
    expect(inPlaceMatrix(copied(source), FEATURES)).toBeUndefined();
    // Out of the features' order, the columns are not one column-major block.
    expect(inPlaceMatrix(await readTable(path), ['b', 'a', 'c', 'd'])).toBeUndefined();
  });

  test.each<[string, Partial<FitOptions>]>([
    ['no scaling', { scale: 'none' }],
    ['standard scaling and a log', { scale: 'standard', log: ['b'] }],
    ['robust scaling, clipping and PCA', { scale: 'robust', clip: 'iqr', pca: 3 }],
  ])('%s: the same fit in place as from a copy', async (_name, prep) => {
    const source = features();
    const inPlace = await fit(written(source), { ...base, ...prep });
    const reference = await fit(copied(source), { ...base, ...prep });
    expectSameFit(inPlace, reference);
    const borrowed = inPlace.data.matrix.borrowed === true;
    // Only an unchanged matrix is the table's memory; a transformed one is gpuseg's own.
    expect(borrowed).toBe(prep.scale === 'none');
    expect(columnsOf(inPlace.data.table)).toEqual(columnsOf(source));
  });

  test('a caller’s table read by gpuseg is unchanged by a fit with scaling', async () => {
    const table = await readTable(written(features()));
    const before = columnsOf(table);
    const views = table.getChild('a')!.data[0].values;
    const r = await fit(table, { ...base, scale: 'standard', log: ['c'], clip: 'iqr' });
    const reference = await fit(copied(table), {
      ...base,
      scale: 'standard',
      log: ['c'],
      clip: 'iqr',
    });
    expectSameFit(r, reference);
    expect(columnsOf(table)).toEqual(before);
    expect(table.getChild('a')!.data[0].values).toBe(views);
  });

  test('profile means equal a direct computation over the input', async () => {
    const source = features();
    const r = await fit(written(source), { ...base, scale: 'none' });
    const k = r.model.k;
    FEATURES.forEach((name, j) => {
      const values = source.getChild(name)!.toArray() as Float32Array;
      const sums = new Float64Array(k);
      const counts = new Float64Array(k);
      let total = 0;
      for (let i = 0; i < ROWS; i++) {
        sums[r.labels[i]] += values[i];
        counts[r.labels[i]]++;
        total += values[i];
      }
      for (let s = 0; s < k; s++) {
        expect(r.profiles.segments[s].size).toBe(counts[s]);
        expect(r.profiles.segments[s].columns[j].mean).toBe(sums[s] / counts[s]);
      }
      expect(r.profiles.population[j].mean).toBeCloseTo(total / ROWS, 10);
      let ss = 0;
      for (let i = 0; i < ROWS; i++) ss += (values[i] - total / ROWS) ** 2;
      expect(r.profiles.population[j].std).toBeCloseTo(Math.sqrt(ss / ROWS), 9);
    });
  });

  test.each([
    [Number.NaN, /column 'c' has 1 missing \(null or NaN\) value, first at row 4321;/],
    [Infinity, /column 'c' has 1 infinite value, first at row 4321;/],
    [-3e19, /column 'c' has a value of 3\.000e\+19 in magnitude at row 4321,/],
  ])('a bad value (%s) in a column read in place is named with its row', async (value, error) => {
    const path = written(features({ column: 'c', row: 4321, value }));
    expect(inPlaceMatrix(await readTable(path), FEATURES)).toBeDefined();
    await expect(fit(path, { ...base, scale: 'none' })).rejects.toThrow(error);
  });
});
