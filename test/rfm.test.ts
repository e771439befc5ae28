import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { rfm } from '../src/segment/rfm.js';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

interface PandasRfm {
  as_of: string;
  rows: number;
  dropped_no_customer: number;
  customers_without_purchase: number;
  customers: number[];
  columns: Record<string, number[]>;
}

describe('rfm on the UCI Online Retail log (541,909 rows)', () => {
  test('matches an independent pandas computation (test/oracle/rfm_pandas.py)', async () => {
    const expected = JSON.parse(
      readFileSync('test/fixtures/rfm-online-retail.json', 'utf8'),
    ) as PandasRfm;
    const r = await rfm('datasets/online_retail_uci.csv.gz', {
      customer: 'CustomerID',
      date: 'InvoiceDate',
      quantity: 'Quantity',
      price: 'UnitPrice',
      order: 'InvoiceNo',
      product: 'StockCode',
    });
    expect(r.asOf).toBe(expected.as_of);
    expect(r.rows).toBe(expected.rows);
    expect(r.droppedNoCustomer).toBe(expected.dropped_no_customer);
    expect(r.customersWithoutPurchase).toBe(expected.customers_without_purchase);
    expect(r.table.numRows).toBe(expected.customers.length);
    expect(Array.from(r.table.getChild('CustomerID')!.toArray() as Float64Array)).toEqual(
      expected.customers,
    );
    for (const [name, values] of Object.entries(expected.columns)) {
      const got = r.table.getChild(name)!.toArray() as Float64Array;
      for (let i = 0; i < values.length; i++) {
        // Counts and days are exact; sums of money differ only by the order of float additions.
        if (['recency_days', 'frequency', 'tenure_days', 'distinct_products'].includes(name))
          expect(got[i]).toBe(values[i]);
        else
          expect(Math.abs(got[i] - values[i])).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(values[i])),
          );
      }
    }
  });
});

function log(text: string): string {
  const path = join(tempDir(), 'tx.csv');
  writeFileSync(path, text);
  return path;
}

describe('rfm on hand-checkable logs', () => {
  test('every definition on a small log', async () => {
    // c1: orders o1 (20 + 30, day 1), o2 (50, day 3), a return of 10 on day 4: purchased 100, net 90. c2: one order on day 2.
    // c3: only a return (left out). A row without customer (dropped). As-of: day after day 4 = 2024-01-05.
    const path = log(
      [
        'cust,when,order,sku,qty,price',
        'c1,2024-01-01 09:00,o1,A,2,10',
        'c1,2024-01-01 10:00,o1,B,1,30',
        'c1,2024-01-03,o2,A,1,50',
        'c1,2024-01-04,r1,A,-1,10',
        'c2,2024-01-02,o3,C,4,25',
        'c3,2024-01-02,r2,C,-1,5',
        ',2024-01-04,o4,A,1,1',
      ].join('\n'),
    );
    const r = await rfm(path, {
      customer: 'cust',
      date: 'when',
      quantity: 'qty',
      price: 'price',
      order: 'order',
      product: 'sku',
    });
    expect(r.asOf).toBe('2024-01-05');
    expect(r.droppedNoCustomer).toBe(1);
    expect(r.customersWithoutPurchase).toBe(1);
    const row = (i: number) =>
      Object.fromEntries(
        r.table.schema.fields.map((f) => [f.name, r.table.getChild(f.name)!.get(i)]),
      );
    expect(row(0)).toEqual({
      cust: 'c1',
      recency_days: 2,
      frequency: 2,
      monetary: 90,
      avg_order_value: 50,
      tenure_days: 4,
      return_rate: 0.1,
      distinct_products: 2,
    });
    expect(row(1)).toEqual({
      cust: 'c2',
      recency_days: 3,
      frequency: 1,
      monetary: 100,
      avg_order_value: 100,
      tenure_days: 3,
      return_rate: 0,
      distinct_products: 1,
    });
    // Without --order, frequency counts distinct purchase days; --as-of moves recency and tenure.
    const days = await rfm(path, {
      customer: 'cust',
      date: 'when',
      amount: 'qty',
      asOf: '2024-02-01',
    });
    expect(days.table.getChild('frequency')!.get(0)).toBe(2);
    expect(days.table.getChild('recency_days')!.get(0)).toBe(29);
  });

  test('text dates with --date-format', async () => {
    const path = log('id;dt;amt\n1;31-12-2023;5\n1;02-01-2024;7\n');
    const r = await rfm(path, {
      customer: 'id',
      date: 'dt',
      amount: 'amt',
      dateFormat: '%d-%m-%Y',
    });
    expect(r.asOf).toBe('2024-01-03');
    expect(r.table.getChild('tenure_days')!.get(0)).toBe(3);
  });
});

describe('gpuseg rfm: bad input', () => {
  const cases: [string, string, string[], RegExp][] = [
    [
      'missing column',
      'c,d,a\n1,2024-01-01,3\n',
      ['--customer', 'c', '--date', 'd', '--amount', 'amount'],
      /--amount: unknown column 'amount'; the input has 'c', 'd', 'a'/,
    ],
    [
      'unparseable date',
      'c,d,a\n1,2024-01-01,3\n2,not a date,4\n',
      ['--customer', 'c', '--date', 'd', '--amount', 'a'],
      /--date: column 'd' has 1 value that are not dates \(e\.g\. 'not a date', data row 2\); give --date-format/,
    ],
    [
      'negative-only customers',
      'c,d,a\n1,2024-01-01,-3\n2,2024-01-02,-4\n',
      ['--customer', 'c', '--date', 'd', '--amount', 'a'],
      /no customer has a purchase row/,
    ],
    [
      'non-numeric amount',
      'c,d,a\n1,2024-01-01,x\n',
      ['--customer', 'c', '--date', 'd', '--amount', 'a'],
      /--amount: column 'a' is VARCHAR, not numeric/,
    ],
    [
      'both amount and quantity',
      'c,d,a\n1,2024-01-01,3\n',
      ['--customer', 'c', '--date', 'd', '--amount', 'a', '--quantity', 'a', '--price', 'a'],
      /not both/,
    ],
  ];
  test.each(cases)('%s', (_name, csv, flags, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tx.csv'), csv);
    const r = gpuseg(['rfm', join(dir, 'tx.csv'), ...flags, '--output', join(dir, 'out.arrow')]);
    expect(r.status === 2 || r.status === 3).toBe(true);
    expect(errors(r)).toMatch(message);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(dir)).toEqual(['tx.csv']);
  });

  test('a single customer is fine for rfm', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tx.csv'), 'c,d,a\n1,2024-01-01,3\n');
    const r = gpuseg([
      'rfm',
      join(dir, 'tx.csv'),
      '--customer',
      'c',
      '--date',
      'd',
      '--amount',
      'a',
      '--output',
      join(dir, 'out.csv'),
      '--json',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).customers).toBe(1);
  });
});
