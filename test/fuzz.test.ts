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
import { fit, GpusegError } from '../src/index.js';
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
const CASES = { fit: 160 * SCALE, readers: 24 * SCALE, outOfCore: 20 * SCALE };

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
});
