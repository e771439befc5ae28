import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bool,
  Float64,
  Int32,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, GpusegError, predict, type SegmentModel } from '../src/index.js';
import { readTable } from '../src/io/read-table.js';
import { fitOutOfCore } from '../src/api/fit-out-of-core.js';
import { Rng } from '../src/util/rng.js';
import { hasGpu } from './helpers/backends.js';
import { tempDir } from './helpers/cli.js';

/**
 * Seeded fuzzing with a fixed number of cases: random tables into fit, random and mutated bytes
 * into the readers. The cases are the same on every machine, however fast or loaded (a time budget
 * made the coverage depend on the machine). Every attempt must end in a result or a GpusegError;
 * anything else (a TypeError, a hang, a crash of the process) fails. Set GPUSEG_FUZZ_SCALE=n to
 * run n times as many cases (the first ones unchanged).
 */
const SCALE = Number(process.env.GPUSEG_FUZZ_SCALE ?? 1);
if (!Number.isInteger(SCALE) || SCALE < 1)
  throw new Error(
    `GPUSEG_FUZZ_SCALE must be a positive integer, got '${process.env.GPUSEG_FUZZ_SCALE}'`,
  );
/** Cases per test, sized to take about as long as the old six-second budgets did here. */
const CASES = {
  fit: 160 * SCALE,
  readers: 24 * SCALE,
  outOfCore: 20 * SCALE,
  csv: 30 * SCALE,
  models: 40 * SCALE,
};

async function outcome(work: () => Promise<unknown>): Promise<'ok' | 'error'> {
  try {
    await work();
    return 'ok';
  } catch (error) {
    if (!(error instanceof GpusegError))
      throw new Error(`not a GpusegError: ${(error as Error)?.stack ?? String(error)}`);
    expect(error.message.length).toBeGreaterThan(0);
    return 'error';
  }
}

function randomColumn(rng: Rng, rows: number): Vector {
  const kind = rng.nextInt(5);
  const nullRate = rng.nextInt(4) === 0 ? rng.nextDouble() * 0.3 : 0;
  const pick = <T>(make: () => T): (T | null)[] =>
    Array.from({ length: rows }, () => (rng.nextDouble() < nullRate ? null : make()));
  switch (kind) {
    case 0:
      return vectorFromArray(
        pick(() => (rng.nextDouble() - 0.5) * 10 ** rng.nextInt(12)),
        new Float64(),
      );
    case 1:
      return vectorFromArray(
        pick(() => rng.nextInt(100) - 50),
        new Int32(),
      );
    case 2:
      return vectorFromArray(
        pick(() => [Number.NaN, Infinity, -Infinity, 1e300, 0, -0][rng.nextInt(6)]),
        new Float64(),
      );
    case 3:
      return vectorFromArray(
        pick(() => rng.nextDouble() < 0.5),
        new Bool(),
      );
    default:
      return vectorFromArray(
        pick(() => `s${rng.nextInt(10)}`),
        new Utf8(),
      );
  }
}

describe('fuzz', () => {
  test('random tables into fit', async () => {
    const rng = new Rng(20261122);
    const seen = { ok: 0, error: 0 };
    for (let round = 0; round < CASES.fit; round++) {
      const rows = [0, 1, 2, 5, 50, 300][rng.nextInt(6)];
      const columns: Record<string, Vector> = {};
      const width = 1 + rng.nextInt(5);
      for (let j = 0; j < width; j++) columns[`c${j}`] = randomColumn(rng, rows);
      const table = new Table(columns);
      const k = rng.nextInt(8);
      const names = Object.keys(columns);
      const features =
        rng.nextInt(3) === 0
          ? [names[rng.nextInt(names.length)], 'missing'].slice(0, 1 + rng.nextInt(2))
          : undefined;
      // Drawn with or without a GPU, so that the cases that follow are the same on every machine.
      const onGpu = rng.nextInt(6) === 0;
      const backend = hasGpu && onGpu ? 'gpu' : 'cpu';
      seen[
        await outcome(() =>
          fit(table, {
            k,
            features,
            backend,
            init: rng.nextInt(2) ? 'random' : 'k-means++',
            maxIter: 20,
          }),
        )
      ]++;
    }
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  test('random and mutated bytes into the readers', async () => {
    const rng = new Rng(7);
    const dir = tempDir();
    const seeds = [
      readFileSync('datasets/Mall_Customers.arrow'),
      readFileSync('datasets/Mall_Customers.csv'),
      tableToIPC(await readTable('datasets/Mall_Customers.arrow'), 'stream'),
    ];
    const { tableToParquet } = await import('../src/io/parquet-io.js');
    seeds.push(Buffer.from(tableToParquet(await readTable('datasets/Mall_Customers.arrow'))));
    const extensions = ['.arrow', '.csv', '.arrows', '.parquet'];
    const seen = { ok: 0, error: 0 };
    for (let rounds = 0; rounds < CASES.readers; rounds++) {
      const which = rng.nextInt(seeds.length);
      let bytes: Uint8Array;
      if (rng.nextInt(4) === 0) {
        bytes = Uint8Array.from({ length: rng.nextInt(2000) }, () => rng.nextInt(256));
      } else {
        bytes = Uint8Array.from(seeds[which]);
        const edits = 1 + rng.nextInt(8);
        for (let e = 0; e < edits; e++) bytes[rng.nextInt(bytes.length)] = rng.nextInt(256);
        if (rng.nextInt(3) === 0) bytes = bytes.subarray(0, rng.nextInt(bytes.length));
      }
      const path = join(dir, `f${rounds}${extensions[which]}`);
      writeFileSync(path, bytes);
      seen[
        await outcome(async () => {
          const table = await readTable(path);
          await fit(table, { k: 2, backend: 'cpu', maxIter: 10 });
        })
      ]++;
    }
    expect(seen.error).toBeGreaterThan(0);
  });

  test('mutated Arrow and Parquet bytes into the out-of-core passes', async () => {
    const rng = new Rng(11);
    const dir = tempDir();
    const table = await readTable('datasets/Mall_Customers.arrow');
    const { tableToParquet } = await import('../src/io/parquet-io.js');
    const seeds: [Uint8Array, string][] = [
      [readFileSync('datasets/Mall_Customers.arrow'), '.arrow'],
      [tableToIPC(table, 'stream'), '.arrows'],
      [tableToParquet(table), '.parquet'],
    ];
    const seen = { ok: 0, error: 0 };
    for (let rounds = 0; rounds < CASES.outOfCore; rounds++) {
      const [seed, extension] = seeds[rng.nextInt(seeds.length)];
      let bytes = Uint8Array.from(seed);
      const edits = 1 + rng.nextInt(8);
      for (let e = 0; e < edits; e++) bytes[rng.nextInt(bytes.length)] = rng.nextInt(256);
      if (rng.nextInt(3) === 0) bytes = bytes.subarray(0, rng.nextInt(bytes.length));
      const path = join(dir, `o${rounds}${extension}`);
      writeFileSync(path, bytes);
      seen[
        await outcome(() =>
          fitOutOfCore(path, {
            k: 2,
            backend: 'cpu',
            maxIter: 5,
            chunkRows: 64,
            output: join(dir, `o${rounds}.csv`),
          }),
        )
      ]++;
    }
    expect(seen.error).toBeGreaterThan(0);
  });

  // Issue 11's inputs: CSV text with long ids, missing markers, thousands separators, bad cells,
  // mixed line ends and a BOM, into fit and then predict; the ids come back exactly as written.
  test('CSV tables of the kinds careful users hit, into fit and predict', async () => {
    const rng = new Rng(1129);
    const dir = tempDir();
    const seen = { ok: 0, error: 0 };
    for (let round = 0; round < CASES.csv; round++) {
      const rows = 5 + rng.nextInt(60);
      const thousands = rng.nextInt(2) === 0;
      const cell = (): string => {
        const r = rng.nextInt(12);
        if (r === 0) return ['-', '#N/A', 'NA', ''][rng.nextInt(4)];
        if (r === 1 && thousands) return `"${1 + rng.nextInt(9)},${100 + rng.nextInt(900)}.5"`;
        if (r === 2 && rng.nextInt(4) === 0) return 'x';
        return String(rng.nextInt(1000) / 10);
      };
      const ids = Array.from(
        { length: rows },
        (_, i) => `${9007199254740993n + BigInt(i) * 7n}${rng.nextInt(3) === 0 ? '0' : ''}`,
      );
      const ends = ['\n', '\r\n', '\r'];
      const mixed = rng.nextInt(3) === 0;
      const lines = [
        'customer_id,a,b,c',
        ...ids.map((id) => [id, cell(), cell(), cell()].join(',')),
      ];
      let text = lines.map((l) => l + (mixed ? ends[rng.nextInt(3)] : '\n')).join('');
      if (rng.nextInt(4) === 0) text = '\ufeff' + text;
      const path = join(dir, `t${round}.csv`);
      writeFileSync(path, text);
      const options = {
        k: 1 + rng.nextInt(3),
        backend: 'cpu' as const,
        impute: rng.nextInt(2) === 0 ? ('mean' as const) : undefined,
        thousands: thousands ? (',' as const) : undefined,
        maxIter: 10,
      };
      seen[
        await outcome(async () => {
          const r = await fit(path, options);
          const p = await predict(path, r.model, { thousands: options.thousands, backend: 'cpu' });
          const written = new Set(ids);
          for (const result of [r, p]) {
            const got = result.assignments.getChild('customer_id')!;
            for (let i = 0; i < got.length; i++) expect(written.has(String(got.get(i)))).toBe(true);
          }
        })
      ]++;
    }
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  // A damaged model (zero or NaN scales, lengths that disagree, centres that are not finite) must
  // be refused with a gpuseg error, never score every row into segment 0 with NaN distances.
  test('damaged models into predict', async () => {
    const rng = new Rng(77);
    const table = await readTable('datasets/wholesale-customers.arrow');
    const good = (await fit(table, { k: 3, backend: 'cpu' })).model as unknown as Record<
      string,
      unknown
    >;
    let refused = 0;
    for (let round = 0; round < CASES.models; round++) {
      const m = structuredClone(good) as unknown as {
        preprocessing: { scale: { scale: number[]; centre: number[] } };
        centres: number[][];
        features: string[];
      };
      const scale = m.preprocessing.scale;
      switch (rng.nextInt(6)) {
        case 0:
          scale.scale[rng.nextInt(scale.scale.length)] = [0, Number.NaN, -0][rng.nextInt(3)];
          break;
        case 1:
          scale.scale.pop();
          break;
        case 2:
          scale.centre.push(1);
          break;
        case 3:
          m.centres[rng.nextInt(m.centres.length)][0] = [Number.NaN, Infinity][rng.nextInt(2)];
          break;
        case 4:
          m.centres.pop();
          break;
        default:
          m.features = m.features.slice(1);
      }
      const result = await outcome(async () => {
        const p = await predict(table, m as unknown as SegmentModel, { backend: 'cpu' });
        for (const d of p.distances ?? []) expect(Number.isFinite(d)).toBe(true);
      });
      if (result === 'error') refused++;
    }
    expect(refused).toBe(CASES.models);
  });
});
