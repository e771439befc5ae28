import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fitReport, segment, type SegmentResult } from '../src/index.js';
import { segmentColour } from '../src/report/palette.js';
import { parquetToTable } from '../src/io/parquet-io.js';

/**
 * Issue 13's replay bar: the UCI Online Retail log month by month from 2011-01-31 to 2011-12-09
 * (k = 4, --confirm-periods 2), in process: every period written, survivors keep key and name and
 * most segments survive, smoothing holds (checked from the stored tables), migration counts add
 * up, the report of the last period charts the store, and the same replay twice gives
 * byte-identical stores.
 */
const PERIODS = [
  '2011-01-31',
  '2011-02-28',
  '2011-03-31',
  '2011-04-30',
  '2011-05-31',
  '2011-06-30',
  '2011-07-31',
  '2011-08-31',
  '2011-09-30',
  '2011-10-31',
  '2011-11-30',
  '2011-12-09',
];
const LAST = PERIODS[PERIODS.length - 1];
const roots: string[] = [];
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function replay(): Promise<{ dir: string; last: SegmentResult }> {
  const root = mkdtempSync(join(tmpdir(), 'gpuseg-track-'));
  roots.push(root);
  const dir = join(root, 'store');
  let last: SegmentResult | undefined;
  for (const asOf of PERIODS)
    last = await segment('datasets/online_retail_uci.csv.gz', {
      customer: 'CustomerID',
      date: 'InvoiceDate',
      quantity: 'Quantity',
      price: 'UnitPrice',
      order: 'InvoiceNo',
      asOf,
      k: 4,
      backend: 'cpu',
      seed: 1,
      history: { dir, confirmPeriods: 2 },
    });
  return { dir, last: last! };
}

interface Customers {
  id: number[];
  key: Int32Array;
  raw: Int32Array;
  pending: Int32Array;
  pendingPeriods: Int32Array;
  name: string[];
}

function customers(dir: string, asOf: string): Customers {
  const t = parquetToTable(readFileSync(join(dir, asOf, 'customers.parquet')));
  const int = (c: string) => Int32Array.from(t.getChild(c)!.toArray() as ArrayLike<number>);
  return {
    id: Array.from(t.getChild('CustomerID')!.toArray() as ArrayLike<number>),
    key: int('segment_key'),
    raw: int('raw_segment_key'),
    pending: int('pending_key'),
    pendingPeriods: int('pending_periods'),
    name: t.getChild('segment_name')!.toArray() as string[],
  };
}

function csv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('--history replay of the Online Retail log', () => {
  let first = '';
  let last: SegmentResult | undefined;
  test('every period is written; identities, smoothing and migration hold', async () => {
    ({ dir: first, last } = await replay());
    expect(readdirSync(first).sort()).toEqual([...PERIODS, 'latest']);
    expect(JSON.parse(readFileSync(join(first, 'latest'), 'utf8'))).toEqual({ as_of: LAST });
    const published = new Set<number>();
    let survived = 0;
    let events = 0;
    for (let p = 1; p < PERIODS.length; p++) {
      const prev = customers(first, PERIODS[p - 1]);
      const cur = customers(first, PERIODS[p]);
      const model = (asOf: string) =>
        JSON.parse(readFileSync(join(first, asOf, 'model.json'), 'utf8')) as {
          tracking: { keys: number[]; names: string[] };
        };
      const before = model(PERIODS[p - 1]).tracking;
      const after = model(PERIODS[p]).tracking;
      for (const e of csv(join(first, PERIODS[p], 'events.csv'))) {
        events++;
        if (e.event !== 'survived') continue;
        survived++;
        // A survivor keeps its key and its name.
        expect(e.to_key).toBe(e.from_key);
        expect(after.names[after.keys.indexOf(Number(e.to_key))]).toBe(
          before.names[before.keys.indexOf(Number(e.from_key))],
        );
      }
      // Profiles go by stable key.
      const profiled = new Set(
        csv(join(first, PERIODS[p], 'profiles.csv')).map((r) => Number(r.segment_id)),
      );
      expect([...profiled].sort((x, y) => x - y)).toEqual([...after.keys].sort((x, y) => x - y));
      cur.key.forEach((k) => published.add(k));
      prev.key.forEach((k) => published.add(k));
      const at = new Map(prev.id.map((id, r) => [id, r]));
      const live = new Set(after.keys);
      for (let i = 0; i < cur.id.length; i++) {
        const r = at.get(cur.id[i]);
        // The published segment is always live; a new customer is published at once.
        expect(live.has(cur.key[i])).toBe(true);
        if (r === undefined) {
          expect(cur.key[i]).toBe(cur.raw[i]);
          continue;
        }
        if (!live.has(prev.key[r])) continue;
        if (cur.key[i] !== prev.key[r]) {
          // Moved: only on two consecutive periods of the same raw segment.
          expect(cur.raw[i]).toBe(cur.key[i]);
          expect(prev.raw[r]).toBe(cur.raw[i]);
        } else if (cur.raw[i] !== prev.key[r]) {
          // Not moved although raw differs: must be its first period there.
          expect(prev.raw[r]).not.toBe(cur.raw[i]);
          expect(cur.pending[i]).toBe(cur.raw[i]);
          expect(cur.pendingPeriods[i]).toBe(1);
        }
        if (prev.raw[r] === cur.raw[i] && prev.raw[r] !== prev.key[r] && live.has(prev.key[r]))
          expect(cur.key[i]).toBe(cur.raw[i]);
      }
      // Migration counts add up to the customers of both periods.
      const m = csv(join(first, PERIODS[p], 'migration.csv'));
      const sum = (rows: Record<string, string>[]) =>
        rows.reduce((s, r) => s + Number(r.customers), 0);
      expect(sum(m.filter((r) => r.from_key !== 'new'))).toBe(prev.id.length);
      expect(sum(m.filter((r) => r.to_key !== 'gone'))).toBe(cur.id.length);
      const raw = csv(join(first, PERIODS[p], 'migration_raw.csv'));
      expect(sum(raw.filter((r) => r.to_key !== 'gone'))).toBe(cur.id.length);
    }
    // Most segments survive from month to month (README: the share).
    expect(survived / events).toBeGreaterThan(0.7);
    // The last period's report charts the store: every key ever published, in its colour.
    const html = await fitReport(last!.fit, { history: first, asOf: LAST });
    const sizes =
      /<figure class="chart" id="chart-history-sizes"[^>]*data-segments="([^"]*)"[\s\S]*?<\/figure>/.exec(
        html,
      )!;
    const keys = [...published].sort((a, b) => a - b);
    expect(sizes[1].split(',').map(Number)).toEqual(keys);
    for (const k of keys) expect(sizes[0]).toContain(segmentColour(k));
    expect(html).toContain('id="chart-history-sankey"');
  }, 900_000);

  test('the same replay twice gives byte-identical stores', async () => {
    const { dir: second } = await replay();
    for (const asOf of PERIODS)
      for (const f of readdirSync(join(first, asOf)))
        expect(
          readFileSync(join(second, asOf, f)).equals(readFileSync(join(first, asOf, f))),
          `${asOf}/${f}`,
        ).toBe(true);
  }, 900_000);
});
