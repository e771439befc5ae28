import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  Float32,
  makeData,
  RecordBatch,
  Struct,
  Table,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, type FitOptions, type FitResult } from '../src/api/fit.js';
import { InputError } from '../src/errors.js';
import { inPlaceMatrix } from '../src/data/in-place.js';
import { readTable } from '../src/io/read-table.js';
import { readShared } from '../src/io/shared-read.js';
import { tempDir } from './helpers/cli.js';

// A file of many record batches has its float32 columns read straight into a column-major region
// (io/arrow-layout.ts, io/shared-read.ts, io/scattered-table.ts): the matrix is then in place as
// for a file of one batch. Everything must come out as from one batch (and as apache-arrow reads
// the file), with batches of odd sizes, other columns around the float32 ones, nulls, streams.

const ROWS = 150_001; // past 131,072 rows: the CPU workers' path runs
const BATCHES = [40_001, 65_537, 1, 30_000, 14_462]; // odd sizes, one of a single row
const FEATURES = ['a', 'b', 'c', 'd'];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

/** One batch: an int32 id, a text column (dictionary-encoded) and a float64 one among the float32 features. */
function oneBatch(): Table {
  const next = random(777);
  const columns: Record<string, Float32Array | Int32Array | Float64Array | string[]> = {
    id: Int32Array.from({ length: ROWS }, (_, i) => 5_000_000 + i),
  };
  FEATURES.forEach((name, j) => {
    const col = new Float32Array(ROWS);
    for (let i = 0; i < ROWS; i++) col[i] = (i % 7) * (j + 1) * 2 + next() * (j + 3);
    columns[name] = col;
    if (j === 1) columns.city = Array.from({ length: ROWS }, (_, i) => `c${i % 13}`);
  });
  columns.spend = Float64Array.from({ length: ROWS }, () => next() * 100);
  return tableFromArrays(columns);
}

/** The same rows as record batches of the given sizes. */
function inBatches(table: Table, sizes: number[]): Table {
  const batches: RecordBatch[] = [];
  let start = 0;
  for (const n of sizes) {
    batches.push(...table.slice(start, start + n).batches);
    start += n;
  }
  expect(start).toBe(table.numRows);
  return new Table(batches);
}

function written(
  table: Table,
  name = 'features.arrow',
  format: 'file' | 'stream' = 'file',
): string {
  const path = join(tempDir(), name);
  writeFileSync(path, tableToIPC(table, format));
  return path;
}

/** Every column's values as plain arrays (nulls as null). */
function contents(table: Table): unknown[][] {
  return table.schema.fields.map((f) =>
    Array.from(table.getChild(f.name)!.toArray() as ArrayLike<unknown>),
  );
}

function expectSameFit(a: FitResult, b: FitResult): void {
  expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  expect(a.model.centres).toEqual(b.model.centres);
  expect(a.stats.inertia).toBe(b.stats.inertia);
  expect(Array.from(a.distances!)).toEqual(Array.from(b.distances!));
}

const options: FitOptions = {
  k: 5,
  seed: 11,
  nInit: 1,
  maxIter: 15,
  backend: 'cpu',
  id: 'id',
  features: FEATURES,
  scale: 'none',
};

describe('float32 columns of a file of many batches read in place', () => {
  test('batches of odd sizes: the matrix is in place, and labels, centres and distances are those of one batch', async () => {
    const source = oneBatch();
    const many = written(inBatches(source, BATCHES));
    const read = await readShared(many, true);
    expect(read.scattered?.layout.rows).toBe(ROWS);
    expect(read.scattered?.layout.columns.map((c) => c.pieces.length)).toEqual([5, 5, 5, 5]);
    // Read as it is (not scattered), the same file's chunks are in an input memory but apart:
    // no matrix in place (a check of the first chunk alone would take them).
    const plain = tableFromIPC((await readShared(many)).bytes);
    expect(plain.getChild('a')!.data[0].values.byteOffset).toBeGreaterThan(0);
    expect(inPlaceMatrix(plain, FEATURES)).toBeUndefined();
    expect(inPlaceMatrix(plain, ['a'])).toBeUndefined();
    const r = await fit(many, options);
    const reference = await fit(written(source, 'one.arrow'), options);
    expect(reference.data.matrix.borrowed).toBe(true);
    expect(r.data.matrix.borrowed).toBe(true);
    expectSameFit(r, reference);
    expect(r.data.table.getChild('a')!.data.length).toBe(BATCHES.length);
    // The table holds what the file holds: every column, the float32 ones from the region.
    expect(contents(r.data.table)).toEqual(contents(source));
    expect(Array.from(r.assignments.getChild('id')!.toArray() as Int32Array)).toEqual(
      Array.from(source.getChild('id')!.toArray() as Int32Array),
    );
  });

  test('as a stream, with standard scaling and every numeric column: the same as from memory', async () => {
    const source = oneBatch();
    const path = written(inBatches(source, BATCHES), 'features.arrows', 'stream');
    expect((await readShared(path, true)).scattered).toBeDefined();
    const all = { ...options, features: undefined, scale: 'standard' as const };
    const r = await fit(path, all);
    const reference = await fit(tableFromIPC(tableToIPC(source, 'file')), all);
    expect(r.model.features).toEqual([...FEATURES, 'spend']);
    expectSameFit(r, reference);
    expect(contents(r.data.table)).toEqual(contents(source));
  });

  test('a float32 column with nulls in one batch: read as it is, the same values', async () => {
    const source = oneBatch();
    const batches = inBatches(source, BATCHES).batches.map((batch, b) => {
      if (b !== 2) return batch;
      // The one-row batch's 'c' becomes null.
      const children = batch.data.children.map((child, f) =>
        batch.schema.fields[f].name === 'c'
          ? makeData({
              type: new Float32(),
              length: 1,
              nullCount: 1,
              data: new Float32Array(1),
              nullBitmap: new Uint8Array([0]),
            })
          : child,
      );
      const data = makeData({
        type: new Struct(batch.schema.fields),
        length: 1,
        nullCount: 0,
        children,
      });
      return new RecordBatch(batch.schema, data);
    });
    const path = written(new Table(batches));
    expect((await readShared(path, true)).scattered).toBeUndefined();
    const table = await readTable(path);
    expect(table.getChild('c')!.get(BATCHES[0] + BATCHES[1])).toBeNull();
    expect(contents(table)).toEqual(contents(tableFromIPC(readFileSync(path))));
    const withImpute = { ...options, impute: 'mean' as const };
    expectSameFit(
      await fit(path, withImpute),
      await fit(tableFromIPC(readFileSync(path)), withImpute),
    );
  });

  test('damaged metadata: what reads at all reads as apache-arrow reads the same bytes', async () => {
    const bytes = readFileSync(written(inBatches(oneBatch(), BATCHES)));
    const next = random(99);
    const dir = tempDir();
    let compared = 0;
    for (let trial = 0; trial < 16; trial++) {
      const damaged = Uint8Array.from(bytes);
      // A few bytes of the metadata: the first batch's (after the magic) or the footer's.
      const region = trial % 2 === 0 ? [8, 900] : [bytes.length - 1100, bytes.length - 10];
      for (let t = 0; t < 3; t++) {
        const at = region[0] + Math.floor(next() * (region[1] - region[0]));
        damaged[at] = Math.floor(next() * 256);
      }
      const path = join(dir, `damaged-${trial}.arrow`);
      writeFileSync(path, damaged);
      let table: Table | undefined;
      try {
        table = await readTable(path);
      } catch {
        continue; // refused: fine, as long as it returns
      }
      // apache-arrow reads these bytes without hanging: the worker's check just did.
      expect(contents(table)).toEqual(contents(tableFromIPC(damaged)));
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  test('metadata on which apache-arrow would not return: the layout is given up at the deadline, and the stream refused', async () => {
    // The first record batch's count of field nodes made 2^31 - 1: apache-arrow's parse of that
    // metadata loops for minutes (and allocates a node each time). It runs in the decode worker;
    // on this thread the read would never return.
    const rows = 300_000;
    const table = tableFromArrays({ a: new Float32Array(rows).fill(1), b: new Float32Array(rows) });
    for (const format of ['stream', 'file'] as const) {
      const bytes = Buffer.from(tableToIPC(inBatches(table, [rows / 2, rows / 2]), format));
      // The nodes vector: its length (2 fields), then the first node (rows, no nulls).
      const at = [...Array(1000).keys()]
        .map((i) => 4 * i)
        .find(
          (p) =>
            bytes.readUint32LE(p) === 2 &&
            bytes.readBigInt64LE(p + 4) === BigInt(rows / 2) &&
            bytes.readBigInt64LE(p + 12) === 0n,
        );
      expect(at).toBeDefined();
      const path = join(tempDir(), `hangs.${format}`);
      writeFileSync(path, bytes);
      expect((await readShared(path, true)).scattered).toBeDefined(); // (undamaged)
      bytes.writeUint32LE(0x7fffffff, at!);
      writeFileSync(path, bytes);
      const started = performance.now();
      expect((await readShared(path, true)).scattered).toBeUndefined();
      // The deadline: 5 s stretched by the load per core (guarded-decode.ts), which may rise meanwhile.
      const contention = Math.min(20, Math.max(1, loadavg()[0] / availableParallelism()));
      expect(performance.now() - started).toBeLessThan(2 * 5_000 * contention + 5_000);
      if (format === 'stream') await expect(readTable(path)).rejects.toThrow(InputError);
    }
  }, 400_000);
});
