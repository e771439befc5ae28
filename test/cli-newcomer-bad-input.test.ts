import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * A newcomer's mistakes with a transaction log (rfm, segment) and with --as-of: each a one-line
 * message naming the file, flag, row or value at fault, the exit status of its class (usage 2,
 * input 3), never an internal error (1) or DuckDB's wording, and no output file left behind.
 */

const LOG = 'c,d,a\n1,2024-01-02,10\n2,2024-01-03,20\n1,2024-02-01,5\n3,2024-02-03,7\n';

interface Case {
  name: string;
  /** Writes the files the case needs into `dir`; returns the log's path. */
  log: (dir: string) => string;
  extra?: string[];
  status: number;
  message: RegExp;
}

const write = (dir: string, name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const cases: Case[] = [
  {
    name: 'a missing log is an input error naming it, not an internal ENOENT',
    log: (dir) => join(dir, 'nope.csv'),
    status: 3,
    message: /^gpuseg: error: input file not found: '.*nope\.csv'$/,
  },
  {
    name: 'an empty log (0 bytes) says so, not "unknown column" against a made-up column0',
    log: (dir) => write(dir, 'empty.csv', ''),
    status: 3,
    message: /^gpuseg: error: '.*empty\.csv' is empty \(0 bytes\)$/,
  },
  {
    name: 'a folder given as the log',
    log: (dir) => {
      mkdirSync(join(dir, 'logs'));
      return join(dir, 'logs');
    },
    status: 3,
    message: /^gpuseg: error: '.*logs' is a folder, not a table file$/,
  },
  {
    name: 'a log of a header alone has no transactions (not "--amount is VARCHAR")',
    log: (dir) => write(dir, 'header.csv', 'c,d,a\n'),
    status: 3,
    message: /^gpuseg: error: '.*header\.csv' has no transactions \(no data rows\)$/,
  },
  {
    name: 'a text value in the amount column names the flag, column, value and data row',
    log: (dir) =>
      write(dir, 'text.csv', 'c,d,a\n1,2024-01-02,10\n2,2024-01-03,abc\n1,2024-02-01,5\n'),
    status: 3,
    message:
      /^gpuseg: error: --amount: column 'a' has a value that is not a number \(e\.g\. 'abc', data row 2\); fix them, or give --thousands/,
  },
  {
    name: 'an --as-of that is no calendar day (30 February) is a usage error',
    log: (dir) => write(dir, 'tx.csv', LOG),
    extra: ['--as-of', '2024-02-30'],
    status: 2,
    message: /^gpuseg: error: --as-of: expected a date as YYYY-MM-DD, got '2024-02-30'$/,
  },
  {
    name: 'an --as-of with month 13 is a usage error, not a DuckDB conversion error',
    log: (dir) => write(dir, 'tx.csv', LOG),
    extra: ['--as-of', '2024-13-01'],
    status: 2,
    message: /^gpuseg: error: --as-of: expected a date as YYYY-MM-DD, got '2024-13-01'$/,
  },
];

describe('gpuseg rfm and segment: bad transaction logs', () => {
  test.each(cases)('rfm: $name', ({ log, extra, status, message }) => {
    const dir = tempDir();
    const path = log(dir);
    const before = filesIn(dir);
    const r = gpuseg([
      'rfm',
      path,
      ...['--customer', 'c', '--date', 'd', '--amount', 'a'],
      ...(extra ?? []),
      ...['--output', join(dir, 'rfm.csv')],
    ]);
    expect(errors(r)).toMatch(message);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(r.status).toBe(status);
    expect(filesIn(dir)).toEqual(before);
  });

  test('segment: a missing log is an input error (exit 3) and writes nothing', () => {
    const dir = tempDir();
    const r = gpuseg([
      'segment',
      join(dir, 'nope.csv.gz'),
      ...['--customer', 'c', '--date', 'd', '--amount', 'a', '--backend', 'cpu'],
      ...['--output', join(dir, 'segments.csv'), '--model', join(dir, 'model.json')],
    ]);
    expect(errors(r)).toMatch(/^gpuseg: error: input file not found: '.*nope\.csv\.gz'$/);
    expect(r.status).toBe(3);
    expect(filesIn(dir)).toEqual([]);
  });
});

describe('gpuseg fit --history: --as-of must be a calendar day', () => {
  test('--as-of 2024-02-30 is a usage error and creates no store or period', () => {
    const dir = tempDir();
    const table = write(dir, 't.csv', 'id,x,y\n1,1,2\n2,2,1\n3,8,9\n4,9,8\n');
    const store = join(dir, 'store');
    const r = gpuseg([
      'fit',
      table,
      ...['--k', '2', '--id', 'id', '--backend', 'cpu'],
      ...['--history', store, '--as-of', '2024-02-30', '--output', join(dir, 'out.csv')],
    ]);
    expect(errors(r)).toMatch(
      /^gpuseg: error: --as-of: expected a date as YYYY-MM-DD, got '2024-02-30'$/,
    );
    expect(r.status).toBe(2);
    expect(existsSync(join(store, '2024-02-30'))).toBe(false);
    expect(filesIn(dir)).toEqual(['t.csv'].concat(existsSync(store) ? ['store'] : []));
  });
});

describe('a file given where a --history store (a folder) goes', () => {
  const message = /^gpuseg: error: '.*notes\.txt' is a file, not a --history store \(a folder\)$/;
  const setUp = (): { dir: string; store: string; log: string } => {
    const dir = tempDir();
    return { dir, store: write(dir, 'notes.txt', 'not a store\n'), log: write(dir, 'tx.csv', LOG) };
  };

  test('segment --history FILE is a usage error, not an internal ENOTDIR, and writes nothing', () => {
    const { dir, store, log } = setUp();
    const r = gpuseg([
      'segment',
      log,
      ...['--customer', 'c', '--date', 'd', '--amount', 'a', '--k', '2', '--backend', 'cpu'],
      ...['--history', store, '--output', join(dir, 'segments.csv')],
    ]);
    expect(errors(r)).toMatch(message);
    expect(r.status).toBe(2);
    expect(filesIn(dir)).toEqual(['notes.txt', 'tx.csv']);
  });

  test('segment checks the store before reading the log: a missing log still gets the store error', () => {
    const { dir, store } = setUp();
    const r = gpuseg([
      'segment',
      join(dir, 'no-such-log.csv'),
      ...['--customer', 'c', '--date', 'd', '--amount', 'a', '--k', '2', '--backend', 'cpu'],
      ...['--history', store, '--output', join(dir, 'segments.csv')],
    ]);
    expect(errors(r)).toMatch(message);
    expect(r.status).toBe(2);
  });

  test('transitions FILE is a usage error, not an internal ENOTDIR', () => {
    const { store } = setUp();
    const r = gpuseg(['transitions', store]);
    expect(errors(r)).toMatch(message);
    expect(r.status).toBe(2);
  });
});

describe('fit --features naming a column with a text cell', () => {
  test.each([
    ['abc', "data row 2 has 'abc' \\(not a number\\); fix the value or mark it missing"],
    ['"1,234.5"', "data row 2 has '1,234\\.5' \\(thousands separator\\); give --thousands"],
  ])('a cell %s: the error names the flag, column, data row and value (exit 3)', (cell, detail) => {
    const dir = tempDir();
    const table = write(dir, 't.csv', `id,x,y\n1,1.5,2\n2,${cell},3\n3,2.5,4\n4,1,1\n`);
    const r = gpuseg([
      'fit',
      table,
      ...['--k', '2', '--features', 'x,y', '--backend', 'cpu', '--output', join(dir, 'out.csv')],
    ]);
    expect(errors(r)).toMatch(
      new RegExp(`^gpuseg: error: --features: column 'x' is not numeric: ${detail}`),
    );
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(r.status).toBe(3);
    expect(filesIn(dir)).toEqual(['t.csv']);
  });
});
