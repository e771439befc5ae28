import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * bench/algorithms-vs-sklearn.ts at a tiny size, without scikit-learn (the suite runs no Python),
 * so that the harness the lead runs for bench/RESULTS.md cannot rot: every algorithm has its row
 * with a gpuseg time, scikit-learn's column says why it is empty, and a case that cannot run
 * (over its timeout) is a row that says so, not a failed run. Needs the build (dist/).
 */

/** The algorithms issue 18 asks to time, in the table's order: written here, not imported. */
const ALGORITHMS = [
  'kmeans',
  'minibatch-kmeans',
  'gmm diag',
  'gmm full',
  'bisecting',
  'ward',
  'dbscan',
  'birch',
];

interface TableRow {
  algorithm: string;
  rows: string;
  gpuseg: string;
  sklearn: string;
  ratio: string;
  agreement: string;
  note: string;
}

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['dist/bench/algorithms-vs-sklearn.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
}

/** The Markdown table's body rows (after the header and its rule), cell by cell. */
function tableRows(stdout: string): TableRow[] {
  const lines = stdout.split('\n').filter((l) => l.startsWith('|'));
  expect(lines[0]).toBe(
    '| algorithm | rows | gpuseg s | scikit-learn s | ratio | agreement | note |',
  );
  expect(lines[1]).toMatch(/^\|(-+:?\|)+$/);
  return lines.slice(2).map((line) => {
    const cells = line.slice(1, -1).split('|');
    expect(cells).toHaveLength(7);
    const [algorithm, rows, gpuseg, sklearn, ratio, agreement, note] = cells.map((c) => c.trim());
    return { algorithm, rows, gpuseg, sklearn, ratio, agreement, note };
  });
}

/** Throws unless every algorithm has exactly one row at `rows` with a positive gpuseg time. */
function checkTimedRows(table: TableRow[], rows: string): void {
  expect(table.map((r) => r.algorithm)).toEqual(ALGORITHMS);
  for (const r of table) {
    expect([r.algorithm, r.rows]).toEqual([r.algorithm, rows]);
    expect([r.algorithm, r.gpuseg]).toEqual([r.algorithm, expect.stringMatching(/^\d+\.\d{3}$/)]);
    expect(Number(r.gpuseg)).toBeGreaterThan(0);
  }
}

describe('bench/algorithms-vs-sklearn.ts', () => {
  test('every algorithm is timed at 1,500 rows (best of 2); without scikit-learn its column says why', () => {
    const r = bench(['--rows', '1500', '--no-sklearn', '--timeout', '200', '--repeat', '2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const table = tableRows(r.stdout);
    checkTimedRows(table, '1,500');
    // ... and would not pass with any algorithm's row missing.
    for (const name of ALGORITHMS)
      expect(() =>
        checkTimedRows(
          table.filter((row) => row.algorithm !== name),
          '1,500',
        ),
      ).toThrow();
    for (const row of table) {
      expect(row.sklearn).toBe('skipped: scikit-learn not run (--no-sklearn)');
      expect([row.ratio, row.agreement]).toEqual(['–', '–']);
      expect(row.note).toMatch(/^gpuseg: \S/);
    }
    // Each case's note comes from its own fit.
    const note = (name: string) => table.find((row) => row.algorithm === name)!.note;
    expect(note('ward')).toBe('gpuseg: exact');
    expect(note('dbscan')).toMatch(/^gpuseg: \d+ clusters, \d+ noise$/);
    expect(note('birch')).toMatch(/^gpuseg: \d+ subclusters$/);
    expect(r.stdout).toContain('the fastest of 2 runs per side');
    // Every mapping to scikit-learn's estimator is stated under the table.
    for (const name of ALGORITHMS) expect(r.stdout).toContain(`\n- ${name}: `);
  }, 600_000);

  test('a case over its timeout, one gpuseg refuses and a missing Python are rows that say so, and the check sees them', () => {
    const r = bench([
      '--rows',
      '1500',
      '--only',
      'kmeans',
      '--timeout',
      '0.001',
      '--python',
      '/no/such/python3',
    ]);
    expect(r.status).toBe(0);
    const table = tableRows(r.stdout);
    expect(table).toEqual([
      {
        algorithm: 'kmeans',
        rows: '1,500',
        gpuseg: 'timed out: over the 0.001 s timeout',
        sklearn: expect.stringMatching(/^skipped: no Python at \/no\/such\/python3 \(.+\)$/),
        ratio: '–',
        agreement: '–',
        note: '',
      },
    ]);
    // The check of the first test fails on this table: rows missing, and a row with no time.
    expect(() => checkTimedRows(table, '1,500')).toThrow();
    expect(() =>
      checkTimedRows([...ALGORITHMS.map((a) => ({ ...table[0], algorithm: a }))], '1,500'),
    ).toThrow();
    // A case gpuseg refuses (every row its own BIRCH subcluster: too many for exact Ward).
    const refused = bench([
      '--rows',
      '4200',
      '--only',
      'birch',
      '--birch-threshold',
      '1e-6',
      '--no-sklearn',
    ]);
    expect(refused.status).toBe(0);
    expect(tableRows(refused.stdout)).toEqual([
      expect.objectContaining({
        algorithm: 'birch',
        gpuseg: expect.stringMatching(
          /^refused: exact Ward takes at most 4096 points, got 4200 BIRCH subclusters/,
        ),
        ratio: '–',
      }),
    ]);
    expect(bench(['--rows', '1500', '--only', 'kmeans,nothing']).stderr).toMatch(
      /--only: no case nothing/,
    );
  }, 600_000);
});
