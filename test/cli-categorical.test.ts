import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

const WHOLESALE = 'datasets/wholesale-customers.arrow';

describe('gpuseg fit --categorical / --algorithm kprototypes', () => {
  test('k-prototypes on Wholesale: JSON, model, profiles with category shares, predict', () => {
    const dir = tempDir();
    const model = join(dir, 'm.json');
    const r = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '4',
      '--algorithm',
      'kprototypes',
      '--categorical',
      'Channel,Region',
      '--gamma',
      '0.8',
      '--backend',
      'cpu',
      '--output',
      join(dir, 'fit.csv'),
      '--model',
      model,
      '--profile-output',
      join(dir, 'p.csv'),
      '--json',
    ]);
    expect(errors(r)).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ algorithm: 'kprototypes', gamma: 0.8 });
    expect(summary.categorical).toEqual(['Channel', 'Region']);
    expect(summary.cost).toBe(summary.inertia);
    const m = JSON.parse(readFileSync(model, 'utf8'));
    expect(m.modes).toHaveLength(4);
    const profiles = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
    const region = profiles.filter((l) => /^0,.*,Region=\d,feature,/.test(l));
    expect(region).toHaveLength(3);
    const shares = region.map((l) => Number(l.split(',')[6]));
    expect(shares.reduce((a, b) => a + b)).toBeCloseTo(1, 9);
    const p = gpuseg(['predict', WHOLESALE, '--model', model, '--output', join(dir, 'pr.csv')]);
    expect(p.status).toBe(0);
    expect(readFileSync(join(dir, 'pr.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'fit.csv'), 'utf8'),
    );
  });

  test('bad input: a one-line error naming the flag or column, nothing written', () => {
    const dir = tempDir();
    const out = ['--output', join(dir, 's.csv'), '--model', join(dir, 'm.json')];
    const unknown = gpuseg(['fit', WHOLESALE, '--k', '3', '--categorical', 'Chanel', ...out]);
    expect(unknown.status).toBe(2);
    expect(errors(unknown)).toMatch(
      /^gpuseg: error: --categorical: unknown column 'Chanel'; the input has/,
    );
    const needs = gpuseg(['fit', WHOLESALE, '--k', '3', '--algorithm', 'kprototypes', ...out]);
    expect(needs.status).toBe(2);
    expect(errors(needs).split('\n').at(-1)).toBe(
      'gpuseg: error: --algorithm kprototypes: name the categorical columns with --categorical (found: Channel,Region)',
    );
    expect(filesIn(dir)).toEqual([]);
    // A category the model never saw: exit 3, naming the column, value and row.
    const model = join(dir, 'm.json');
    const fitted = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '3',
      '--categorical',
      'Region',
      '--model',
      model,
    ]);
    expect(fitted.status).toBe(0);
    const csv = readFileSync('datasets/wholesale-customers.csv', 'utf8').split('\n');
    const cells = csv[2].split(',');
    cells[2] = '7';
    csv[2] = cells.join(',');
    writeFileSync(join(dir, 'new.csv'), csv.join('\n'));
    const p = gpuseg([
      'predict',
      join(dir, 'new.csv'),
      '--model',
      model,
      '--output',
      join(dir, 'x.csv'),
    ]);
    expect(p.status).toBe(3);
    expect(errors(p)).toBe(
      "gpuseg: error: column 'Region' has category '7' at row 1, which the model was not fitted with (it knows '1', '2', '3'); refit with rows of that category",
    );
    expect(filesIn(dir)).toEqual(['m.json', 'new.csv']);
  });
});
