import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DateDay,
  Float64,
  Table,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * Bad input, each case: a one-line message naming the culprit, the exit status of its class
 * (usage 2, input data 3), and no output or model file left behind (temporary files included).
 */
function arrowFile(
  dir: string,
  name: string,
  columns: Record<string, Float64Array | Int32Array | string[]>,
): string {
  const path = join(dir, name);
  writeFileSync(path, tableToIPC(tableFromArrays(columns as Record<string, Float64Array>), 'file'));
  return path;
}

interface Case {
  name: string;
  args: (dir: string) => string[];
  status: number;
  message: RegExp;
}

const good = (dir: string): string =>
  arrowFile(dir, 'good.arrow', {
    id: Int32Array.from([1, 2, 3, 4]),
    a: Float64Array.from([1, 2, 3, 4]),
    b: Float64Array.from([2, 4, 1, 3]),
  });

const cases: Case[] = [
  {
    name: 'missing file',
    args: (dir) => [join(dir, 'nope.arrow'), '--k', '2'],
    status: 3,
    message: /input file not found: '.*nope\.arrow'/,
  },
  {
    name: 'corrupt Arrow file',
    args: (dir) => {
      writeFileSync(
        join(dir, 'bad.arrow'),
        Buffer.concat([Buffer.from('ARROW1\0\0'), Buffer.alloc(64, 7)]),
      );
      return [join(dir, 'bad.arrow'), '--k', '2'];
    },
    status: 3,
    message: /bad\.arrow' is not a readable Arrow IPC file/,
  },
  {
    name: 'corrupt Parquet file',
    args: (dir) => {
      writeFileSync(
        join(dir, 'bad.parquet'),
        Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(40, 3), Buffer.from('PAR1')]),
      );
      return [join(dir, 'bad.parquet'), '--k', '2'];
    },
    status: 3,
    message: /bad\.parquet' is not a readable Parquet file/,
  },
  {
    name: 'CSV with a ragged row',
    args: (dir) => {
      writeFileSync(join(dir, 'ragged.csv'), 'a,b\n1,2\n3\n5,6\n');
      return [join(dir, 'ragged.csv'), '--k', '2'];
    },
    status: 3,
    message: /ragged\.csv': line 3 has 1 fields?, the header has 2/,
  },
  {
    name: 'unknown column in --features',
    args: (dir) => [good(dir), '--k', '2', '--features', 'a,zz'],
    status: 2,
    message: /--features: unknown column 'zz'/,
  },
  {
    name: 'non-numeric feature column',
    args: (dir) => [
      arrowFile(dir, 't.arrow', { a: Float64Array.from([1, 2]), name: ['x', 'y'] }),
      '--k',
      '1',
      '--features',
      'a,name',
    ],
    status: 3,
    message: /column 'name' is (text|categorical .*), not numeric/,
  },
  {
    name: 'NaN in a feature',
    args: (dir) => [
      arrowFile(dir, 't.arrow', {
        a: Float64Array.from([1, NaN, 3, NaN]),
        b: Float64Array.from([1, 2, 3, 4]),
      }),
      '--k',
      '2',
    ],
    status: 3,
    message: /column 'a' has 2 missing \(null or NaN\) values, first at row 1/,
  },
  {
    name: 'null in a CSV feature',
    args: (dir) => {
      writeFileSync(join(dir, 'n.csv'), 'a,b\n1,2\n,3\n4,5\n');
      return [join(dir, 'n.csv'), '--k', '2'];
    },
    status: 3,
    message: /column 'a' has 1 missing \(null or NaN\) value, first at row 1/,
  },
  {
    name: 'Infinity in a feature',
    args: (dir) => [
      arrowFile(dir, 't.arrow', {
        a: Float64Array.from([1, 2, Infinity]),
        b: Float64Array.from([1, 2, 3]),
      }),
      '--k',
      '2',
    ],
    status: 3,
    message: /column 'a' has 1 infinite value, first at row 2/,
  },
  {
    name: 'a value beyond float32',
    args: (dir) => [
      arrowFile(dir, 't.arrow', {
        a: Float64Array.from([1, 2, 1e300]),
        b: Float64Array.from([1, 2, 3]),
      }),
      '--k',
      '2',
    ],
    status: 3,
    message: /column 'a' has 1 value beyond float32's range/,
  },
  {
    name: 'k < 1',
    args: (dir) => [good(dir), '--k', '0'],
    status: 2,
    message: /--k: expected an integer ≥ 1, got '0'/,
  },
  {
    name: 'k not a number',
    args: (dir) => [good(dir), '--k', 'five'],
    status: 2,
    message: /--k: expected an integer ≥ 1, got 'five'/,
  },
  {
    name: 'k > rows',
    args: (dir) => [good(dir), '--k', '9'],
    status: 3,
    message: /k=9 exceeds rows=4; lower --k/,
  },
  {
    name: 'zero rows',
    args: (dir) => {
      writeFileSync(join(dir, 'empty.csv'), 'a,b\n');
      return [join(dir, 'empty.csv'), '--k', '2'];
    },
    status: 3,
    message: /zero rows/,
  },
  {
    name: 'a 0-byte file',
    args: (dir) => {
      writeFileSync(join(dir, 'zero.arrow'), '');
      return [join(dir, 'zero.arrow'), '--k', '2'];
    },
    status: 3,
    message: /zero\.arrow' is empty \(0 bytes\)/,
  },
  {
    name: '--init file with the wrong shape',
    args: (dir) => {
      writeFileSync(
        join(dir, 'init.json'),
        JSON.stringify([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      );
      return [good(dir), '--k', '2', '--init', join(dir, 'init.json')];
    },
    status: 3,
    message: /--init '.*init\.json': expected 2 rows × 2 columns \(k × features: a, b\), got 2 × 3/,
  },
  {
    name: 'unknown --backend',
    args: (dir) => [good(dir), '--k', '2', '--backend', 'tpu'],
    status: 2,
    message: /--backend/,
  },
  {
    name: 'unknown output extension',
    args: (dir) => [good(dir), '--k', '2', '--output', join(dir, 'out.xlsx')],
    status: 2,
    message: /--output '.*out\.xlsx': unknown extension/,
  },
];

describe('gpuseg fit: bad input', () => {
  test.each(cases)('$name', ({ args, status, message }) => {
    const dir = tempDir();
    const argv = args(dir);
    const inputs = filesIn(dir);
    // Defaults the case did not set itself: the CPU backend, and both outputs requested.
    const defaults: [string, string][] = [
      ['--backend', 'cpu'],
      ['--output', join(dir, 'out.arrow')],
      ['--model', join(dir, 'model.json')],
    ];
    for (const [flag, value] of defaults) if (!argv.includes(flag)) argv.push(flag, value);
    const r = gpuseg(['fit', ...argv]);
    expect(r.status).toBe(status);
    const err = errors(r);
    expect(err.split('\n').length).toBe(1);
    expect(err).toMatch(message);
    expect(filesIn(dir)).toEqual(inputs);
  });
});

describe('gpuseg predict: bad input', () => {
  test('a model from another feature set', () => {
    const dir = tempDir();
    const input = arrowFile(dir, 'x.arrow', {
      a: Float64Array.from([1, 2, 3]),
      c: Float64Array.from([1, 2, 3]),
    });
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'gpuseg-model',
        version: 1,
        algorithm: 'kmeans',
        features: ['a', 'b'],
        idColumn: null,
        k: 1,
        centres: [[0, 0]],
      }),
    );
    const r = gpuseg([
      'predict',
      input,
      '--model',
      join(dir, 'model.json'),
      '--output',
      join(dir, 'p.csv'),
      '--backend',
      'cpu',
    ]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /the input lacks the model's feature column 'b'; the model was fitted on a, b/,
    );
    expect(filesIn(dir)).toEqual(['model.json', 'x.arrow']);
  });

  test('a corrupt model file', () => {
    const dir = tempDir();
    const input = arrowFile(dir, 'x.arrow', { a: Float64Array.from([1, 2, 3]) });
    writeFileSync(join(dir, 'model.json'), '{"format": "gpuseg-model", "vers');
    const r = gpuseg(['predict', input, '--model', join(dir, 'model.json'), '--backend', 'cpu']);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(/model\.json' is not a gpuseg model: not valid JSON/);
  });

  test('a model of a newer version', () => {
    const dir = tempDir();
    const input = arrowFile(dir, 'x.arrow', { a: Float64Array.from([1, 2, 3]) });
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'gpuseg-model',
        version: 99,
        algorithm: 'kmeans',
        features: ['a'],
        k: 1,
        centres: [[0]],
      }),
    );
    const r = gpuseg(['predict', input, '--model', join(dir, 'model.json'), '--backend', 'cpu']);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /model version 99, newer than this gpuseg .* reads \(1\); upgrade gpuseg/,
    );
  });

  test('a model whose scale is zero (every row would go to segment 0 with NaN distances)', () => {
    const dir = tempDir();
    const input = arrowFile(dir, 'x.arrow', { a: Float64Array.from([1, 2, 3]) });
    const scale = { kind: 'standard', centre: [2], scale: [0] };
    const preprocessing = { features: ['a'], impute: null, log: [], clip: null, scale, pca: null };
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'gpuseg-model',
        version: 1,
        algorithm: 'kmeans',
        features: ['a'],
        k: 2,
        preprocessing: { ...preprocessing, outputs: ['a'] },
        centres: [[-1], [1]],
      }),
    );
    const out = join(dir, 'p.csv');
    const r = gpuseg(['predict', input, '--model', join(dir, 'model.json'), '--output', out]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(/"preprocessing\.scale\.scale" is 0 for feature 'a'/);
    expect(filesIn(dir)).toEqual(['model.json', 'x.arrow']);
  });
});

describe('issue 11: readers (bad input in one line, with its exit class)', () => {
  test('UTF-16 without a byte-order mark is refused (exit 3), not read as NUL-filled names', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.csv'), Buffer.from('a,b\n1,2\n3,4\n', 'utf16le').swap16());
    const r = gpuseg(['fit', join(dir, 'x.csv'), '--k', '2', '--output', join(dir, 'out.csv')]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(/x\.csv' has NUL bytes: UTF-16 without a byte-order mark/);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(dir)).toEqual(['x.csv']);
  });

  test('an unknown --thousands is a usage error (exit 2)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.csv'), 'a,b\n1,2\n3,4\n');
    const r = gpuseg(['fit', join(dir, 'x.csv'), '--k', '2', '--thousands', "'"]);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(/--thousands/);
    expect(errors(r).split('\n')).toHaveLength(1);
  });

  test('rfm: a date that does not match --date-format names the column, row and value (exit 3)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tx.csv'), 'c,d,a\n1,01/05/2024,3\n2,2024-02-03,4\n');
    const r = gpuseg([
      'rfm',
      join(dir, 'tx.csv'),
      '--customer',
      'c',
      '--date',
      'd',
      '--amount',
      'a',
      '--date-format',
      '%m/%d/%Y',
      '--output',
      join(dir, 'out.csv'),
    ]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /--date: column 'd' has 1 value that are not dates \(e\.g\. '2024-02-03', data row 2\); they do not match --date-format %m\/%d\/%Y/,
    );
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(dir)).toEqual(['tx.csv']);
  });

  test("rfm: a --date-format on a typed file's date column is a usage error (exit 2)", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'tx.arrow'),
      tableToIPC(
        new Table({
          c: vectorFromArray([1, 2], new Float64()),
          d: vectorFromArray(
            [new Date(Date.UTC(2024, 0, 5)), new Date(Date.UTC(2024, 1, 3))],
            new DateDay(),
          ),
          a: vectorFromArray([3, 4], new Float64()),
        }),
        'file',
      ),
    );
    const r = gpuseg([
      'rfm',
      join(dir, 'tx.arrow'),
      '--customer',
      'c',
      '--date',
      'd',
      '--amount',
      'a',
      '--date-format',
      '%m/%d/%Y',
      '--output',
      join(dir, 'out.csv'),
    ]);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(
      /--date-format: column 'd' is already a DATE in '.*tx\.arrow'; leave --date-format out/,
    );
    expect(errors(r).split('\n')).toHaveLength(1);
  });
});
