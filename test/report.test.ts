import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import {
  fit,
  fitReport,
  InputError,
  report,
  saveModel,
  segment,
  silhouetteScores,
  UsageError,
} from '../src/index.js';
import { parquetToTable } from '../src/io/parquet-io.js';
import { numberFormat } from '../src/report/format.js';
import { buildSample, rowLabels, sampleQuotas, stratifiedRows } from '../src/report/sample.js';
import { sampleSilhouettes } from '../src/report/silhouette.js';
import { segmentColour } from '../src/report/palette.js';
import { errors, filesIn, gpuseg, ROOT, tempDir } from './helpers/cli.js';
import { expectProfilesTable, profilesTableRows } from './helpers/report.js';

const WHOLESALE = 'datasets/wholesale-customers.arrow';

/** The checks every report must pass: one self-contained page, no script, nothing fetched. */
function expectSelfContained(html: string): void {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\s(src|href)=/i);
  // url(#id) is a clip path inside the same SVG; any other url( would fetch.
  expect(html).not.toMatch(/url\((?!#)/i);
  expect(html).not.toMatch(/@import|@font-face/i);
  // The only URLs are SVG's XML namespaces, which nothing fetches.
  const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
  expect(urls.filter((u) => !/^http:\/\/www\.w3\.org\//.test(u))).toEqual([]);
  expect(html).toMatch(/\.chart\{[^}]*break-inside:avoid/);
}

/**
 * Number of chart figures in the page, and that each has an SVG, a title and a data table (a chart
 * of several panels: one named table per panel, "Data: column").
 */
function charts(html: string): string[] {
  const figures = html.match(/<figure class="chart"[\s\S]*?<\/figure>/g) ?? [];
  for (const f of figures) {
    expect(f).toMatch(/<h3>[^<]+<\/h3>/);
    expect(f).toMatch(/<svg [^>]*viewBox=/);
    expect(f).toMatch(
      /<details(?: data-table="[^"]+")?><summary>Data(?:: [^<]+)?<\/summary><div class="table-wrap"><table>/,
    );
  }
  return figures.map((f) => /data-chart="([^"]+)"/.exec(f)![1]);
}

/** The box plots' tables (one per column, under the chart that holds its panel), by id. */
function boxTables(html: string): string[] {
  return [...html.matchAll(/<details data-table="(box-[^"]+)"><summary>Data: ([^<]+)</g)].map(
    (m) => {
      expect(m[1]).toBe(`box-${m[2]}`);
      return m[1];
    },
  );
}

test("import 'gpuseg' loads no ECharts module (the report imports it when it renders)", () => {
  const r = spawnSync(process.execPath, ['test/programs/echarts-lazy.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  const counts = JSON.parse(r.stdout) as { afterGpuseg: number; afterEcharts: number };
  expect(counts.afterGpuseg).toBe(0);
  // The hook does see ECharts once something imports it.
  expect(counts.afterEcharts).toBeGreaterThan(0);
});

describe('number formatting for people', () => {
  test('counts, shares, money with and without a currency', () => {
    const plain = numberFormat();
    const gbp = numberFormat('GBP');
    expect(plain.count(980)).toBe('980');
    expect(plain.count(1234)).toBe('1.2k');
    expect(plain.count(34_567)).toBe('35k');
    expect(plain.count(1_250_000)).toBe('1.3M');
    expect(plain.share(0.34)).toBe('34%');
    expect(plain.share(0.004)).toBe('0.4%');
    expect(gbp.money(5149.4)).toBe('£5,149');
    expect(plain.money(5149.4)).toBe('5,149');
    expect(gbp.moneyShort(6_652_585)).toBe('£6.7M');
    expect(plain.relative(0.25)).toBe('+25%');
    expect(plain.relative(-0.4)).toBe('−40%');
    expect(plain.value(0.04567)).toBe('0.0457');
  });
});

describe('the stratified sample', () => {
  test('every segment represented, at most 5,000 rows, weights add up to the population', () => {
    expect(sampleQuotas([100, 200])).toEqual([100, 200]);
    const quotas = sampleQuotas([1_000_000, 10, 3000]);
    expect(quotas.reduce((a, b) => a + b)).toBeLessThanOrEqual(5000);
    expect(quotas[1]).toBe(10);
    expect(quotas[2]).toBeGreaterThanOrEqual(50);
    const labels = new Int32Array(20_000).map((_, i) => (i % 97 === 0 ? 1 : i % 3 === 0 ? 2 : 0));
    const s = stratifiedRows(labels, 3);
    expect(s.rows.length).toBeLessThanOrEqual(5000);
    const total = s.weights.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(20_000, 6);
    for (let c = 0; c < 3; c++) expect(s.labels.includes(c)).toBe(true);
    s.rows.forEach((r, i) => expect(labels[r]).toBe(s.labels[i]));
  });

  test('the per-customer silhouettes average to the silhouette score (sample = every row)', async () => {
    const r = await fit(WHOLESALE, {
      k: 3,
      seed: 2,
      backend: 'cpu',
      features: ['Fresh', 'Milk', 'Grocery'],
    });
    const sample = buildSample(
      r.data.table,
      rowLabels(r.labels),
      r.profiles.segments.map((s) => s.size),
      [],
      r.model.features,
      r.model.preprocessing,
    );
    expect(sample.rows.length).toBe(r.data.table.numRows);
    const values = sampleSilhouettes(sample, 3);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const score = silhouetteScores(r.data.matrix, [{ labels: r.labels, k: 3 }]).scores[0];
    expect(Math.abs(mean - score)).toBeLessThan(1e-9);
  });

  test('one colour per segment id, distinct for the first 16', () => {
    const colours = Array.from({ length: 16 }, (_, c) => segmentColour(c));
    expect(new Set(colours).size).toBe(16);
  });
});

describe('report from a fit and from files', () => {
  test('a fit of the wholesale table: sections, charts, data tables, money in GBP', async () => {
    const r = await fit(WHOLESALE, {
      k: 4,
      seed: 1,
      backend: 'cpu',
      profile: ['Channel', 'Region'],
      features: ['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'],
      log: ['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'],
    });
    const html = await fitReport(r, { source: 'wholesale', currency: 'GBP', revenue: 'Fresh' });
    expectSelfContained(html);
    for (const id of ['summary', 'segments', 'profiles', 'shape'])
      expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toContain('<section id="choosing-k">');
    const ids = charts(html);
    expect(ids).toEqual(
      expect.arrayContaining([
        'sizes',
        'revenue',
        'snake',
        'importance',
        'boxes-1',
        'projection',
        'distances',
        'silhouette',
      ]),
    );
    // A box plot per column, features then profile-only columns, each with its table.
    expect(boxTables(html)).toEqual(
      [
        ...['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'],
        ...['Channel', 'Region'],
      ].map((c) => `box-${c}`),
    );
    // No R×F chart without recency/frequency/monetary columns.
    expect(ids).not.toContain('rf');
    // One card per segment, each in its colour.
    for (let c = 0; c < 4; c++)
      expect(html).toContain(`border-top-color:${segmentColour(c)}" data-segment="${c}"`);
    expect(html).toMatch(/£[\d,]+/);
    expect(html).toContain('fit in ');
  });

  test('the selection JSON adds the choice of k; files in, same profiles as profile', async () => {
    const dir = tempDir();
    const common = [
      '--backend',
      'cpu',
      '--features',
      'Fresh,Milk,Grocery',
      '--log',
      'Fresh,Milk,Grocery',
    ];
    expect(
      gpuseg(['select', WHOLESALE, '--k', '2..5', ...common, '--output', join(dir, 'sel.json')])
        .status,
    ).toBe(0);
    const profile = ['--profile', 'Channel,Region,Frozen,Detergents_Paper,Delicassen'];
    const fitRun = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '3',
      ...common,
      ...profile,
      '--output',
      join(dir, 's.csv'),
      '--model',
      join(dir, 'm.json'),
      '--profile-output',
      join(dir, 'p.csv'),
    ]);
    expect(errors(fitRun)).toBe('');
    const out = join(dir, 'r.html');
    const run = gpuseg([
      'report',
      WHOLESALE,
      '--model',
      join(dir, 'm.json'),
      '--segments',
      join(dir, 's.csv'),
      '--selection',
      join(dir, 'sel.json'),
      ...profile,
      '--output',
      out,
    ]);
    expect(errors(run)).toBe('');
    expect(run.status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expectSelfContained(html);
    expect(charts(html)).toEqual(
      expect.arrayContaining([
        'select-inertia',
        'select-silhouette',
        'select-calinskiHarabasz',
        'select-daviesBouldin',
      ]),
    );
    expect(html).toMatch(
      /k = 3, (the recommended k of a selection|given \(the selection) over k = 2\.\.5/,
    );
    // The profile table behind the snake plot is profiles.csv, value for value.
    expectProfilesTable(html, readFileSync(join(dir, 'p.csv'), 'utf8'));
  });
});

test('a Gaussian mixture gets a report, with BIC among the choice-of-k charts', async () => {
  const features = ['Fresh', 'Milk', 'Grocery'];
  const r = await fit(WHOLESALE, {
    k: 3,
    algorithm: 'gmm',
    covariance: 'diag',
    seed: 0,
    backend: 'cpu',
    features,
    log: features,
  });
  const selection = {
    rows: [2, 3, 4].map((k) => ({
      k,
      inertia: 900 / k,
      bic: 5000 - k,
      silhouette: 0.3,
      calinski_harabasz: 200,
      davies_bouldin: 1,
    })),
    elbow: 3,
    recommended: 3,
  };
  const html = await fitReport(r, { selection });
  expectSelfContained(html);
  expect(html).toContain('Gaussian mixture (diag covariance)');
  expect(charts(html)).toEqual(expect.arrayContaining(['select-bic', 'projection', 'silhouette']));
  await expect(fitReport(r, { selection: { rows: [{ k: 2 }] } })).rejects.toThrow(
    /not a gpuseg selection.*"inertia"/,
  );
});

describe('fit --report', () => {
  test('the report is written with the other outputs; a bad path stops the run before any', () => {
    const dir = tempDir();
    const outs = ['--output', join(dir, 's.arrow'), '--model', join(dir, 'm.json')];
    const ok = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '3',
      '--backend',
      'cpu',
      ...outs,
      '--report',
      join(dir, 'r.html'),
      '--currency',
      'EUR',
      '--revenue',
      'Fresh',
    ]);
    // Only the notices of the categorical Channel and Region left out of the features (issue 19).
    expect(errors(ok).replace(/^gpuseg: column '(Channel|Region)' is left out .*$\n?/gm, '')).toBe(
      '',
    );
    expect(ok.status).toBe(0);
    expect(filesIn(dir)).toEqual(['m.json', 'r.html', 's.arrow']);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expectSelfContained(html);
    expect(html).toContain('€');
    const bad = tempDir();
    const r = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '3',
      '--backend',
      'cpu',
      '--output',
      join(bad, 's.arrow'),
      '--report',
      join(bad, 'r.pdf'),
    ]);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(/--report '.*r\.pdf': use \.html/);
    expect(filesIn(bad)).toEqual([]);
    // Out of core the labels are not in memory: refused before the fit, naming the flag.
    const ooc = gpuseg([
      'fit',
      WHOLESALE,
      '--k',
      '3',
      '--out-of-core',
      '--report',
      join(bad, 'r.html'),
    ]);
    expect(ooc.status).toBe(2);
    expect(errors(ooc)).toMatch(/^gpuseg: error: --report: not available for an out-of-core fit/);
    expect(filesIn(bad)).toEqual([]);
  });
});

describe('bad input and edge cases', () => {
  async function files(dir: string, name: string, k: number, extra: Record<string, unknown> = {}) {
    const r = await fit(WHOLESALE, {
      k,
      seed: 3,
      backend: 'cpu',
      features: ['Fresh', 'Milk'],
      ...extra,
    });
    saveModel(join(dir, `${name}.json`), r.model);
    const csv = [
      'CustomerID,segment_id',
      ...Array.from(r.labels, (l, i) => `${r.assignments.getChild('CustomerID')!.get(i)},${l}`),
    ];
    writeFileSync(join(dir, `${name}.csv`), csv.join('\n') + '\n');
  }

  test('model and segments of different runs: a clear input error (exit 3)', async () => {
    const dir = tempDir();
    await files(dir, 'a', 3);
    await files(dir, 'b', 5);
    await files(dir, 'c', 3, { scale: 'none', seed: 9 });
    const other = report(WHOLESALE, { model: join(dir, 'a.json'), segments: join(dir, 'b.csv') });
    await expect(other).rejects.toThrow(InputError);
    await expect(other).rejects.toThrow(
      /segment_id 4 but model '.*a\.json' has k=3.*different runs/,
    );
    await expect(
      report(WHOLESALE, { model: join(dir, 'a.json'), segments: join(dir, 'c.csv') }),
    ).rejects.toThrow(/nearer another centre.*different runs/);
    const cli = gpuseg([
      'report',
      WHOLESALE,
      '--model',
      join(dir, 'a.json'),
      '--segments',
      join(dir, 'b.csv'),
      '--output',
      join(dir, 'r.html'),
    ]);
    expect(cli.status).toBe(3);
    expect(errors(cli)).toMatch(
      /^gpuseg: error: --segments '.*b\.csv' has segment_id 4 but --model/,
    );
    expect(errors(cli).split('\n')).toHaveLength(1);
    // The matching pair is fine.
    expectSelfContained(
      await report(WHOLESALE, { model: join(dir, 'a.json'), segments: join(dir, 'a.csv') }),
    );
  });

  test("a table without the model's features: an input error naming the column", async () => {
    const dir = tempDir();
    await files(dir, 'a', 3);
    const r = gpuseg([
      'report',
      'datasets/Mall_Customers.arrow',
      '--model',
      join(dir, 'a.json'),
      '--segments',
      join(dir, 'a.csv'),
      '--output',
      join(dir, 'r.html'),
    ]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /^gpuseg: error: the input has no column 'Fresh', which --model '.*a\.json' clusters on/,
    );
  });

  test('bad flags: output extension, currency, revenue column (exit 2)', async () => {
    const dir = tempDir();
    await files(dir, 'a', 3);
    const base = [
      'report',
      WHOLESALE,
      '--model',
      join(dir, 'a.json'),
      '--segments',
      join(dir, 'a.csv'),
    ];
    const ext = gpuseg([...base, '--output', join(dir, 'r.txt')]);
    expect(ext.status).toBe(2);
    expect(errors(ext)).toMatch(/--output '.*r\.txt': use \.html/);
    const currency = gpuseg([...base, '--currency', 'pounds', '--output', join(dir, 'r.html')]);
    expect(currency.status).toBe(2);
    expect(errors(currency)).toMatch(/--currency: expected an ISO 4217 currency code.*'pounds'/);
    const revenue = gpuseg([...base, '--revenue', 'nope', '--output', join(dir, 'r.html')]);
    expect(revenue.status).toBe(2);
    expect(errors(revenue)).toMatch(/--revenue: column 'nope' is not among the profiled columns/);
    await expect(
      report(WHOLESALE, {
        model: join(dir, 'a.json'),
        segments: join(dir, 'a.csv'),
        currency: 'XX',
      }),
    ).rejects.toThrow(UsageError);
  });

  test('a feature with one value, a segment of one customer, and k = 1 still give a report', async () => {
    const n = 41;
    const table = tableFromArrays({
      CustomerID: Int32Array.from({ length: n }, (_, i) => 1000 + i),
      recency_days: Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? 5000 : (i * 7) % 60)),
      frequency: Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? 500 : 1 + (i % 9))),
      monetary: Float64Array.from({ length: n }, (_, i) =>
        i === n - 1 ? 0 : 50 + ((i * 37) % 400),
      ),
      constant: new Float64Array(n).fill(5),
    });
    const features = ['recency_days', 'frequency', 'monetary', 'constant'];
    const r2 = await fit(table, { k: 2, seed: 0, backend: 'cpu', features });
    expect(Math.min(...r2.sizes)).toBe(1);
    const html2 = await fitReport(r2, { currency: 'EUR' });
    expectSelfContained(html2);
    expect(charts(html2)).toEqual(expect.arrayContaining(['rf', 'boxes-1', 'projection']));
    expect(boxTables(html2)).toContain('box-constant');
    const r1 = await fit(table, { k: 1, seed: 0, backend: 'cpu', features });
    const html1 = await fitReport(r1);
    expectSelfContained(html1);
    expect(charts(html1)).toEqual(
      expect.arrayContaining(['sizes', 'snake', 'projection', 'distances']),
    );
    expect(html1).toContain('data-segment="0"');
    expect(html1).not.toContain('data-segment="1"');
  });
});

describe('a --history store in the report (section 6)', () => {
  /** 40 customers over Jan–Apr 2024 in two habits (as test/track-store.test.ts). */
  function log(dir: string): string {
    const lines = ['customer,date,amount'];
    for (let c = 0; c < 40; c++) {
      const heavy = c % 2 === 0;
      for (let d = 1; d <= 120; d += heavy ? 7 + (c % 3) : 30 + (c % 5)) {
        const day = new Date(Date.UTC(2024, 0, d)).toISOString().slice(0, 10);
        lines.push(`${c + 1},${day},${heavy ? 80 + c : 10 + (c % 7)}`);
      }
    }
    writeFileSync(join(dir, 'tx.csv'), lines.join('\n') + '\n');
    return join(dir, 'tx.csv');
  }
  const figure = (html: string, id: string): string =>
    new RegExp(`<figure class="chart" id="chart-${id}"[\\s\\S]*?</figure>`).exec(html)![0];
  const values = (f: string): string[][] =>
    (f.match(/<tr>[\s\S]*?<\/tr>/g) ?? [])
      .filter((tr) => tr.includes('<td'))
      .map((tr) =>
        (tr.match(/<td[^>]*>/g) ?? []).map((td) => /data-value="([^"]*)"/.exec(td)?.[1] ?? ''),
      );

  test('sizes over time, migration, transitions and stability, from the store; the same from files', async () => {
    const root = tempDir();
    const dir = join(root, 'store');
    const input = log(root);
    const periods = ['2024-02-15', '2024-03-15', '2024-04-15'];
    const base = {
      customer: 'customer',
      date: 'date',
      amount: 'amount',
      k: 2,
      backend: 'cpu' as const,
      seed: 3,
    };
    let r: Awaited<ReturnType<typeof segment>> | undefined;
    let firstHtml = '';
    for (const asOf of periods) {
      r = await segment(input, { ...base, asOf, history: { dir } });
      if (asOf === periods[0]) {
        // One period: sizes only, and a sentence saying migration starts with the next.
        firstHtml = await fitReport(r.fit, { history: dir, asOf });
        expect(charts(firstHtml).filter((c) => c.startsWith('history-'))).toEqual([
          'history-sizes',
        ]);
        expect(firstHtml).toContain('holds one period (2024-02-15)');
      }
    }
    const html = await fitReport(r!.fit, { history: dir, asOf: periods[2] });
    expectSelfContained(html);
    expect(html).toContain('<section id="history">');
    expect(charts(html).filter((c) => c.startsWith('history-'))).toEqual([
      'history-sizes',
      'history-sankey',
      'history-transitions',
      'history-stability',
      'history-drift',
      'history-psi',
    ]);
    // Sizes per period equal the published segments counted in each stored customers table.
    const sizes = values(figure(html, 'history-sizes'));
    const keys = [
      ...(r!.fit.model as unknown as { tracking: { keys: number[] } }).tracking.keys,
    ].sort();
    periods.forEach((p, row) => {
      const t = parquetToTable(readFileSync(join(dir, p, 'customers.parquet')));
      const published = t.getChild('segment_key')!.toArray() as Int32Array;
      const counted = keys.map((k) => String(published.filter((x) => x === k).length));
      expect(sizes[row]).toEqual([p, ...counted]);
    });
    // The Sankey's data adds up to the customers of both periods.
    const links = values(figure(html, 'history-sankey'));
    const rowsOf = (p: string) =>
      parquetToTable(readFileSync(join(dir, p, 'customers.parquet'))).numRows;
    const total = (pick: (l: string[]) => boolean) =>
      links.filter(pick).reduce((s, l) => s + Number(l[2]), 0);
    expect(total((l) => l[0] !== 'new')).toBe(rowsOf(periods[1]));
    expect(total((l) => l[1] !== 'gone')).toBe(rowsOf(periods[2]));
    // Each row of the transition matrix sums to 1.
    for (const row of values(figure(html, 'history-transitions')))
      expect(row.slice(1).reduce((s, v) => s + Number(v), 0)).toBeCloseTo(1, 9);
    // Stability figures are the stored ones.
    const stability = JSON.parse(readFileSync(join(dir, periods[2], 'stability.json'), 'utf8')) as {
      adjusted_rand_index: number;
      flip_rate_published: number;
    };
    const last = values(figure(html, 'history-stability')).at(-1)!;
    expect(Number(last[1])).toBe(stability.adjusted_rand_index);
    expect(Number(last[4])).toBe(stability.flip_rate_published);
    // Every segment in its key's colour, in every chart that draws one mark per segment.
    for (const f of html.match(
      /<figure class="chart"[^>]*data-segments="[^"]*"[\s\S]*?<\/figure>/g,
    )!) {
      const drawn = /data-segments="([^"]*)"/.exec(f)![1].split(',').map(Number);
      for (const k of drawn) expect(f.toLowerCase()).toContain(segmentColour(k).toLowerCase());
    }
    // From files: the store's model, the published segments and the clustered table.
    const fromFiles = await report(r!.rfm.table, {
      model: r!.fit.model,
      segments: r!.segments,
      id: 'customer',
      history: dir,
    });
    expect(profilesTableRows(fromFiles)).toEqual(profilesTableRows(html));
    expect(values(figure(fromFiles, 'history-sankey'))).toEqual(links);
    // A store with no periods is an input error naming it.
    await expect(fitReport(r!.fit, { history: join(root, 'empty') })).rejects.toThrow(
      /^history .*empty: no periods stored/,
    );
  }, 120_000);

  test('charts colour segments by their key, not their position', async () => {
    const r = await fit(WHOLESALE, { k: 2, seed: 1, backend: 'cpu', features: ['Fresh', 'Milk'] });
    const keyed = {
      ...r,
      profiles: {
        ...r.profiles,
        segments: r.profiles.segments.map((s, c) => ({ ...s, segment: [7, 3][c] })),
      },
    };
    const html = await fitReport(keyed);
    for (const id of ['sizes', 'snake', 'boxes-1', 'projection', 'silhouette']) {
      const f = figure(html, id);
      expect(f).toContain('data-segments="7,3"');
      expect(f).toContain(segmentColour(7));
      expect(f).toContain(segmentColour(3));
      expect(f).not.toContain(segmentColour(0));
    }
    expect(html).toContain(`border-top-color:${segmentColour(7)}" data-segment="7"`);
  });
});
