import { tableFromArrays, type Table } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, fitReport, type FitResult } from '../src/index.js';
import {
  REPORT_SAMPLE_ROWS,
  SAMPLE_POOL_ROWS,
  sampleRows,
  type RowLabels,
} from '../src/report/sample-rows.js';
import { countColumnReads, counting, type Counter } from './helpers/read-counting.js';

/**
 * Issue 14's speed bar: a report's inputs come from the fit's statistics and a bounded sample, so
 * its work does not grow with the customers. Proved by counting what the report reads — labels
 * and column values, through instrumented inputs — at two sizes of the same data (one size 4×
 * the other, both past the sample's pool): the counts are equal, and under one read per row.
 */

/** Three well-separated groups of customers (sizes 50% / 30% / 20%), deterministic; `copies` times over. */
function customers(rows: number, copies: number): Table {
  let seed = 12345;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const one = { recency_days: [0], frequency: [0], monetary: [0], tenure_days: [0] };
  for (const k of Object.keys(one) as (keyof typeof one)[]) one[k] = new Array<number>(rows);
  for (let i = 0; i < rows; i++) {
    const g = i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2;
    one.recency_days[i] = [20, 120, 300][g] + 10 * random();
    one.frequency[i] = [12, 4, 1][g] + random();
    one.monetary[i] = [2000, 500, 80][g] * (1 + 0.1 * random());
    one.tenure_days[i] = 400 + 100 * random();
  }
  const tile = (v: number[]) => Float64Array.from({ length: rows * copies }, (_, i) => v[i % rows]);
  return tableFromArrays({
    recency_days: tile(one.recency_days),
    frequency: tile(one.frequency),
    monetary: tile(one.monetary),
    tenure_days: tile(one.tenure_days),
  });
}

describe('report work does not grow with the customers', () => {
  test('sampleRows reads a bounded pool of labels, the same at 150k and 600k rows', () => {
    const reads = [150_000, 600_000].map((n) => {
      const labels = Int32Array.from({ length: n }, (_, i) =>
        i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2,
      );
      const counter = { reads: 0 };
      const view: RowLabels = { length: n, at: (row) => (counter.reads++, labels[row]) };
      const s = sampleRows(view, [0.5 * n, 0.3 * n, 0.2 * n]);
      expect(s.rows.length).toBe(REPORT_SAMPLE_ROWS);
      s.rows.forEach((r, i) => expect(labels[r]).toBe(s.labels[i]));
      expect(s.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(n, 6);
      return counter.reads;
    });
    expect(reads[1]).toBe(reads[0]);
    expect(reads[0]).toBeLessThanOrEqual(SAMPLE_POOL_ROWS + REPORT_SAMPLE_ROWS);
  });

  test('a segment too small for the pool is found by a scan that stops at its last wanted row', () => {
    const n = 1_000_000;
    // Segment 1: 10 customers at rows 500,000 … 500,009 (the pool, every 10th row, holds one).
    const labels = new Int32Array(n);
    for (let r = 500_000; r < 500_010; r++) labels[r] = 1;
    let reads = 0;
    const view: RowLabels = { length: n, at: (row) => (reads++, labels[row]) };
    const s = sampleRows(view, [n - 10, 10]);
    expect([...s.rows.filter((_, i) => s.labels[i] === 1)]).toEqual(
      Array.from({ length: 10 }, (_, i) => 500_000 + i),
    );
    expect(s.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(n, 6);
    // The pool, the scan up to row 500,009, and the sampled rows' labels: not the whole table.
    expect(reads).toBeLessThan(SAMPLE_POOL_ROWS + 500_010 + 2 * REPORT_SAMPLE_ROWS);
  });

  test('fitReport reads as many labels and values at 150k as at 600k customers', async () => {
    const work: Counter[][] = [];
    for (const copies of [1, 4]) {
      const table = customers(150_000, copies);
      const r = await fit(table, {
        k: 3,
        seed: 0,
        backend: 'cpu',
        features: ['recency_days', 'frequency', 'monetary'],
        profile: ['tenure_days'],
        log: ['frequency', 'monetary'],
      });
      // RFM columns: personas name the segments, so the fit computed the profiles (its statistics).
      expect(r.names).toHaveLength(3);
      expect([...r.sizes].sort((a, b) => b - a)).toEqual(
        [0.5, 0.3, 0.2].map((s) => s * 150_000 * copies),
      );
      const labels = { reads: 0 };
      const values = { reads: 0 };
      countColumnReads(r.data.table, values);
      const probe = Object.create(r, {
        labels: { value: counting(r.labels, labels) },
      }) as FitResult;
      const html = await fitReport(probe, { source: 'synthetic', currency: 'USD' });
      expect(html).toContain('data-chart="projection"');
      work.push([labels, values]);
    }
    const [small, large] = work;
    expect(large[0].reads).toBe(small[0].reads);
    expect(large[1].reads).toBe(small[1].reads);
    // Under one read per customer even at the smaller size: no pass over the rows at all.
    expect(small[0].reads).toBeLessThan(150_000);
    expect(small[1].reads).toBeLessThan(150_000);
    expect(small[1].reads).toBeGreaterThan(0);
  });
});
