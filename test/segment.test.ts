import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { readTable } from '../src/io/read-table.js';
import {
  applyNameOverrides,
  findRfmColumns,
  personaNames,
  readNamesFile,
} from '../src/segment/personas.js';
import { computeProfiles, type Profiles } from '../src/segment/profile.js';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

describe('profiles on a hand-checked table', () => {
  test('mean, median, share, relative importance and z-score', () => {
    const table = tableFromArrays({
      spend: Float64Array.from([10, 20, 30, 100, 200]),
      visits: Float64Array.from([1, 1, 2, 5, 6]),
    });
    const labels = Int32Array.from([0, 0, 0, 1, 1]);
    const p = computeProfiles(table, labels, 2, [
      { name: 'spend', role: 'feature' },
      { name: 'visits', role: 'profile' },
    ]);
    expect(p.population[0].mean).toBe(72);
    const std = Math.sqrt(
      [10, 20, 30, 100, 200].map((v) => (v - 72) ** 2).reduce((a, b) => a + b) / 5,
    );
    const s1 = p.segments[1];
    expect(s1.size).toBe(2);
    expect(s1.share).toBe(0.4);
    expect(s1.columns[0]).toEqual({
      column: 'spend',
      role: 'feature',
      mean: 150,
      median: 150,
      relativeImportance: 150 / 72 - 1,
      zScore: (150 - 72) / std,
    });
    expect(p.segments[0].columns[1].median).toBe(1);
  });
});

describe('profiles of a table larger than one piece (2^18 rows), column after column', () => {
  test('means, sizes and medians equal a direct computation', () => {
    // Pieces of two columns go through one reused buffer: a value left from the other column or
    // the previous piece would move a mean or a median here.
    const n = 600_001;
    const a = Float64Array.from({ length: n }, (_, i) => (i % 1000) + 0.25);
    const b = Int32Array.from({ length: n }, (_, i) => -((i * 7) % 13));
    const labels = Int32Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? 0 : i % 5 === 0 ? 1 : 2,
    );
    const p = computeProfiles(tableFromArrays({ a, b }), labels, 3, [
      { name: 'a', role: 'feature' },
      { name: 'b', role: 'profile' },
    ]);
    const median = (v: number[]) => {
      const s = v.slice().sort((x, y) => x - y);
      return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    [a, b].forEach((col, j) => {
      const all = Array.from(col);
      expect(p.population[j].mean).toBeCloseTo(all.reduce((x, y) => x + y, 0) / n, 9);
      expect(p.population[j].median).toBe(median(all));
      for (let seg = 0; seg < 3; seg++) {
        const mine = all.filter((_v, i) => labels[i] === seg);
        expect(p.segments[seg].size).toBe(mine.length);
        expect(p.segments[seg].columns[j].mean).toBeCloseTo(
          mine.reduce((x, y) => x + y, 0) / mine.length,
          9,
        );
        expect(p.segments[seg].columns[j].median).toBe(median(mine));
      }
    });
  });
});

function fakeProfiles(z: [number, number, number][]): Profiles {
  return {
    rows: z.length * 10,
    population: [],
    segments: z.map(([r, f, m], segment) => ({
      segment,
      name: undefined,
      size: 10,
      share: 1 / z.length,
      columns: [
        {
          column: 'recency_days',
          role: 'feature',
          mean: 0,
          median: 0,
          relativeImportance: 0,
          zScore: r,
        },
        {
          column: 'frequency',
          role: 'feature',
          mean: 0,
          median: 0,
          relativeImportance: 0,
          zScore: f,
        },
        {
          column: 'monetary',
          role: 'feature',
          mean: 0,
          median: 0,
          relativeImportance: 0,
          zScore: m,
        },
      ],
    })),
  };
}

describe('persona rules', () => {
  const rfm = findRfmColumns(['recency_days', 'frequency', 'monetary'])!;
  test('the textbook segments get their textbook names', () => {
    // z of recency_days: negative = recent.
    const names = personaNames(
      fakeProfiles([
        [-1, 1.5, 1.5], // recent, frequent, rich
        [1.2, -0.8, -0.7], // long gone, rare, poor
        [-0.9, -0.6, -0.5], // recent newcomers
        [1.0, 0.9, 0.8], // lapsing good customers
        [0.05, 0.05, -0.05], // average
      ]),
      rfm,
    );
    expect(names).toEqual(['Champions', 'Hibernating', 'Promising', 'At Risk', 'Need Attention']);
  });

  test('names are unique; a leftover segment is named after its largest deviation', () => {
    const names = personaNames(
      fakeProfiles([
        [-1, 1.5, 1.5],
        [-1.1, 1.4, 1.6],
        [0, 0, 0],
        [0.1, 0, 0],
      ]),
      rfm,
    );
    expect(new Set(names).size).toBe(4);
    expect(names.filter((n) => n === 'Champions')).toHaveLength(1);
    expect(names.some((n) => /^Segment \d: (high|low) /.test(n))).toBe(true);
  });

  test('a names file overrides, and duplicates are refused', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'n.json'), JSON.stringify({ 1: 'Sleepers' }));
    writeFileSync(join(dir, 'n.csv'), 'segment_id,segment_name\n0,VIP\n2,"New, promising"\n');
    expect(applyNameOverrides(['A', 'B', 'C'], readNamesFile(join(dir, 'n.json'), 3), 'x')).toEqual(
      ['A', 'Sleepers', 'C'],
    );
    expect(applyNameOverrides(['A', 'B', 'C'], readNamesFile(join(dir, 'n.csv'), 3), 'x')).toEqual([
      'VIP',
      'B',
      'New, promising',
    ]);
    expect(() => applyNameOverrides(['A', 'B'], new Map([[1, 'A']]), '--names f')).toThrow(
      "segments 0 and 1 would both be named 'A'",
    );
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ 7: 'X' }));
    expect(() => readNamesFile(join(dir, 'bad.json'), 3)).toThrow('segment id 7 is not in 0..2');
  });
});

describe('gpuseg select', () => {
  test('scores every k, marks the best and the elbow, writes JSON', () => {
    const dir = tempDir();
    const r = gpuseg([
      'select',
      'datasets/wholesale-customers.arrow',
      '--k',
      '2..6',
      '--features',
      'Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen',
      '--log',
      'Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen',
      '--backend',
      'cpu',
      '--output',
      join(dir, 'sel.json'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^k\s+inertia\s+silhouette\s+calinski_harabasz\s+davies_bouldin/);
    expect(r.stdout).toMatch(/<- elbow/);
    expect(r.stdout).toMatch(/silhouette exact/);
    const sel = JSON.parse(readFileSync(join(dir, 'sel.json'), 'utf8'));
    expect(sel.rows.map((x: { k: number }) => x.k)).toEqual([2, 3, 4, 5, 6]);
    for (const row of sel.rows)
      for (const key of ['inertia', 'silhouette', 'calinski_harabasz', 'davies_bouldin'])
        expect(Number.isFinite(row[key])).toBe(true);
    const inertias = sel.rows.map((x: { inertia: number }) => x.inertia);
    for (let i = 1; i < inertias.length; i++) expect(inertias[i]).toBeLessThan(inertias[i - 1]);
    const best = sel.rows.reduce((a: { silhouette: number }, b: { silhouette: number }) =>
      b.silhouette > a.silhouette ? b : a,
    );
    expect(sel.best.silhouette).toBe(best.k);
    expect(sel.recommended).toBe(best.k);
    expect(sel.silhouette_method).toEqual({ exact: true, sample_size: 440 });
    const json = gpuseg([
      'select',
      'datasets/wholesale-customers.arrow',
      '--k',
      '2,3',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(JSON.parse(json.stdout).rows).toHaveLength(2);
  });

  test('a bad range is a usage error', () => {
    const r = gpuseg(['select', 'datasets/wholesale-customers.arrow', '--k', '1..4']);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(/--k: expected a range like 2\.\.12/);
  });
});

describe('gpuseg segment on the Online Retail log', () => {
  test('one command from transactions to named segments, profiles and a model', async () => {
    const dir = tempDir();
    const out = join(dir, 'segments.parquet');
    const r = gpuseg([
      'segment',
      'datasets/online_retail_uci.csv.gz',
      '--customer',
      'CustomerID',
      '--date',
      'InvoiceDate',
      '--quantity',
      'Quantity',
      '--price',
      'UnitPrice',
      '--order',
      'InvoiceNo',
      '--k',
      '4',
      '--backend',
      'cpu',
      '--output',
      out,
      '--profile-output',
      join(dir, 'profiles.json'),
      '--model',
      join(dir, 'model.json'),
      '--json',
    ]);
    expect(r.status).toBe(0);
    expect(errors(r)).toMatch(/dropped 135080 of 541909 rows without a customer/);
    const summary = JSON.parse(r.stdout);
    expect(summary.k).toBe(4);
    expect(summary.settings.features).toEqual(['recency_days', 'frequency', 'monetary']);
    const segments = await readTable(out);
    expect(segments.numRows).toBe(4338);
    expect(segments.schema.fields.map((f) => f.name)).toEqual([
      'CustomerID',
      'segment_id',
      'segment_name',
      'distance',
      'recency_days',
      'frequency',
      'monetary',
      'avg_order_value',
      'tenure_days',
      'return_rate',
    ]);
    const names = new Set<string>();
    for (let i = 0; i < segments.numRows; i++) names.add(segments.getChild('segment_name')!.get(i));
    expect(names.size).toBe(4);
    expect([...names]).toContain('Champions');
    const profiles = JSON.parse(readFileSync(join(dir, 'profiles.json'), 'utf8'));
    expect(profiles.segments).toHaveLength(4);
    expect(profiles.segments.reduce((s: number, x: { size: number }) => s + x.size, 0)).toBe(4338);
    // The model scores customers again with the same names.
    const p = gpuseg([
      'predict',
      out,
      '--model',
      join(dir, 'model.json'),
      '--output',
      join(dir, 'again.csv'),
      '--backend',
      'cpu',
    ]);
    expect(p.status).toBe(0);
    const again = readFileSync(join(dir, 'again.csv'), 'utf8').split('\n')[1].split(',');
    expect(again.length).toBe(4);
    // And gpuseg profile rebuilds the same profile from the files.
    const prof = gpuseg([
      'profile',
      out,
      '--segments',
      out,
      '--features',
      'recency_days,frequency,monetary',
      '--profile',
      'avg_order_value',
      '--id',
      'CustomerID',
    ]);
    expect(prof.status).toBe(0);
    expect(prof.stdout).toMatch(/Champions/);
  });

  /** `segment` of a small c,d,a log written to tx.csv in `dir`, with `extra` flags. */
  function segmentLog(dir: string, csv: string, extra: string[]) {
    writeFileSync(join(dir, 'tx.csv'), csv);
    const columns = ['--customer', 'c', '--date', 'd', '--amount', 'a'];
    const output = ['--output', join(dir, 'out.csv')];
    return gpuseg(['segment', join(dir, 'tx.csv'), ...columns, ...extra, ...output]);
  }

  test('a range above the number of customers says which ks were tried', () => {
    const rows = ['c,d,a'];
    for (let c = 1; c <= 3; c++)
      for (let day = 1; day <= c; day++) rows.push(`${c},2024-01-0${day},${c * 10 + day}`);
    const r = segmentLog(tempDir(), rows.join('\n') + '\n', ['--k', '2..8', '--json']);
    expect(r.status).toBe(0);
    const settings = (JSON.parse(r.stdout) as { settings: { k_choice: string } }).settings;
    expect(settings.k_choice).toBe('best silhouette over 2..3 (of 2..8: 3 customers)');
  });

  test('a single customer cannot be segmented', () => {
    const dir = tempDir();
    const r = segmentLog(dir, 'c,d,a\n1,2024-01-01,3\n1,2024-01-05,4\n', []);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(/only 1 customer; segmenting needs at least 2/);
    expect(filesIn(dir)).toEqual(['tx.csv']);
  });
});
