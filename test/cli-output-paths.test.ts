import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * Nothing a user gave as input is ever modified, and no output replaces another: an output that
 * is the same file as an input or another output (by what the file is, not how its path is
 * written) is a usage error (exit 2) before any work, and every file stays as it was.
 */
const MALL = 'datasets/Mall_Customers.csv';
const TRANSACTIONS = 'customer,date,amount\n1,2024-01-01,5\n2,2024-01-03,7\n3,2024-01-04,1\n';

function expectRefused(dir: string, args: string[], message: RegExp): void {
  const before = new Map(filesIn(dir).map((f) => [f, readFileSync(join(dir, f))]));
  const r = gpuseg([...args, '--backend', 'cpu']);
  expect(r.status).toBe(2);
  const err = errors(r);
  expect(err.split('\n')).toHaveLength(1);
  expect(err).toMatch(message);
  expect(filesIn(dir)).toEqual([...before.keys()]);
  for (const [f, bytes] of before) expect(readFileSync(join(dir, f))).toEqual(bytes);
}

describe('an output that is an input or another output is refused', () => {
  test('fit: --output is the input (written the same, through ./.., and through a link)', () => {
    const dir = tempDir();
    copyFileSync(MALL, join(dir, 'w.csv'));
    symlinkSync(join(dir, 'w.csv'), join(dir, 'link.csv'));
    const sameInput =
      /--output '.*' is the same file as the input '.*'; it would overwrite the input/;
    expectRefused(
      dir,
      ['fit', join(dir, 'w.csv'), '--k', '2', '--output', join(dir, 'w.csv')],
      sameInput,
    );
    expectRefused(
      dir,
      ['fit', join(dir, 'w.csv'), '--k', '2', '--output', join(dir, '..', basename(dir), 'w.csv')],
      sameInput,
    );
    expectRefused(
      dir,
      ['fit', join(dir, 'link.csv'), '--k', '2', '--output', join(dir, 'w.csv')],
      sameInput,
    );
  });

  test('fit: --model is --output, and --init is the output', () => {
    const dir = tempDir();
    copyFileSync(MALL, join(dir, 'w.csv'));
    expectRefused(
      dir,
      [
        'fit',
        join(dir, 'w.csv'),
        '--k',
        '2',
        '--output',
        join(dir, 'o.arrow'),
        '--model',
        join(dir, '.', 'o.arrow'),
      ],
      /--model '.*o\.arrow' is the same file as --output '.*o\.arrow'; one would overwrite the other/,
    );
    writeFileSync(join(dir, 'init.csv'), '1,2,3,4\n5,6,7,8\n');
    expectRefused(
      dir,
      [
        'fit',
        join(dir, 'w.csv'),
        '--k',
        '2',
        '--init',
        join(dir, 'init.csv'),
        '--output',
        join(dir, 'init.csv'),
      ],
      /--output '.*init\.csv' is the same file as the --init '.*init\.csv'/,
    );
  });

  test('rfm and segment: --output is the transaction log', () => {
    const dir = tempDir();
    const log = join(dir, 'log.csv');
    writeFileSync(log, TRANSACTIONS);
    const flags = ['--customer', 'customer', '--date', 'date', '--amount', 'amount'];
    const rfm = gpuseg(['rfm', log, ...flags, '--output', log]);
    expect(rfm.status).toBe(2);
    expect(errors(rfm)).toMatch(/--output '.*log\.csv' is the same file as the input/);
    expect(readFileSync(log, 'utf8')).toBe(TRANSACTIONS);
    expectRefused(
      dir,
      [
        'segment',
        log,
        ...flags,
        '--k',
        '2',
        '--output',
        join(dir, 'out.csv'),
        '--features-output',
        join(dir, 'out.csv'),
      ],
      /--features-output '.*out\.csv' is the same file as --output/,
    );
    expectRefused(
      dir,
      ['segment', log, ...flags, '--k', '2', '--output', log],
      /is the same file as the input/,
    );
  });

  test('predict: --output is the input or the model', () => {
    const dir = tempDir();
    copyFileSync(MALL, join(dir, 'w.csv'));
    const model = join(dir, 'model.json');
    expect(
      gpuseg(['fit', join(dir, 'w.csv'), '--k', '2', '--backend', 'cpu', '--model', model]).status,
    ).toBe(0);
    expectRefused(
      dir,
      ['predict', join(dir, 'w.csv'), '--model', model, '--output', join(dir, 'w.csv')],
      /--output '.*w\.csv' is the same file as the input/,
    );
    writeFileSync(join(dir, 'model.csv'), readFileSync(model));
    expectRefused(
      dir,
      [
        'predict',
        join(dir, 'w.csv'),
        '--model',
        join(dir, 'model.csv'),
        '--output',
        join(dir, 'model.csv'),
      ],
      /--output '.*model\.csv' is the same file as the --model '.*model\.csv'/,
    );
  });
});
