import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

const WHOLESALE = 'datasets/wholesale-customers.arrow';

describe('every CLI error is one gpuseg line with its exit class', () => {
  test.each([
    [['fit', WHOLESALE, '--k', '2', '--bogus'], /^gpuseg: error: unknown option '--bogus'$/],
    [
      ['fit', WHOLESALE],
      /^gpuseg: error: --k: expected an integer ≥ 1, required by --algorithm kmeans \(dbscan takes none\)$/,
    ],
    [['fit', '--k', '2'], /^gpuseg: error: missing required argument 'input'$/],
    [['nope'], /^gpuseg: error: unknown command 'nope'$/],
    [['fit', WHOLESALE, '--k'], /^gpuseg: error: option '--k <n>' argument missing$/],
  ])("commander's own errors: %j", (args, message) => {
    const r = gpuseg(args);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(message);
  });

  test('a seed of 2^32 or more is a usage error, not a wrapped seed', () => {
    for (const command of [
      ['fit', WHOLESALE, '--k', '2'],
      ['select', WHOLESALE, '--k', '2..3'],
    ]) {
      const r = gpuseg([...command, '--backend', 'cpu', '--seed', '4294967296']);
      expect(r.status).toBe(2);
      expect(errors(r)).toBe(
        "gpuseg: error: --seed: expected an integer in 0..4294967295, got '4294967296'",
      );
    }
    const dir = tempDir();
    const generate = gpuseg([
      'generate',
      '--rows',
      '10',
      '--seed',
      '4294967296',
      '--output',
      join(dir, 'g.arrows'),
    ]);
    expect(generate.status).toBe(2);
    expect(errors(generate)).toMatch(/--seed: expected an integer in 0\.\.4294967295/);
    expect(filesIn(dir)).toEqual([]);
    const bench = gpuseg(['bench', '--rows', '1000', '--backend', 'cpu', '--seed', '4294967296']);
    expect(bench.status).toBe(2);
    expect(errors(bench)).toMatch(/--seed: expected an integer in 0\.\.4294967295/);
    const top = gpuseg(['fit', WHOLESALE, '--k', '2', '--backend', 'cpu', '--seed', '4294967295']);
    expect(top.status).toBe(0);
  });
});

describe('gpuseg profile', () => {
  test('an id twice in the segments file is an input error, not the last row silently', () => {
    const dir = tempDir();
    const table = join(dir, 't.arrow');
    const segments = join(dir, 's.arrow');
    writeFileSync(
      table,
      tableToIPC(
        tableFromArrays({
          id: Int32Array.from([1, 2, 3]),
          a: Float64Array.from([1, 2, 3]),
        }),
        'file',
      ),
    );
    writeFileSync(
      segments,
      tableToIPC(
        tableFromArrays({
          id: Int32Array.from([1, 2, 2, 3]),
          segment_id: Int32Array.from([0, 0, 1, 1]),
        }),
        'file',
      ),
    );
    const r = gpuseg(['profile', table, '--segments', segments, '--id', 'id']);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /^gpuseg: error: --segments: id 2 appears twice \(rows 1 and 2\), so its segment is ambiguous/,
    );
    expect(filesIn(dir)).toEqual(['s.arrow', 't.arrow']);
  });
});

describe('gpuseg segment', () => {
  test('the no-GPU notice prints once, though the choice of k and the fit each open a backend', () => {
    const dir = tempDir();
    const rows = ['customer,date,amount'];
    for (let c = 1; c <= 12; c++)
      for (let t = 0; t < (c % 4) + 1; t++)
        rows.push(`${c},2024-01-${10 + t + (c % 9)},${c * 3 + t}`);
    writeFileSync(join(dir, 'tx.csv'), rows.join('\n') + '\n');
    const r = gpuseg(
      [
        'segment',
        join(dir, 'tx.csv'),
        '--customer',
        'customer',
        '--date',
        'date',
        '--amount',
        'amount',
        '--k',
        '2..3',
        '--output',
        join(dir, 'out.csv'),
      ],
      { GPUSEG_FAULT: 'no-adapter' },
    );
    expect(r.status).toBe(0);
    const notices = errors(r)
      .split('\n')
      .filter((l) => /no GPU available/.test(l));
    expect(notices).toHaveLength(1);
  });
});
