import { describe, expect, test } from 'vitest';
import { renderSvg, type ChartSpec } from '../src/report/chart.js';
import { loadECharts } from '../src/report/echarts.js';
import { heatmapSvg, labelColour, scaleColour, type Heatmap } from '../src/report/heatmap-svg.js';
import { DIVERGING, SEQUENTIAL } from '../src/report/palette.js';
import { quantile } from '../src/prep/stats.js';
import { importanceChart, rfChart } from '../src/report/charts-profile.js';
import { distanceChart } from '../src/report/charts-shape.js';
import { transitionHeatmapChart } from '../src/report/charts-history.js';
import { numberFormat } from '../src/report/format.js';
import type { HistoryView } from '../src/report/history-data.js';
import type { Profiles } from '../src/segment/profile.js';
import { boxStats, binEdges } from '../src/report/summaries.js';

/**
 * The report's heatmaps are drawn by the report (heatmap-svg.ts), not by ECharts: each value a
 * cell in the colour the scale gives it, labelled; blank where there is none; labels cut to their
 * room; one gradient per chart.
 */
describe('heatmaps drawn by the report', () => {
  const base: Heatmap = {
    columns: ['recency_days', 'frequency', 'a column with a name far too long for its cell'],
    rows: ['0 Champions', '1 <Hibernating> & co'],
    columnName: 'column',
    rowName: 'segment',
    values: [
      [-3, 0, 1.5],
      [3, null, -1.5],
    ],
    colours: DIVERGING,
    min: -3,
    max: 3,
    label: (v) => `v${v}`,
    legend: ['low', 'high'],
  };
  const size = { id: 'test', width: 760, height: 200, title: 'A "test" heatmap' };

  test('the scale: its ends, its middle stop, values beyond the ends clamped', () => {
    expect(scaleColour(DIVERGING, 0)).toBe(DIVERGING[0].toLowerCase());
    expect(scaleColour(DIVERGING, 1)).toBe(DIVERGING[8].toLowerCase());
    expect(scaleColour(DIVERGING, 0.5)).toBe(DIVERGING[4].toLowerCase());
    expect(scaleColour(DIVERGING, -2)).toBe(DIVERGING[0].toLowerCase());
    expect(scaleColour(DIVERGING, 7)).toBe(DIVERGING[8].toLowerCase());
    expect(scaleColour(DIVERGING, Number.NaN)).toBe(DIVERGING[0].toLowerCase());
    // Halfway between two stops: each channel halfway (#000000 → #ffffff at 0.5: #808080).
    expect(scaleColour(['#000000', '#ffffff'], 0.5)).toBe('#808080');
  });

  test('cell labels: white on dark cells, dark grey on light ones', () => {
    expect(labelColour('#b2182b')).toBe('#ffffff');
    expect(labelColour('#662506')).toBe('#ffffff');
    expect(labelColour('#f7f7f7')).toBe('#333333');
    expect(labelColour('#ffffe5')).toBe('#333333');
  });

  test('one cell per value, in its colour and with its label; none where there is no value', async () => {
    const echarts = await loadECharts();
    const svg = heatmapSvg(echarts, base, size);
    const cells = [
      ...svg.matchAll(
        /<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="(#[0-9a-f]{6})"\/>/g,
      ),
    ];
    expect(cells).toHaveLength(5);
    const fills = cells.map((c) => c[5]);
    expect(fills).toEqual([
      scaleColour(DIVERGING, 0),
      scaleColour(DIVERGING, 0.5),
      scaleColour(DIVERGING, 0.75),
      scaleColour(DIVERGING, 1),
      scaleColour(DIVERGING, 0.25),
    ]);
    // Cells tile the grid: neighbours share their edges (no seams), all inside the picture.
    const [a, b] = [cells[0], cells[1]].map((c) => c.slice(1, 5).map(Number));
    expect(a[0] + a[2]).toBe(b[0]);
    for (const c of cells) {
      const [x, y, w, h] = c.slice(1, 5).map(Number);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(size.width);
      expect(y + h).toBeLessThanOrEqual(size.height);
    }
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const v of ['v-3', 'v0', 'v1.5', 'v3', 'v-1.5']) expect(texts).toContain(v);
    expect(texts).toContain('1 &lt;Hibernating&gt; &amp; co');
    expect(texts).toContain('column');
    expect(texts).toContain('segment');
    expect(texts).toContain('low');
    expect(texts).toContain('high');
    // The long column name is cut to its cell ('...' at the end), the short ones are whole.
    expect(texts).toContain('recency_days');
    const cut = texts.find((t) => t.startsWith('a column'))!;
    expect(cut.endsWith('...')).toBe(true);
    expect(cut.length).toBeLessThan(base.columns[2].length);
    expect(svg).toContain('aria-label="A &quot;test&quot; heatmap"');
    expect(svg).toContain(`viewBox="0 0 ${size.width} ${size.height}"`);
  });

  test("each chart's gradient has an id of its own (several heatmaps share one page)", async () => {
    const echarts = await loadECharts();
    const one = heatmapSvg(echarts, base, size);
    const two = heatmapSvg(echarts, { ...base, colours: SEQUENTIAL }, { ...size, id: 'rf' });
    expect(one).toContain('<linearGradient id="scale-test">');
    expect(one).toContain('fill="url(#scale-test)"');
    expect(two).toContain('<linearGradient id="scale-rf">');
    expect(two).toContain(`stop-color="${SEQUENTIAL[0]}"`);
  });

  test('renderSvg draws a spec with a heatmap without ECharts', async () => {
    const echarts = await loadECharts();
    const spec: ChartSpec = {
      id: 'test',
      title: 'A "test" heatmap',
      width: 760,
      height: 200,
      heatmap: base,
      table: { head: [], rows: [] },
    };
    expect(renderSvg(echarts, spec)).toBe(heatmapSvg(echarts, base, spec));
  });
});

describe("the report's heatmaps, as their builders lay them out", () => {
  const fmt = numberFormat('USD');

  test('relative importance: a row per segment, a column per column, a scale symmetric about 0', () => {
    const column = (c: string, v: number | null) => ({
      column: c,
      role: 'feature' as const,
      mean: 1,
      median: 1,
      relativeImportance: v,
      zScore: 0,
    });
    const p: Profiles = {
      rows: 10,
      population: ['a', 'b'].map((c) => ({
        column: c,
        role: 'feature',
        mean: 1,
        median: 1,
        std: 1,
      })),
      segments: [
        {
          segment: 0,
          name: 'Champions',
          size: 6,
          share: 0.6,
          columns: [column('a', 0.5), column('b', -0.25)],
        },
        {
          segment: 1,
          name: undefined,
          size: 4,
          share: 0.4,
          columns: [column('a', -0.75), column('b', null)],
        },
      ],
    };
    const h = importanceChart(p, fmt).heatmap!;
    expect(h.rows).toEqual(['0 Champions', 'Segment 1']);
    expect(h.columns).toEqual(['a', 'b']);
    expect(h.values).toEqual([
      [0.5, -0.25],
      [-0.75, null],
    ]);
    expect([h.min, h.max]).toEqual([-0.75, 0.75]);
    expect(h.legend).toEqual([fmt.relative(-0.75), fmt.relative(0.75)]);
    expect(h.colours[0]).toBe(DIVERGING[0]);
  });

  test('recency × frequency: the most recent band at the bottom, empty cells blank', () => {
    const cell = (m: number) => ({ customers: 1, meanMonetary: m });
    const h = rfChart(
      {
        recencyEdges: [1, 10, 100],
        frequencyEdges: [1, 2, 9],
        cells: [
          [cell(10), cell(20)],
          [cell(30), cell(Number.NaN)],
        ],
      },
      fmt,
      100,
    ).heatmap!;
    expect(h.rows).toEqual(['10–100', '1–10']);
    expect(h.columns).toEqual(['1–2', '2–9']);
    expect(h.values).toEqual([
      [30, null],
      [10, 20],
    ]);
    expect([h.min, h.max]).toEqual([0, 30]);
    expect(h.legend).toEqual([fmt.moneyShort(0), fmt.moneyShort(30)]);
  });

  test('distances between centres: symmetric, the diagonal blank, near dark', () => {
    const h = distanceChart(
      [
        [0, 3.14159],
        [3.14159, 0],
      ],
      ['A', undefined],
      [0, 1],
    ).heatmap!;
    expect(h.values).toEqual([
      [null, 3.14],
      [3.14, null],
    ]);
    expect(h.legend).toEqual(['near', 'far']);
    expect(h.colours[0]).toBe(SEQUENTIAL[SEQUENTIAL.length - 1]);
  });

  test('transition matrix: shares of each previous segment, a pair no customer moved along blank', () => {
    const view: HistoryView = {
      dir: 'store',
      names: new Map([
        [0, 'Champions'],
        [1, 'Hibernating'],
      ]),
      periods: ['2024-01-01', '2024-02-01'].map((asOf) => ({
        asOf,
        sizes: new Map([
          [0, 5],
          [1, 5],
        ]),
        migration: [
          { from: '0', to: '0', customers: 4, rowShare: 0.8 },
          { from: '0', to: '1', customers: 1, rowShare: 0.2 },
          { from: 'new', to: '1', customers: 4, rowShare: 1 },
        ],
      })),
    };
    const h = transitionHeatmapChart(view, fmt).heatmap!;
    expect(h.rows).toEqual(['new', '0 Champions']);
    expect(h.columns).toEqual(['0 Champions', '1 Hibernating']);
    expect(h.values).toEqual([
      [null, 1],
      [0.8, 0.2],
    ]);
    expect([h.min, h.max]).toEqual([0, 1]);
    expect(h.rowName).toBe('segment at 2024-01-01');
    expect(h.columnName).toBe('segment at 2024-02-01');
  });
});

describe('box plots and bands from sorted samples', () => {
  /** The statistics as they were computed by selection (prep/stats.ts quantile) and a scan. */
  function byScan(values: Float64Array) {
    const q1 = quantile(values, 0.25);
    const median = quantile(values, 0.5);
    const q3 = quantile(values, 0.75);
    const reach = 1.5 * (q3 - q1);
    let low = Infinity;
    let high = -Infinity;
    let n = 0;
    for (const v of values) {
      if (v !== v) continue;
      n++;
      if (v >= q1 - reach && v < low) low = v;
      if (v <= q3 + reach && v > high) high = v;
    }
    return n === 0
      ? { low: NaN, q1: NaN, median: NaN, q3: NaN, high: NaN, n: 0 }
      : { low, q1, median, q3, high, n };
  }

  // The same values; a zero's sign may differ (the sort puts −0 before +0, selection either).
  test('the same five numbers as selection, with NaNs, ties, outliers and infinities', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [0, 1, 2, 3, 7, 50, 701, 2000]) {
      const values = Float64Array.from({ length: n }, (_, i) =>
        i % 13 === 5 ? NaN : i % 17 === 3 ? 1e6 * random() : Math.round(100 * random()) / 4,
      );
      expect(boxStats(values)).toEqual(byScan(values));
    }
    expect(boxStats(Float64Array.from([NaN, NaN]))).toEqual(byScan(Float64Array.from([NaN, NaN])));
    // Infinite values (a profile-only column may hold them): the same quartiles and whiskers.
    for (const values of [
      [1, 2, Infinity, 3, 4],
      [-Infinity, 1, 2, 3],
      [Infinity, Infinity, 1],
      [-Infinity, 0, Infinity, NaN],
    ])
      expect(boxStats(Float64Array.from(values))).toEqual(byScan(Float64Array.from(values)));
  });

  test('band edges: the sample quintiles, repeated edges merged', () => {
    const values = Float64Array.from([5, 1, 1, 1, 1, 1, 2, NaN, 3, 9, 4]);
    const expected: number[] = [];
    for (let b = 0; b <= 5; b++) {
      const e = quantile(values, b / 5);
      if (expected.length === 0 || e > expected[expected.length - 1]) expected.push(e);
    }
    expect(binEdges(values)).toEqual(expected);
    expect(binEdges(Float64Array.from([NaN]))).toEqual([]);
  });
});
