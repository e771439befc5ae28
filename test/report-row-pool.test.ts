import { Float64, Int32, makeVector, Table, type Vector } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, fitReport } from '../src/index.js';
import { buildSample, rowLabels, type ReportSample } from '../src/report/sample.js';
import { SAMPLE_POOL_ROWS } from '../src/report/sample-rows.js';
import { computeProfiles, type ProfileColumn, type Profiles } from '../src/segment/profile.js';
import { rowPoolOf, type RowPool } from '../src/segment/row-pool.js';
import { countColumnReads } from './helpers/read-counting.js';

/**
 * The report's sample taken from the pool that finishing the profiles kept (segment/row-pool.ts):
 * the same sample, value for value, as read from the table; used only with the table and labels
 * the profiles were made from.
 */

const COLUMNS: ProfileColumn[] = [
  { name: 'recency_days', role: 'feature' },
  { name: 'frequency', role: 'feature' },
  { name: 'monetary', role: 'feature' },
  { name: 'tenure_days', role: 'profile' },
];

/** A table of n rows: float64 columns, an int32 one, one with nulls; labels of 4 segments, one tiny. */
function data(n: number): { table: Table; labels: Int32Array } {
  let seed = 99;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % 7 < 3 ? 0 : i % 7 < 5 ? 1 : 2;
  // Segment 3: 12 customers together, fewer than the pool holds of them (a scan finds them).
  for (let i = Math.floor(n / 3); i < Math.floor(n / 3) + 12; i++) labels[i] = 3;
  const f64 = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const frequency = new Int32Array(n);
  for (let i = 0; i < n; i++) frequency[i] = 1 + Math.floor(20 * random());
  const tenure = makeVector({
    type: new Float64(),
    data: f64(() => 100 + 900 * random()),
    nullBitmap: Uint8Array.from({ length: Math.ceil(n / 8) }, (_, b) =>
      b % 5 === 2 ? 0x5f : 0xff,
    ),
  } as Parameters<typeof makeVector>[0]) as Vector;
  const table = new Table({
    recency_days: makeVector(f64((i) => (labels[i] + 1) * 30 + 10 * random())),
    frequency: makeVector({ type: new Int32(), data: frequency }),
    monetary: makeVector(f64((i) => (labels[i] + 1) * 500 * (1 + random()))),
    tenure_days: tenure,
  });
  return { table, labels };
}

/** The report's sample of the table, with the profiles' pool or read from the table. */
function sampleWith(
  table: Table,
  labels: Int32Array,
  profiles: Profiles,
  pool: RowPool | undefined,
): ReportSample {
  return buildSample(
    table,
    rowLabels(labels),
    profiles.segments.map((s) => s.size),
    COLUMNS.map((c) => c.name),
    ['recency_days', 'frequency', 'monetary'],
    null,
    pool,
  );
}

function sampleOf(table: Table, labels: Int32Array, withPool: boolean): ReportSample {
  const profiles = computeProfiles(table, labels, 4, COLUMNS);
  const pool = withPool ? rowPoolOf(profiles, table, labels) : undefined;
  if (withPool) expect(pool).toBeDefined();
  return sampleWith(table, labels, profiles, pool);
}

function expectSameSample(a: ReportSample, b: ReportSample): void {
  expect([...a.rows]).toEqual([...b.rows]);
  expect([...a.labels]).toEqual([...b.labels]);
  expect([...a.weights]).toEqual([...b.weights]);
  expect([...a.values.keys()]).toEqual([...b.values.keys()]);
  for (const [c, v] of a.values) {
    const w = b.values.get(c)!;
    expect(v.length).toBe(w.length);
    for (let i = 0; i < v.length; i++) expect(Object.is(v[i], w[i]), `${c}[${i}]`).toBe(true);
  }
  expect([...a.clustering]).toEqual([...b.clustering]);
}

describe("the report's sample from the profiles' pool", () => {
  test('no pool for a table of at most SAMPLE_POOL_ROWS rows (the report reads little there)', () => {
    const { table, labels } = data(SAMPLE_POOL_ROWS);
    const profiles = computeProfiles(table, labels, 4, COLUMNS);
    expect(rowPoolOf(profiles, table, labels)).toBeUndefined();
  });

  // A pool of every (n/100k)-th row among all rows (every row a median row); the medians' rows
  // sampled (1M of them) and the pool every 10th of those.
  for (const n of [300_000, 1_050_000])
    test(`${n.toLocaleString('en')} rows: the same sample as read from the table`, () => {
      const { table, labels } = data(n);
      const pooled = sampleOf(table, labels, true);
      expectSameSample(pooled, sampleOf(table, labels, false));
      // The tiny segment is in the sample (found by the scan, outside the pool).
      expect(pooled.labels.filter((l) => l === 3).length).toBe(12);
    });

  test('the pool is what the sample is made of (a changed pool value shows), for its own inputs only', () => {
    const { table, labels } = data(300_000);
    const profiles = computeProfiles(table, labels, 4, COLUMNS);
    const pool = rowPoolOf(profiles, table, labels)!;
    expect(pool.poolLabels.length).toBe(SAMPLE_POOL_ROWS);
    const build = () => sampleWith(table, labels, profiles, pool);
    const before = build();
    const monetary = pool.values.get('monetary')!;
    monetary.fill(-1);
    const after = build();
    expect(after.values.get('monetary')!.filter((v) => v === -1).length).toBeGreaterThan(4000);
    expect(before.values.get('monetary')!.some((v) => v === -1)).toBe(false);
    // Its labels choose the sample: with all of the pool in segment 2, the other segments are
    // none of the pool's and are found by the scan (their first members in row order) instead.
    pool.poolLabels.fill(2);
    const relabelled = build();
    expect([...relabelled.rows]).not.toEqual([...before.rows]);
    const first = relabelled.rows.filter((_, i) => relabelled.labels[i] === 0);
    expect(first[first.length - 1]).toBeLessThan(table.numRows / 10);
    // Other profiles of the same labels replace the pool; the first profiles then have none.
    computeProfiles(table, labels, 4, COLUMNS);
    expect(rowPoolOf(profiles, table, labels)).toBeUndefined();
    // Other labels (equal, another array) or another table: no pool.
    expect(rowPoolOf(profiles, table, labels.slice())).toBeUndefined();
    expect(rowPoolOf(profiles, data(300_000).table, labels)).toBeUndefined();
  });

  test("fitReport of a fit reads no column value of the table: the fit's profiles kept the pool", async () => {
    const { table } = data(300_000);
    const r = await fit(table, {
      k: 3,
      seed: 0,
      backend: 'cpu',
      features: ['recency_days', 'frequency', 'monetary'],
      profile: ['tenure_days'],
    });
    expect(r.names).toHaveLength(3); // RFM columns: the fit made the profiles to name the segments
    const values = { reads: 0 };
    countColumnReads(r.data.table, values);
    const html = await fitReport(r, { source: 'pool', currency: 'USD' });
    expect(html).toContain('data-chart="projection"');
    expect(values.reads).toBe(0);
  });
});
