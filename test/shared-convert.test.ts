import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bool,
  Float32,
  Float64,
  Int32,
  Table,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { expect, test } from 'vitest';
import { featureMatrix } from '../src/api/input.js';
import { columnsDoneByHelper } from '../src/data/column-share.js';
import { loadColumnStatsKernel } from '../src/data/column-stats-kernel.js';
import { tableToMatrix, type ColumnProblems } from '../src/data/to-matrix.js';
import { emptyProblems } from '../src/data/convert-chunk.js';
import { fit, InputError } from '../src/index.js';
import { readTable } from '../src/io/read-table.js';
import { tempDir } from './helpers/cli.js';

// Columns other than plain float32 (float64, integers, nulls) of a file read into shared memory
// are converted into the matrix by this thread and the column helper together
// (data/shared-convert.ts). What each column must hold is computed here from the source values
// (Math.fround: float64 rounded to float32 to nearest; nulls as NaN), and what is wrong in it by a
// plain scan here; the run is repeated until the helper did convert columns, so a helper that
// wrote other values, or other problems, fails. Large enough for the helper to be asked (4M
// values converted and more).

const ROWS = 300_000;

/** A value of column j at row i: not a float32 (its rounding is seen), of various magnitudes. */
function value(i: number, j: number): number {
  return Math.sin(i * 0.37 + j) * 10 ** (j % 5) + i / 7;
}

interface Column {
  /** The source value of row i (null for a null), as a number. */
  at(i: number): number | null;
  vector(from: number, to: number): Vector;
}

const float64 = (f: (i: number) => number | null): Column => ({
  at: f,
  vector: (from, to) =>
    vectorFromArray(
      Array.from({ length: to - from }, (_v, i) => f(from + i)),
      new Float64(),
    ),
});
const plain64 = (j: number): Column => ({
  at: (i) => value(i, j),
  vector: (from, to) =>
    makeVector(Float64Array.from({ length: to - from }, (_v, i) => value(from + i, j))),
});
type Values = Float32Array | Int32Array | BigInt64Array | Uint16Array | Int8Array | Uint32Array;
/** A column without nulls, of the typed array `make` makes (its type the Arrow type). */
const typed = (
  make: (n: number, f: (i: number) => number) => Values,
  f: (i: number) => number,
): Column => ({
  at: f,
  vector: (from, to) => vectorFromArray(make(to - from, (i) => f(from + i))),
});
const nullable = (type: Float32 | Int32 | Bool, f: (i: number) => number | null): Column => ({
  at: f,
  vector: (from, to) =>
    vectorFromArray(
      Array.from({ length: to - from }, (_v, i) => {
        const v = f(from + i);
        return type instanceof Bool && v !== null ? v === 1 : v;
      }),
      type,
    ),
});

/** Every column of the float64 file: float64 without nulls, problems or not. */
const FLOAT64: Column[] = Array.from({ length: 16 }, (_c, j) => plain64(j));

/** The mixed file: each type the conversion knows, with nulls, NaN, infinities and overflows. */
const MIXED: Column[] = [
  typed(
    (n, f) => Float32Array.from({ length: n }, (_v, i) => f(i)),
    (i) => Math.fround(value(i, 0)),
  ),
  plain64(1),
  typed(
    (n, f) => Int32Array.from({ length: n }, (_v, i) => f(i)),
    (i) => ((i * 7919) % 200_003) - 100_000,
  ),
  typed(
    (n, f) => BigInt64Array.from({ length: n }, (_v, i) => BigInt(f(i))),
    (i) => (i % 3 === 1 ? -1 : 1) * i * 2 ** 22,
  ),
  float64((i) => (i >= 150_001 && i % 9973 === 0 ? null : value(i, 4))),
  nullable(new Float32(), (i) => (i === 250_000 ? null : Math.fround(value(i, 5)))),
  typed(
    (n, f) => Uint16Array.from({ length: n }, (_v, i) => f(i)),
    (i) => (i * 31) % 65_536,
  ),
  float64((i) => (i === 140_000 ? Number.NaN : i === 299_999 ? -Infinity : value(i, 7))),
  float64((i) => (i === 200_000 ? 1e39 : value(i, 8))),
  nullable(new Bool(), (i) => (i === 131_073 ? null : i % 3 === 1 ? 1 : 0)),
  typed(
    (n, f) => Int8Array.from({ length: n }, (_v, i) => f(i)),
    (i) => (i % 255) - 127,
  ),
  float64((i) => (i === 123_456 ? -5e20 : value(i, 11))),
  typed(
    (n, f) => Uint32Array.from({ length: n }, (_v, i) => f(i)),
    (i) => i * 14_301,
  ),
  plain64(13),
  typed(
    (n, f) => Float32Array.from({ length: n }, (_v, i) => f(i)),
    (i) => Math.fround(value(i, 14)),
  ),
  nullable(new Int32(), (i) => (i === 131_072 ? null : i - 150_000)),
];

/** The columns as an Arrow file of record batches of `batch` rows. */
function fileOf(columns: Column[], batch: number, name: string): string {
  const tables: Table[] = [];
  for (let from = 0; from < ROWS; from += batch) {
    const to = Math.min(ROWS, from + batch);
    tables.push(
      new Table(Object.fromEntries(columns.map((c, j) => [`c${j}`, c.vector(from, to)]))),
    );
  }
  const path = join(tempDir(), name);
  writeFileSync(path, tableToIPC(new Table(tables.flatMap((t) => t.batches)), 'file'));
  return path;
}

/** What the conversion must report of a column, from its source values (a plain scan). */
function expectedProblems(column: Column, name: string): ColumnProblems {
  const p: ColumnProblems = emptyProblems(name);
  for (let i = 0; i < ROWS; i++) {
    const v = column.at(i);
    if (v === null || Number.isNaN(v)) {
      if (p.missing++ === 0) p.firstMissingRow = i;
    } else if (!Number.isFinite(v)) {
      if (p.infinite++ === 0) p.firstInfiniteRow = i;
    } else if (Math.abs(v) > 3.4028234663852886e38) {
      if (p.overflow++ === 0) p.firstOverflowRow = i;
    } else if (Math.abs(v) > p.maxAbs) {
      p.maxAbs = Math.abs(v);
      p.maxAbsRow = i;
    }
  }
  return p;
}

function bytesOf(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Reads `path` until the helper converted columns (at most 20 times), checking every time that
 * each converted column holds its source values rounded to float32 and reports its problems, as
 * the same table converted on this thread alone (ordinary buffers) does.
 */
async function expectConvertedByTwoThreads(path: string, columns: Column[]): Promise<void> {
  await loadColumnStatsKernel();
  const names = columns.map((_c, j) => `c${j}`);
  const expected = columns.map((c) =>
    Float32Array.from({ length: ROWS }, (_v, i) => c.at(i) ?? Number.NaN),
  );
  // The reference: the file's bytes in ordinary memory, which only this thread converts.
  const alone = columnsDoneByHelper('convert');
  const here = tableToMatrix(tableFromIPC(readFileSync(path)), names);
  expect(columnsDoneByHelper('convert')).toBe(alone);
  let helped = 0;
  let attempts = 0;
  for (; attempts < 20 && helped === 0; attempts++) {
    const before = columnsDoneByHelper('convert');
    const { matrix, problems } = tableToMatrix(await readTable(path), names);
    helped = columnsDoneByHelper('convert') - before;
    names.forEach((name, j) => {
      const got = matrix.data.subarray(j * ROWS, (j + 1) * ROWS);
      const ref = here.matrix.data.subarray(j * ROWS, (j + 1) * ROWS);
      expect([name, bytesOf(got).equals(bytesOf(expected[j]))]).toEqual([name, true]);
      expect([name, bytesOf(ref).equals(bytesOf(expected[j]))]).toEqual([name, true]);
      expect(problems[j]).toEqual(here.problems[j]);
      if (!plainFloat32(columns[j]))
        expect(problems[j]).toEqual(expectedProblems(columns[j], name));
    });
    if (helped === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect([attempts, helped > 0]).toEqual([attempts, true]);
}

/** Plain float32 columns are checked from their statistics, which name a row only for an error. */
function plainFloat32(column: Column): boolean {
  return column.vector(0, 1).type instanceof Float32 && column.vector(0, 1).nullCount === 0;
}

test('a float64 file is converted by two threads: each value rounded to float32 as on one', async () => {
  await expectConvertedByTwoThreads(fileOf(FLOAT64, ROWS, 'f64.arrow'), FLOAT64);
});

test('a file of mixed types, nulls and bad values in record batches: the same values and problems', async () => {
  await expectConvertedByTwoThreads(fileOf(MIXED, 100_000, 'mixed.arrow'), MIXED);
});

test('a float64 file fits to the same labels as its table converted on one thread', async () => {
  const path = fileOf(FLOAT64, ROWS, 'f64-fit.arrow');
  const options = { k: 5, seed: 3, scale: 'none', init: 'random', nInit: 1, maxIter: 4 } as const;
  const before = columnsDoneByHelper('convert');
  const fromFile = await fit(path, options);
  expect(columnsDoneByHelper('convert')).toBeGreaterThan(before);
  const fromTable = await fit(tableFromIPC(readFileSync(path)), options);
  expect(Array.from(fromFile.labels)).toEqual(Array.from(fromTable.labels));
  expect(fromFile.model.centres).toEqual(fromTable.model.centres);
  expect(fromFile.stats.inertia).toBe(fromTable.stats.inertia);
});

test('bad values of a converted column are reported naming its column and first row', async () => {
  await loadColumnStatsKernel();
  // c16 … c31: clean float64 columns, beside which a bad column is converted by two threads.
  const table = await readTable(fileOf([...MIXED, ...FLOAT64], 100_000, 'mixed-errors.arrow'));
  const before = columnsDoneByHelper('convert');
  const request = (features: number[]) => ({ features: features.map((j) => `c${j}`) });
  const message = (features: number[]) => {
    try {
      featureMatrix(table, request(features));
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    return 'no error';
  };
  // What the message says is the plain scan's of the source values.
  const clean = Array.from({ length: 16 }, (_c, j) => 16 + j);
  const problem = (j: number) => expectedProblems(MIXED[j], `c${j}`);
  for (const j of [4, 7, 15]) {
    const { missing, firstMissingRow } = problem(j);
    expect(message([...clean, j])).toContain(
      `column 'c${j}' has ${missing} missing (null or NaN) value${missing === 1 ? '' : 's'}, first at row ${firstMissingRow};`,
    );
  }
  expect(problem(8).overflow).toBe(1);
  expect(message([...clean, 8])).toContain(
    `column 'c8' has 1 value beyond float32's range (|v| > 3.4e38), first at row ${problem(8).firstOverflowRow};`,
  );
  const { maxAbs, maxAbsRow } = problem(11);
  expect(message([...clean, 11])).toContain(
    `column 'c11' has a value of ${maxAbs.toExponential(3)} in magnitude at row ${maxAbsRow},`,
  );
  expect(columnsDoneByHelper('convert')).toBeGreaterThan(before);
});
