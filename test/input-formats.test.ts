import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bool,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  Float16,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  makeVector,
  Struct,
  Table,
  tableToIPC,
  Uint8,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { featureMatrix } from '../src/api/input.js';
import { fit, InputError } from '../src/index.js';
import { readTable } from '../src/io/read-table.js';
import { gpuseg, tempDir } from './helpers/cli.js';

/** What each input quirk becomes: a number, or a one-line error that says why not. */
async function csv(text: string, name = 'x.csv'): Promise<Table> {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return readTable(path);
}

describe('CSV quirks', () => {
  test('quoted numbers are numbers', async () => {
    const t = await csv('id,a,b\n1,"1.5","2"\n2,"3.25",4\n');
    expect(t.getChild('a')!.toArray()).toEqual(Float64Array.from([1.5, 3.25]));
    expect(featureMatrix(t, {}).roles.features).toEqual(['a', 'b']);
  });

  test('a UTF-8 byte-order mark is dropped from the first column name', async () => {
    const t = await csv('\uFEFFCustomerID,spend\n7,10\n8,12\n');
    expect(t.schema.fields[0].name).toBe('CustomerID');
  });

  test('decimal commas with a semicolon delimiter', async () => {
    const t = await csv('id;spend;visits\n1;1,5;3\n2;2,25;4\n');
    expect(t.getChild('spend')!.toArray()).toEqual(Float64Array.from([1.5, 2.25]));
  });

  test('tab-separated, CRLF line ends and no final newline', async () => {
    const t = await csv('a\tb\r\n1\t2\r\n3\t4');
    expect(t.numRows).toBe(2);
    expect(t.getChild('b')!.toArray()).toEqual(Float64Array.from([2, 4]));
  });

  test('codes with leading zeros stay text', async () => {
    const t = await csv('zip,a\n01234,1\n98765,2\n');
    expect(String(t.getChild('zip')!.type)).toBe('Utf8');
    expect(t.getChild('zip')!.get(0)).toBe('01234');
  });

  test('an empty or all-null column is reported, not clustered as zeros', async () => {
    const t = await csv('a,b\n1,\n2,\n3,NA\n');
    expect(() => featureMatrix(t, {})).toThrow(
      "column 'b' has 3 missing (null or NaN) values, first at row 0",
    );
  });

  test('the tab-separated marketing dataset reads with its 24 missing incomes', async () => {
    const t = await readTable('datasets/marketing_campaign.csv');
    expect(t.numRows).toBe(2240);
    expect(t.getChild('Income')!.nullCount).toBe(24);
    expect(String(t.getChild('Dt_Customer')!.type)).toBe('Utf8');
  });
});

function arrowTable(columns: Record<string, Vector>): Promise<Table> {
  const path = join(tempDir(), 't.arrow');
  writeFileSync(path, tableToIPC(new Table(columns), 'file'));
  return readTable(path);
}

describe('Arrow column types', () => {
  test('integers of every width, int64, uint8, float16 and decimals become numbers', async () => {
    const t = await arrowTable({
      i32: makeVector(Int32Array.from([1, -2, 3])),
      i64: makeVector({ type: new Int64(), data: BigInt64Array.from([10n, -20n, 30n]) }),
      u8: makeVector({ type: new Uint8(), data: Uint8Array.from([250, 0, 7]) }),
      f16: makeVector({ type: new Float16(), data: Uint16Array.from([0x3c00, 0xc000, 0x3800]) }),
      dec: makeVector(
        makeData({
          type: new Decimal(2, 10, 128),
          length: 3,
          data: Uint32Array.from([
            12345, 0, 0, 0, 4294967295, 4294967295, 4294967295, 4294967295, 50, 0, 0, 0,
          ]),
        }),
      ),
    });
    const { matrix } = featureMatrix(t, {});
    const col = (j: number) => Array.from(matrix.data.subarray(j * 3, j * 3 + 3));
    expect(col(0)).toEqual([1, -2, 3]);
    expect(col(1)).toEqual([10, -20, 30]);
    expect(col(2)).toEqual([250, 0, 7]);
    expect(col(3)).toEqual([1, -2, 0.5]);
    expect(col(4).map((v) => Math.round(v * 100) / 100)).toEqual([123.45, -0.01, 0.5]);
  });

  test('booleans are 0/1 when named as features, and left out by default', async () => {
    const t = await arrowTable({
      a: makeVector(Float64Array.from([1, 2, 3])),
      flag: vectorFromArray([true, false, true], new Bool()),
    });
    expect(featureMatrix(t, {}).roles.features).toEqual(['a']);
    const { matrix } = featureMatrix(t, { features: ['a', 'flag'] });
    expect(Array.from(matrix.data.subarray(3, 6))).toEqual([1, 0, 1]);
  });

  test.each([
    [
      'a dictionary (categorical) column',
      () => vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int32())),
      /column 'c' is categorical/,
    ],
    [
      'a date column',
      () => vectorFromArray([new Date(0), new Date(86400000), new Date(0)], new DateDay()),
      /column 'c' is a date \(Date/,
    ],
    [
      'a text column',
      () => vectorFromArray(['a', 'b', 'c'], new Utf8()),
      /column 'c' is text, not numeric/,
    ],
    [
      'a list column',
      () => vectorFromArray([[1], [2, 3], []], new List(new Field('item', new Float64()))),
      /column 'c' is nested/,
    ],
    [
      'a struct column',
      () =>
        vectorFromArray(
          [{ u: 1 }, { u: 2 }, { u: 3 }],
          new Struct([new Field('u', new Float64())]),
        ),
      /column 'c' is nested/,
    ],
  ])('%s as a feature is refused with what it is', async (_name, make, message) => {
    const t = await arrowTable({ a: makeVector(Float64Array.from([1, 2, 3])), c: make() });
    expect(featureMatrix(t, {}).roles.features).toEqual(['a']);
    expect(() => featureMatrix(t, { features: ['a', 'c'] })).toThrow(message);
    await expect(fit(t, { k: 2, features: ['a', 'c'], backend: 'cpu' })).rejects.toThrow(
      InputError,
    );
  });

  test('a float column with nulls reports them', async () => {
    const t = await arrowTable({ a: vectorFromArray([1, null, 3, null, 5], new Float64()) });
    expect(() => featureMatrix(t, {})).toThrow(
      "column 'a' has 2 missing (null or NaN) values, first at row 1",
    );
  });
});

describe('readers that would not return', () => {
  test('an Arrow file on which apache-arrow loops forever is refused after a deadline', async () => {
    // Found by test/fuzz.test.ts: Mall_Customers.arrow with a few bytes of its footer changed.
    const started = performance.now();
    const error = await readTable('test/fixtures/hangs-apache-arrow.arrow').catch((e: Error) => e);
    const elapsed = performance.now() - started;
    expect(String(error)).toMatch(
      /is not a readable Arrow IPC file: the reader did not finish within \d+(\.\d+)? s/,
    );
    // The deadline stretches with the machine's load (guarded-decode.ts): 5 s on an idle one. The
    // run ends soon after the deadline it states, not minutes later.
    const stated = Number(/within (\d+(?:\.\d+)?) s/.exec(String(error))![1]);
    expect(elapsed).toBeLessThan(stated * 1000 + 5_000);
    // The next read starts a fresh reader.
    expect((await readTable('datasets/Mall_Customers.arrow')).numRows).toBe(200);
  });
});

describe('reads at once in one process', () => {
  test('a file read while a hanging one is checked is not failed by that one’s deadline', async () => {
    // Both checks go to the one decode worker; the second waits for its turn. When the first
    // misses its deadline and its worker is ended, the second starts on a fresh one (it used to
    // fail with "the reader stopped").
    const hanging = readTable('test/fixtures/hangs-apache-arrow.arrow').catch((e: Error) => e);
    const fine = readTable('datasets/Mall_Customers.arrow');
    expect(String(await hanging)).toMatch(/the reader did not finish within/);
    expect((await fine).numRows).toBe(200);
  }, 120_000);
});

describe('issue 11: what a CSV reader must not silently change', () => {
  test('mixed line endings leave no \\r in the last text column', async () => {
    const t = await csv('id,a,name\n1,2,x\r\n2,3,y\r\n3,4,z\n4,5,w\r5,6,v');
    expect(t.getChild('name')!.toArray()).toEqual(['x', 'y', 'z', 'w', 'v']);
    expect(t.getChild('a')!.toArray()).toEqual(Float64Array.from([2, 3, 4, 5, 6]));
    const crlfFirst = await csv('id,a,name\r\n1,2,x\n2,3,y\r\n');
    expect(crlfFirst.getChild('name')!.toArray()).toEqual(['x', 'y']);
  });

  test.each([
    ['UTF-16LE', (text: string) => Buffer.from('\uFEFF' + text, 'utf16le')],
    ['UTF-16BE', (text: string) => Buffer.from('\uFEFF' + text, 'utf16le').swap16()],
    ['UTF-8 with a byte-order mark', (text: string) => Buffer.from('\uFEFF' + text, 'utf8')],
  ])('%s is decoded by its byte-order mark', async (_name, encode) => {
    const path = join(tempDir(), 'x.csv');
    writeFileSync(path, encode('CustomerID,spend,city\n7,10,Zürich\n8,12,Łódź\n'));
    const t = await readTable(path);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['CustomerID', 'spend', 'city']);
    expect(t.getChild('spend')!.toArray()).toEqual(Float64Array.from([10, 12]));
    expect(t.getChild('city')!.toArray()).toEqual(['Zürich', 'Łódź']);
  });

  test('UTF-16 without a byte-order mark is refused, not read as NUL-filled names', async () => {
    const path = join(tempDir(), 'x.csv');
    writeFileSync(path, Buffer.from('id,a\n1,2\n', 'utf16le').swap16());
    await expect(readTable(path)).rejects.toThrow(
      /x\.csv' has NUL bytes: UTF-16 without a byte-order mark, or not a text file; save it as UTF-8/,
    );
  });

  test('- and #N/A are missing values, not text', async () => {
    const t = await csv('a,b\n1,-\n#N/A,2\n3,4\n');
    expect(t.getChild('a')!.nullCount).toBe(1);
    expect(t.getChild('b')!.nullCount).toBe(1);
    expect(featureMatrix(t, {}, { allowMissing: true }).roles.features).toEqual(['a', 'b']);
  });

  test.each([
    [',', 'a,b\n"1,234.5",1\n"-12,000",2\n7.25,3\n', [1234.5, -12000, 7.25]],
    ['.', 'a;b\n1.234,5;1\n-12.000;2\n7,25;3\n', [1234.5, -12000, 7.25]],
    ['space', 'a;b\n1 234,5;1\n-12\u00a0000;2\n7,25;3\n', [1234.5, -12000, 7.25]],
    ['space', 'a,b\n1 234.5,1\n-12\u202f000,2\n7.25,3\n', [1234.5, -12000, 7.25]],
  ] as const)('thousands separator %s', async (thousands, text, values) => {
    const path = join(tempDir(), 'x.csv');
    writeFileSync(path, text);
    expect(String((await readTable(path)).getChild('a')!.type)).toBe('Utf8');
    const t = await readTable(path, { thousands });
    expect(t.getChild('a')!.toArray()).toEqual(Float64Array.from(values));
  });

  test("with --thousands '.', a '.' outside a grouping is no number", async () => {
    const path = join(tempDir(), 'x.csv');
    writeFileSync(path, 'a;b\n1.234;1\n1.5;2\n3;3\n');
    const t = await readTable(path, { thousands: '.' });
    expect(String(t.getChild('a')!.type)).toBe('Utf8');
  });

  test('ids above 2^53 stay distinct and exactly as written', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => String(9007199254740993n + BigInt(i) * 3n));
    const lines = ids.map((id, i) => `${id},${i % 7},${(i * 13) % 11}`);
    const t = await csv(['CustomerID,a,b', ...lines].join('\n'));
    expect(String(t.getChild('CustomerID')!.type)).toBe('Utf8');
    expect(t.getChild('CustomerID')!.toArray()).toEqual(ids);
    expect(featureMatrix(t, {}).roles.features).toEqual(['a', 'b']);
    // An id column named by --id, and 20-digit ids.
    const named = await readTable(
      (() => {
        const path = join(tempDir(), 'x.csv');
        writeFileSync(path, 'acct,a\n12345678901234567890,1\n12345678901234567891,2\n');
        return path;
      })(),
      { id: 'acct' },
    );
    expect(named.getChild('acct')!.toArray()).toEqual([
      '12345678901234567890',
      '12345678901234567891',
    ]);
  });

  test('two ids that one double would hold are two ids', async () => {
    const t = await csv('id,a\n9007199254740993,1\n9007199254740992,2\n 17850.0,3\n');
    expect(t.getChild('id')!.toArray()).toEqual([
      '9007199254740993',
      '9007199254740992',
      ' 17850.0',
    ]);
  });

  test('ids a double holds exactly stay numbers, as before', async () => {
    const t = await csv('id,a\n17850,1\n17851.0,2\n-3,3\n');
    expect(t.getChild('id')!.toArray()).toEqual(Float64Array.from([17850, 17851, -3]));
  });

  test('a numeric-looking column left out of the default features is named, with its first bad cell', async () => {
    const t = await csv(
      'id,a,b,c,name,zip\n1,1,"1,234.5",5,x,12345\n2,2,7,6,y,02134\n3,x,8,7,z,98765\n4,4,9,-,w,12000\n',
    );
    const { roles } = featureMatrix(t, {}, { allowMissing: true });
    expect(roles.features).toEqual(['c']);
    expect(roles.excluded).toEqual([
      { column: 'a', reason: 'not a number', row: 2, value: 'x' },
      { column: 'b', reason: 'thousands separator', row: 0, value: '1,234.5' },
      { column: 'zip', reason: 'leading zero', row: 1, value: '02134' },
    ]);
    // With the separator given, b is a number; named features are not second-guessed.
    const path = join(tempDir(), 'y.csv');
    writeFileSync(path, 'a,b\n1,"1,234.5"\n2,7\n3,8\n');
    expect(featureMatrix(await readTable(path, { thousands: ',' }), {}).roles).toMatchObject({
      features: ['a', 'b'],
      excluded: [],
    });
  });

  test('fit says which columns it left out: a notice and stats.excludedColumns', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i === 7 ? '#REF!' : i % 5},${i % 3}`);
    const path = join(tempDir(), 'x.csv');
    writeFileSync(path, ['id,a,b', ...rows].join('\n'));
    const notices: string[] = [];
    const r = await fit(path, { k: 2, backend: 'cpu', onNotice: (m) => notices.push(m) });
    expect(r.model.features).toEqual(['b']);
    expect(r.stats.excludedColumns).toEqual([
      { column: 'a', reason: 'not a number', row: 7, value: '#REF!' },
    ]);
    expect(notices).toContain(
      "column 'a' is left out of the features: it looks numeric but data row 8 has '#REF!' (not a number); fix the value or mark it missing (empty, NA, - or #N/A)",
    );
  });

  test('text columns of Arrow files that look numeric are named too', async () => {
    const t = await arrowTable({
      a: makeVector(Float64Array.from([1, 2, 3])),
      b: vectorFromArray(['1', 'n/a', '3'], new Utf8()),
      name: vectorFromArray(['ann', 'bo', '4'], new Utf8()),
    });
    expect(featureMatrix(t, {}).roles.excluded).toEqual([
      { column: 'b', reason: 'not a number', row: 1, value: 'n/a' },
    ]);
  });
});

describe('issue 11: long ids and left-out columns through the CLI', () => {
  const ids = Array.from({ length: 200 }, (_, i) => String(9007199254740993n + BigInt(i) * 3n));
  const table = (dir: string): string => {
    const path = join(dir, 'customers.csv');
    const rows = ids.map((id, i) => `${id},${i % 7},${(i * 13) % 11},${i === 5 ? '-' : i % 4}`);
    writeFileSync(path, ['CustomerID,a,b,c', ...rows].join('\n'));
    return path;
  };

  test('fit, predict and profile carry ids above 2^53 exactly as written', () => {
    const dir = tempDir();
    const input = table(dir);
    const out = join(dir, 'seg.csv');
    const model = join(dir, 'model.json');
    const f = gpuseg([
      'fit',
      input,
      '--k',
      '3',
      '--backend',
      'cpu',
      '--impute',
      'mean',
      '--output',
      out,
      '--model',
      model,
    ]);
    expect(f.status).toBe(0);
    const outIds = (path: string): string[] =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]);
    expect(outIds(out)).toEqual(ids);
    const p = gpuseg([
      'predict',
      input,
      '--model',
      model,
      '--backend',
      'cpu',
      '--output',
      join(dir, 'p.csv'),
    ]);
    expect(p.status).toBe(0);
    expect(outIds(join(dir, 'p.csv'))).toEqual(ids);
    const prof = gpuseg(['profile', input, '--segments', out, '--output', join(dir, 'prof.json')]);
    expect(prof.status).toBe(0);
    const sizes = (
      JSON.parse(readFileSync(join(dir, 'prof.json'), 'utf8')) as {
        segments: { size: number }[];
      }
    ).segments.map((s) => s.size);
    const labels = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[1]);
    expect(sizes).toEqual([0, 1, 2].map((c) => labels.filter((l) => l === String(c)).length));
  });

  test('fit --json names the columns left out of the default features', () => {
    const dir = tempDir();
    const path = join(dir, 'x.csv');
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i},${i % 5},${i === 9 ? '"1,234.5"' : i % 3}`,
    );
    writeFileSync(path, ['id,a,b', ...rows].join('\n'));
    const r = gpuseg(['fit', path, '--k', '2', '--backend', 'cpu', '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { features: string[]; excluded_columns: unknown };
    expect(summary.features).toEqual(['a']);
    expect(summary.excluded_columns).toEqual([
      { column: 'b', reason: 'thousands separator', row: 9, value: '1,234.5' },
    ]);
    expect(r.stderr).toMatch(
      /column 'b' is left out of the features: it looks numeric but data row 10 has '1,234\.5' \(thousands separator\); give --thousands/,
    );
    const withSeparator = gpuseg([
      'fit',
      path,
      '--k',
      '2',
      '--backend',
      'cpu',
      '--json',
      '--thousands',
      ',',
    ]);
    expect(withSeparator.status).toBe(0);
    expect(JSON.parse(withSeparator.stdout)).toMatchObject({
      features: ['a', 'b'],
      excluded_columns: [],
    });
  });
});
