import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readTable } from '../src/io/read-table.js';
import { hasGpu } from './helpers/backends.js';
import { BIN, errors, gpuseg, ROOT, tempDir } from './helpers/cli.js';

const WHOLESALE = 'datasets/wholesale-customers.arrow';

test('the README way in: `npx gpuseg` runs the built command (its file is executable)', () => {
  // npm runs a project's own bin as a file, so it must carry the execute bit (the build sets it).
  expect(statSync(BIN).mode & 0o111).not.toBe(0);
  const r = spawnSync('npx', ['--no-install', 'gpuseg', '--version'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.stderr).not.toMatch(/Permission denied/);
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});

describe('gpuseg fit and predict on a real dataset', () => {
  test('fit writes segments and a model; --json has the documented fields', async () => {
    const dir = tempDir();
    const r = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '5',
      '--backend',
      'cpu',
      '--output',
      join(dir, 'segments.arrow'),
      '--model',
      join(dir, 'model.json'),
      '--json',
    ]);
    // Channel and Region are codes (issue 19): left out of the default features, with a notice each.
    expect(errors(r).split('\n')).toEqual([
      expect.stringMatching(
        /^gpuseg: column 'Channel' is left out of the default features as categorical: whole numbers with 2 distinct values and 'channel' in its name/,
      ),
      expect.stringMatching(
        /^gpuseg: column 'Region' is left out of the default features as categorical/,
      ),
    ]);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of [
      'k',
      'iterations',
      'inertia',
      'backend',
      'device',
      'rows',
      'seconds',
      'converged',
    ])
      expect(summary).toHaveProperty(key);
    expect(summary.k).toBe(5);
    expect(summary.rows).toBe(440);
    expect(summary.backend).toBe('cpu');
    expect(summary.converged).toBe(true);
    const segments = await readTable(join(dir, 'segments.arrow'));
    expect(segments.schema.fields.map((f) => f.name)).toEqual([
      'CustomerID',
      'segment_id',
      'distance',
    ]);
    expect(segments.numRows).toBe(440);
    expect(segments.getChild('CustomerID')!.get(0)).toBe(101);
    const labels = segments.getChild('segment_id')!.toArray() as Int32Array;
    expect(new Set(labels).size).toBe(5);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(model).toMatchObject({
      format: 'gpuseg-model',
      version: 1,
      algorithm: 'kmeans',
      k: 5,
      idColumn: 'CustomerID',
      backend: 'cpu',
      seed: 0,
    });
    expect(model.features).toEqual([
      'Fresh',
      'Milk',
      'Grocery',
      'Frozen',
      'Detergents_Paper',
      'Delicassen',
    ]);
    expect(model.inertia).toBeCloseTo(summary.inertia as number, 6);

    // predict with the saved model gives the same segments, in every output format.
    for (const ext of ['csv', 'parquet', 'arrows']) {
      const out = join(dir, `predicted.${ext}`);
      const p = gpuseg([
        'predict',
        WHOLESALE,
        '--model',
        join(dir, 'model.json'),
        '--output',
        out,
        '--backend',
        'cpu',
      ]);
      expect(p.status).toBe(0);
      const predicted = await readTable(out);
      expect(Array.from(predicted.getChild('segment_id')!.toArray() as Int32Array)).toEqual(
        Array.from(labels),
      );
    }
  });

  test('features, id and a CSV input; human summary on stdout', () => {
    const r = gpuseg([
      'fit',
      'datasets/Mall_Customers.csv',
      '--k',
      '5',
      '--features',
      'Annual Income (k$),Spending Score (1-100)',
      '--id',
      'CustomerID',
      '--backend',
      'cpu',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /k=5 {2}rows=200 {2}features=Annual Income \(k\$\),Spending Score \(1-100\)/,
    );
    expect(r.stdout).toMatch(/segment sizes: 0:\d+/);
  });

  test.each(hasGpu ? ['cpu', 'gpu'] : ['cpu'])(
    'the same input, seed and backend (%s) give byte-identical outputs',
    (backend) => {
      const dir = tempDir();
      for (const name of ['a', 'b']) {
        const r = gpuseg([
          'fit',
          'datasets/CC_GENERAL.csv',
          '--k',
          '6',
          '--features',
          'BALANCE,PURCHASES,CASH_ADVANCE,PAYMENTS',
          '--id',
          'CUST_ID',
          '--seed',
          '7',
          '--backend',
          backend,
          '--output',
          join(dir, `${name}.parquet`),
          '--model',
          join(dir, `${name}.json`),
          '--profile-output',
          join(dir, `${name}.prof.csv`),
        ]);
        expect(r.status).toBe(0);
      }
      for (const ext of ['parquet', 'json', 'prof.csv'])
        expect(readFileSync(join(dir, `a.${ext}`))).toEqual(readFileSync(join(dir, `b.${ext}`)));
    },
  );

  test('devices lists the CPU', () => {
    const r = gpuseg(['devices', '--json']);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.cpu.threads).toBeGreaterThan(0);
    expect(Array.isArray(list.gpus)).toBe(true);
  });

  test.skipIf(!hasGpu)('GPU and CPU give the same segments and inertia within 1e-5', () => {
    const dir = tempDir();
    const runs = ['cpu', 'gpu'].map((backend) => {
      const r = gpuseg([
        'fit',
        WHOLESALE,
        '--k',
        '6',
        '--backend',
        backend,
        '--json',
        '--output',
        join(dir, `${backend}.csv`),
      ]);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { inertia: number; iterations: number; backend: string };
    });
    expect(runs[1].backend).toBe('gpu');
    expect(Math.abs(runs[0].inertia - runs[1].inertia) / runs[0].inertia).toBeLessThan(1e-5);
    const labels = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .map((l) => l.split(',')[1]);
    expect(labels('gpu.csv')).toEqual(labels('cpu.csv'));
  });

  test('--backend gpu without an adapter fails with the device status; auto falls back with one notice', () => {
    const gpu = gpuseg(['fit', WHOLESALE, '--k', '3', '--backend', 'gpu'], {
      GPUSEG_FAULT: 'no-adapter',
    });
    expect(gpu.status).toBe(4);
    expect(errors(gpu)).toMatch(/no GPU adapter found/);
    const auto = gpuseg(['fit', WHOLESALE, '--k', '3', '--json'], { GPUSEG_FAULT: 'no-adapter' });
    expect(auto.status).toBe(0);
    const notices = errors(auto)
      .split('\n')
      .filter((l) => !/as categorical/.test(l));
    expect(notices).toHaveLength(1);
    expect(errors(auto)).toMatch(/no GPU available .*running on cpu/);
    expect(JSON.parse(auto.stdout).backend).toBe('cpu');
  });
});
