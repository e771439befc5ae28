import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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
      /--amount: column 'a' has a value that is not a number \(e\.g\. 'x', data row 1\)/,
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

describe('issue 11: rfm reads dates, ids and amounts as written', () => {
  const recency = (r: Awaited<ReturnType<typeof rfm>>): number[] =>
    Array.from(r.table.getChild('recency_days')!.toArray() as Float64Array);

  test('a given --date-format wins over the date type DuckDB guessed', async () => {
    const path = log('c,d,a\n1,01/05/2024,3\n2,02/03/2024,4\n');
    const r = await rfm(path, { customer: 'c', date: 'd', amount: 'a', dateFormat: '%m/%d/%Y' });
    expect(r.asOf).toBe('2024-02-04');
    expect(recency(r)).toEqual([30, 1]);
  });

  test('integer dates yyyymmdd with %Y%m%d', async () => {
    const path = log('c,d,a\n1,20110131,3\n2,20110203,4\n');
    const r = await rfm(path, { customer: 'c', date: 'd', amount: 'a', dateFormat: '%Y%m%d' });
    expect(r.asOf).toBe('2011-02-04');
    expect(recency(r)).toEqual([4, 1]);
  });

  test('integer dates without a format name the formats to try', async () => {
    const path = log('c,d,a\n1,20110131,3\n');
    await expect(rfm(path, { customer: 'c', date: 'd', amount: 'a' })).rejects.toThrow(
      /^date: column 'd' has 1 value that are not dates \(e\.g\. '20110131', data row 1\); give dateFormat: '%Y%m%d'/,
    );
  });

  test('Excel serial days, with the 1900 leap-year bug as Excel shows it', async () => {
    // 45292 = 2024-01-01; 1 = 1900-01-01, 59 = 1900-02-28, 61 = 1900-03-01; a fraction is the time.
    const path = log('c,d,a\n1,45292,3\n2,45294.75,4\n3,1,1\n4,59,1\n5,61,1\n');
    const r = await rfm(path, {
      customer: 'c',
      date: 'd',
      amount: 'a',
      dateFormat: 'excel',
      asOf: '2024-01-04',
    });
    expect(recency(r)).toEqual([3, 1, 45293, 45235, 45234]);
    // 60 is Excel's 1900-02-29, a day that never was.
    await expect(
      rfm(log('c,d,a\n1,45292,3\n2,60,4\n'), {
        customer: 'c',
        date: 'd',
        amount: 'a',
        dateFormat: 'excel',
      }),
    ).rejects.toThrow(/column 'd' has 1 value that are not dates \(e\.g\. '60', data row 2\)/);
  });

  test('epoch seconds and milliseconds (UTC days)', async () => {
    const s = await rfm(log('c,d,a\n1,1704067200,3\n2,1704326399,4\n'), {
      customer: 'c',
      date: 'd',
      amount: 'a',
      dateFormat: 'epoch-s',
    });
    expect(s.asOf).toBe('2024-01-04');
    expect(recency(s)).toEqual([3, 1]);
    const ms = await rfm(log('c,d,a\n1,1704067200000,3\n2,1704326399999,4\n'), {
      customer: 'c',
      date: 'd',
      amount: 'a',
      dateFormat: 'epoch-ms',
    });
    expect(ms.asOf).toBe('2024-01-04');
    expect(recency(ms)).toEqual([3, 1]);
  });

  test('a value that does not match the format names the column, the row and the value', async () => {
    const path = log('c,d,a\n1,01/05/2024,3\n2,13/45/2024,4\n');
    await expect(
      rfm(path, { customer: 'c', date: 'd', amount: 'a', dateFormat: '%m/%d/%Y' }),
    ).rejects.toThrow(
      "date: column 'd' has 1 value that are not dates (e.g. '13/45/2024', data row 2); they do not match dateFormat %m/%d/%Y",
    );
  });

  test('30 distinct 20-digit ids stay 30 customers, exactly as written', async () => {
    const ids = Array.from({ length: 30 }, (_, i) =>
      String(12345678901234567000n + BigInt(i) * 7n),
    );
    const path = log(
      ['cust,d,a', ...ids.map((id, i) => `${id},2024-01-${1 + (i % 28)},${i + 1}`)].join('\n'),
    );
    const r = await rfm(path, { customer: 'cust', date: 'd', amount: 'a' });
    expect(r.customers).toBe(30);
    expect(r.table.getChild('cust')!.toArray()).toEqual([...ids].sort());
  });

  test('2^53 + 1 and 2^53 are two customers', async () => {
    // DuckDB's BIGINT is exact; a DOUBLE guess (one id written 9007199254740992.0) is read as text.
    const ints = log('c,d,a\n9007199254740993,2024-01-01,3\n9007199254740992,2024-01-02,4\n');
    const r = await rfm(ints, { customer: 'c', date: 'd', amount: 'a' });
    expect(Array.from(r.table.getChild('c')!.toArray() as BigInt64Array)).toEqual([
      9007199254740992n,
      9007199254740993n,
    ]);
    const doubles = log('c,d,a\n9007199254740993,2024-01-01,3\n9007199254740992.0,2024-01-02,4\n');
    const d = await rfm(doubles, { customer: 'c', date: 'd', amount: 'a' });
    expect(d.table.getChild('c')!.toArray()).toEqual(['9007199254740992.0', '9007199254740993']);
  });

  test('a literal NULL (or NA, -, #N/A) customer is a missing customer', async () => {
    const path = log(
      'c,d,a\n1,2024-01-01,3\nNULL,2024-01-02,4\n2,2024-01-03,5\n#N/A,2024-01-03,5\n',
    );
    const r = await rfm(path, { customer: 'c', date: 'd', amount: 'a' });
    expect(r.droppedNoCustomer).toBe(2);
    expect(r.customers).toBe(2);
    expect(Array.from(r.table.getChild('c')!.toArray() as BigInt64Array)).toEqual([1n, 2n]);
  });

  test('--thousands reads amounts, quantities and prices with separators', async () => {
    const path = log('c,d,q,p\n1,2024-01-01,"1,000","1,234.5"\n1,2024-01-02,2,0.5\n');
    const r = await rfm(path, {
      customer: 'c',
      date: 'd',
      quantity: 'q',
      price: 'p',
      thousands: ',',
    });
    expect(r.table.getChild('monetary')!.get(0)).toBe(1234501);
    const dots = log('c;d;a\n1;2024-01-01;1.234,5\n1;2024-01-02;7\n');
    const d = await rfm(dots, { customer: 'c', date: 'd', amount: 'a', thousands: '.' });
    expect(d.table.getChild('monetary')!.get(0)).toBe(1241.5);
    await expect(
      rfm(log('c,d,a\n1,2024-01-01,"1,234.5"\n1,2024-01-02,"12,34"\n'), {
        customer: 'c',
        date: 'd',
        amount: 'a',
        thousands: ',',
      }),
    ).rejects.toThrow(
      "amount: column 'a' has 1 value that are not numbers with thousands , (e.g. '12,34', data row 2)",
    );
  });

  test.each([
    ['UTF-16LE', (t: string) => Buffer.from('\uFEFF' + t, 'utf16le')],
    ['UTF-16BE', (t: string) => Buffer.from('\uFEFF' + t, 'utf16le').swap16()],
  ])('a %s log is read by its byte-order mark', async (_name, encode) => {
    const path = join(tempDir(), 'tx.csv');
    writeFileSync(path, encode('cust,d,a\nc1,2024-01-01,3\nc2,2024-01-02,4\n'));
    const r = await rfm(path, { customer: 'cust', date: 'd', amount: 'a' });
    expect(r.table.getChild('cust')!.toArray()).toEqual(['c1', 'c2']);
  });
});

describe('issue 11: line ends', () => {
  test('a log mixing \\n, \\r\\n and \\r line ends reads, with no \\r in the last column', async () => {
    const path = log(
      'c,d,a,p\n1,2024-01-01,3,x\r\n1,2024-01-02,4,x\n2,2024-01-03,5,y\r2,2024-01-03,5,"y"\r\n',
    );
    const r = await rfm(path, { customer: 'c', date: 'd', amount: 'a', product: 'p' });
    expect(r.rows).toBe(4);
    expect(Array.from(r.table.getChild('distinct_products')!.toArray() as Float64Array)).toEqual([
      1, 1,
    ]);
  });
});

describe('issue 11: line ends that change past the first 64 KiB', () => {
  test('a log in \\r\\n that switches to \\n later is read whole, with no \\r in a value', async () => {
    const head = Array.from(
      { length: 6000 },
      (_, i) => `${i % 50},2024-01-0${1 + (i % 9)},1,p${i % 3}`,
    );
    const tail = Array.from(
      { length: 6000 },
      (_, i) => `${i % 50},2024-02-0${1 + (i % 9)},2,p${i % 3}`,
    );
    const text = `c,d,a,p\r\n${head.join('\r\n')}\r\n${tail.join('\n')}\n`;
    expect(text.indexOf('\n2')).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(2 * 65536);
    const r = await rfm(log(text), { customer: 'c', date: 'd', amount: 'a', product: 'p' });
    expect(r.rows).toBe(12000);
    // Three products per customer: a \r kept in the last column would make six.
    expect(new Set(r.table.getChild('distinct_products')!.toArray() as Float64Array)).toEqual(
      new Set([3]),
    );
  });
});

describe('issue 11: gpuseg rfm refuses what it cannot read, in one line', () => {
  test('a truncated .gz is an input error naming the file', () => {
    const dir = tempDir();
    const lines = [
      'c,d,a',
      ...Array.from({ length: 20000 }, (_, i) => `${i % 97},2024-01-${1 + (i % 28)},${i}`),
    ];
    const whole = gzipSync(lines.join('\n'));
    writeFileSync(join(dir, 'tx.csv.gz'), whole.subarray(0, whole.length >> 1));
    const r = gpuseg([
      'rfm',
      join(dir, 'tx.csv.gz'),
      '--customer',
      'c',
      '--date',
      'd',
      '--amount',
      'a',
      '--output',
      join(dir, 'out.csv'),
    ]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /tx\.csv\.gz' is not a readable gzip file: it ends early \(truncated\?\)/,
    );
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(dir)).toEqual(['tx.csv.gz']);
  });

  test.each([
    [['--date-format', 'dd/mm/yyyy'], 2, /--date-format: expected a strptime format/],
    [['--thousands', '_'], 2, /--thousands/],
  ])('%s', (flags, status, message) => {
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
      ...flags,
      '--output',
      join(dir, 'out.csv'),
    ]);
    expect(r.status).toBe(status);
    expect(errors(r)).toMatch(message);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(dir)).toEqual(['tx.csv']);
  });
});
