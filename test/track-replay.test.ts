import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { segment } from '../src/index.js';
import { parquetToTable } from '../src/io/parquet-io.js';

/**
 * Issue 13's replay bar, on a few month-ends of the UCI Online Retail log: every period written,
 * survivors keep key and name, smoothing holds (checked from the stored tables), migration counts
 * add up, and the same replay twice gives byte-identical stores.
 */
const PERIODS = ['2011-09-30', '2011-10-31', '2011-11-30'];
const roots: string[] = [];
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function replay(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'gpuseg-track-'));
  roots.push(root);
  const dir = join(root, 'store');
  for (const asOf of PERIODS)
    await segment('datasets/online_retail_uci.csv.gz', {
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
  return dir;
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
  test('every period is written; identities, smoothing and migration hold', async () => {
    first = await replay();
    expect(readdirSync(first).sort()).toEqual([...PERIODS, 'latest']);
    expect(JSON.parse(readFileSync(join(first, 'latest'), 'utf8'))).toEqual({ as_of: PERIODS[2] });
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
    expect(survived / events).toBeGreaterThan(0.5);
  });

  test('the same replay twice gives byte-identical stores', async () => {
    const second = await replay();
    for (const asOf of PERIODS)
      for (const f of readdirSync(join(first, asOf)))
        expect(
          readFileSync(join(second, asOf, f)).equals(readFileSync(join(first, asOf, f))),
          `${asOf}/${f}`,
        ).toBe(true);
  });
});
