import { Float64, makeData, Table, Vector } from 'apache-arrow';
import { expect, test } from 'vitest';
import { columnsDoneByHelper, startColumnHelper } from '../src/data/column-share.js';
import { beginFeatureBins, finishFeatureBins } from '../src/track/feature-psi.js';
import { periodBins } from '../src/track/deciles.js';
import { featurePsi, type FeatureBins } from '../src/track/psi-bins.js';
import { readPsiColumn } from '../src/track/psi-share.js';
import type { StoredPeriod } from '../src/track/store.js';
import { Rng } from '../src/util/rng.js';

/**
 * A tracked period's feature bins and PSI counted by the column helper thread while this thread
 * runs the period's passes (track/feature-psi.ts, psi-share.ts): feature columns in shared
 * memory (as a file read into a SharedArrayBuffer gives them), in uneven record batches, large
 * enough for the helper to be asked (4M values and more). The figures equal featurePsi on this
 * thread, bit for bit, and the helper did take features; a column that is not shared is counted
 * here with the same figures.
 */
const ROWS = 1_500_003;
const BATCHES = [0, 400_000, 1_048_576, ROWS];

function sharedColumn(values: (i: number) => number): Vector {
  const memory = new Float64Array(new SharedArrayBuffer(8 * ROWS));
  for (let i = 0; i < ROWS; i++) memory[i] = values(i);
  return new Vector(
    BATCHES.slice(1).map((to, b) =>
      makeData({ type: new Float64(), data: memory.subarray(BATCHES[b], to) }),
    ),
  );
}

const rng = new Rng(17);
const draws: Record<string, (i: number) => number> = {
  recency_days: () => Math.floor(rng.nextDouble() * 365),
  frequency: () => Math.max(1, Math.round(Math.exp(rng.nextDouble() * 3))),
  monetary: (i) =>
    i % 997 === 5 ? NaN : Math.round(Math.exp(3 + 2 * rng.nextDouble()) * 100) / 100,
};
const features = Object.keys(draws);

function period(shift: number, shared: boolean): Table {
  const columns: Record<string, Vector> = {};
  for (const f of features) {
    const column = sharedColumn((i) => draws[f](i) + shift);
    columns[f] = shared
      ? column
      : new Vector([makeData({ type: new Float64(), data: column.toArray() as Float64Array })]);
  }
  return new Table(columns);
}

function chunksOfColumn(t: Table, name: string): Float64Array[] {
  return t.getChild(name)!.data.map((d) => d.values as Float64Array);
}

const previousTable = period(0, true);
const psiBins: FeatureBins = Object.fromEntries(
  features.map((f) => [f, featurePsi(chunksOfColumn(previousTable, f), undefined).bins]),
);
const previous = {
  asOf: '2024-01-31',
  customers: previousTable,
  psiBins,
} as unknown as StoredPeriod;

function expected(t: Table) {
  const bins: FeatureBins = {};
  const psi: Record<string, number> = {};
  for (const f of features) {
    const r = featurePsi(chunksOfColumn(t, f), psiBins[f]);
    bins[f] = r.bins;
    psi[f] = r.psi!;
  }
  return { bins, psi };
}

test('the helper counts the features beside the passes, with the figures of this thread', async () => {
  startColumnHelper();
  const current = period(3, true);
  const want = expected(current);
  // PSI is not 0: the period moved (otherwise a result of zeros would pass).
  expect(Object.values(want.psi).every((x) => x > 0)).toBe(true);
  let helped = 0;
  for (let attempt = 0; attempt < 20 && helped === 0; attempt++) {
    const before = columnsDoneByHelper('psi');
    const pending = beginFeatureBins(features, current, previous);
    expect(pending.shared).toBeDefined();
    // The period's passes run here meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const got = finishFeatureBins(pending);
    helped = columnsDoneByHelper('psi') - before;
    // The figures came from the shared results (not counted again here): each feature's there.
    features.forEach((f, j) =>
      expect(readPsiColumn(pending.shared!.work, j)).toEqual(
        periodBins(chunksOfColumn(current, f), psiBins[f].edges),
      ),
    );
    expect(got).toEqual(want);
    for (const f of features) expect(Object.is(got.psi[f], want.psi[f])).toBe(true);
  }
  expect(helped).toBeGreaterThan(0);
});

test('columns not in shared memory are counted on this thread, with the same figures', () => {
  startColumnHelper();
  const current = period(3, false);
  const before = columnsDoneByHelper('psi');
  const pending = beginFeatureBins(features, current, previous);
  expect(pending.shared).toBeUndefined();
  expect(finishFeatureBins(pending)).toEqual(expected(current));
  expect(columnsDoneByHelper('psi')).toBe(before);
});
