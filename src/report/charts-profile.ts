import type { Profiles } from '../segment/profile.js';
import {
  CHART_WIDTH,
  GRID,
  categoryAxis,
  segmentLabel,
  valueAxis,
  type Cell,
  type ChartSpec,
} from './chart.js';
import type { NumberFormat } from './format.js';
import { DIVERGING, SEQUENTIAL, segmentColour } from './palette.js';
import { binLabels, type BoxStats, type RfGrid } from './summaries.js';

/** Charts of the profiles (exact over every customer) and of the sample's distributions. */

const num = (x: number | null): Cell => ({
  text: x === null || !Number.isFinite(x) ? '–' : String(Number(x.toPrecision(6))),
  value: x === null || !Number.isFinite(x) ? null : x,
});

function labels(p: Profiles): string[] {
  return p.segments.map((s) => segmentLabel(s.segment, s.name));
}

/** Bars, one per segment in its colour: customers, or revenue. */
export function sizeChart(
  p: Profiles,
  id: string,
  title: string,
  axis: string,
  values: number[],
  text: (x: number) => string,
  share: number[],
): ChartSpec {
  return {
    id,
    title,
    width: CHART_WIDTH / 2,
    height: 60 + 34 * p.segments.length,
    option: {
      grid: { ...GRID, right: 56 },
      yAxis: categoryAxis('', labels(p), { inverse: true }),
      xAxis: valueAxis(axis, { axisLabel: { fontSize: 11, formatter: text }, nameGap: 28 }),
      series: [
        {
          type: 'bar',
          data: values.map((v, c) => ({
            value: v,
            itemStyle: { color: segmentColour(p.segments[c].segment) },
          })),
          label: { show: true, position: 'right', formatter: (d) => text(Number(d.value)) },
        },
      ],
    },
    table: {
      head: ['segment', axis, 'share'],
      rows: values.map((v, c) => [
        { text: labels(p)[c] },
        { text: text(v), value: v },
        { text: `${(share[c] * 100).toFixed(1)}%`, value: share[c] },
      ]),
    },
    segments: p.segments.map((s) => s.segment),
  };
}

/** The snake plot: each segment's mean per column in population standard deviations. */
export function snakeChart(p: Profiles): ChartSpec {
  const columns = p.population.map((c) => c.column);
  return {
    id: 'snake',
    title: 'Snake plot: how far each segment sits from the average',
    note: 'Segment mean minus population mean, in population standard deviations (z-score), per column; 0 is the average customer.',
    width: CHART_WIDTH,
    height: 380,
    option: {
      grid: { ...GRID, top: 56 },
      legend: { top: 0, type: 'plain', textStyle: { fontSize: 11 } },
      xAxis: categoryAxis('column', columns),
      yAxis: valueAxis('z-score (standard deviations from the mean)'),
      series: p.segments.map((s) => ({
        type: 'line',
        name: segmentLabel(s.segment, s.name),
        color: segmentColour(s.segment),
        symbol: 'circle',
        symbolSize: 7,
        lineStyle: { width: 2.5 },
        data: s.columns.map((c) => c.zScore ?? 0),
      })),
    },
    table: profileTable(p),
    segments: p.segments.map((s) => s.segment),
  };
}

/** The profiles as profiles.csv has them: one row per segment and column. */
function profileTable(p: Profiles): ChartSpec['table'] {
  return {
    head: [
      'segment_id',
      'segment_name',
      'column',
      'role',
      'mean',
      'median',
      'population_mean',
      'relative_importance',
      'z_score',
    ],
    rows: p.segments.flatMap((s) =>
      s.columns.map((c, j) => [
        { text: String(s.segment), value: s.segment },
        { text: s.name ?? '' },
        { text: c.column },
        { text: c.role },
        num(c.mean),
        num(c.median),
        num(p.population[j].mean),
        num(c.relativeImportance),
        num(c.zScore),
      ]),
    ),
  };
}

/** Relative importance (segment mean / population mean − 1), diverging colours centred at 0. */
export function importanceChart(p: Profiles, fmt: NumberFormat): ChartSpec {
  const columns = p.population.map((c) => c.column);
  const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);
  const values = p.segments.map((s) => s.columns.map((c) => finite(c.relativeImportance)));
  let extent = 0;
  for (const row of values)
    for (const v of row) if (v !== null) extent = Math.max(extent, Math.abs(v));
  // Symmetric around 0 so that white means 'average'; capped so one outlier keeps the rest readable.
  const bound = Math.min(Math.max(extent, 0.1), 3);
  return {
    id: 'importance',
    title: 'Relative importance: segment mean vs the average, per column',
    note: 'Segment mean / population mean − 1: red above the average, blue below, white at the average (colours capped at ±300%).',
    width: CHART_WIDTH,
    height: 110 + 40 * p.segments.length,
    heatmap: {
      columns,
      rows: labels(p),
      columnName: 'column',
      rowName: '',
      values,
      colours: DIVERGING,
      min: -bound,
      max: bound,
      label: fmt.relative,
      legend: [fmt.relative(-bound), fmt.relative(bound)],
    },
    table: {
      head: ['segment', ...columns],
      rows: p.segments.map((s) => [
        { text: segmentLabel(s.segment, s.name) },
        ...s.columns.map((c) => ({
          text: c.relativeImportance === null ? '–' : fmt.relative(c.relativeImportance),
          value: c.relativeImportance,
        })),
      ]),
    },
  };
}

/** One column's box plots per segment (from the sample), as a panel of a box chart. */
export interface BoxPanel {
  column: string;
  boxes: BoxStats[];
  fmt: (x: number) => string;
}

/** A box chart's height at most: with its title and data it prints on one A4 page. */
const MAX_BOX_CHART_HEIGHT = 880;
/** Room above a panel's plot: the panel above it ends in its axis name, nothing else is drawn there. */
const PANEL_TOP = 20;

/**
 * The columns' distributions as a few charts of stacked panels (one panel per column, box plots
 * per segment, in original units) rather than a chart per column: each chart costs ECharts a fixed
 * setup (models, layout, painter), about as much as its panels' drawing. Panels are shared out
 * evenly over as few charts as keep each within a printed page; the charts sit side by side.
 */
export function boxCharts(p: Profiles, panels: BoxPanel[]): ChartSpec[] {
  const panelHeight = PANEL_TOP + GRID.bottom + 34 * p.segments.length;
  const perChart = Math.max(1, Math.floor(MAX_BOX_CHART_HEIGHT / panelHeight));
  const count = Math.ceil(panels.length / perChart);
  const size = Math.ceil(panels.length / Math.max(1, count));
  const charts: ChartSpec[] = [];
  for (let at = 0; at < panels.length; at += size)
    charts.push(boxChart(p, panels.slice(at, at + size), panelHeight, charts.length + 1));
  return charts;
}

function boxChart(p: Profiles, panels: BoxPanel[], panelHeight: number, n: number): ChartSpec {
  const { bottom } = GRID;
  const segmentIds = (b: BoxStats[]) =>
    b.flatMap((x, c) => (x.n > 0 ? [p.segments[c].segment] : []));
  const drawn = new Set(panels.flatMap((panel) => segmentIds(panel.boxes)));
  return {
    id: `boxes-${n}`,
    title: `${panels.map((panel) => panel.column).join(', ')} by segment`,
    width: CHART_WIDTH / 2,
    height: panelHeight * panels.length,
    option: {
      grid: panels.map((_, i) => ({
        ...GRID,
        right: 28,
        top: i * panelHeight + PANEL_TOP,
        bottom: (panels.length - 1 - i) * panelHeight + bottom,
      })),
      yAxis: panels.map((_, i) => categoryAxis('', labels(p), { inverse: true, gridIndex: i })),
      xAxis: panels.map(({ column, fmt }, i) =>
        valueAxis(column, {
          nameGap: 28,
          axisLabel: { fontSize: 11, formatter: fmt },
          gridIndex: i,
        }),
      ),
      series: panels.map(({ boxes }, i) => ({
        type: 'boxplot',
        xAxisIndex: i,
        yAxisIndex: i,
        boxWidth: [6, 18],
        data: boxes.map((b, c) => ({
          value: [b.low, b.q1, b.median, b.q3, b.high],
          itemStyle: {
            color: segmentColour(p.segments[c].segment) + '55',
            borderColor: segmentColour(p.segments[c].segment),
            borderWidth: 2,
          },
        })),
      })),
    },
    table: panels.map(({ column, boxes, fmt }) => ({
      name: column,
      id: `box-${column}`,
      head: ['segment', 'sampled', 'low whisker', 'Q1', 'median', 'Q3', 'high whisker'],
      rows: boxes.map((b, c) => [
        { text: labels(p)[c] },
        { text: String(b.n), value: b.n },
        ...[b.low, b.q1, b.median, b.q3, b.high].map((v) => ({ text: fmt(v), value: v })),
      ]),
    })),
    segments: p.segments.map((s) => s.segment).filter((s) => drawn.has(s)),
  };
}

/** Mean monetary per recency × frequency bin. */
export function rfChart(grid: RfGrid, fmt: NumberFormat, sampleRows: number): ChartSpec {
  const rLabels = binLabels(grid.recencyEdges, fmt.value);
  const fLabels = binLabels(grid.frequencyEdges, fmt.value);
  // The most recent band at the bottom, the most frequent at the right: the best customers'
  // corner is the bottom right.
  const values = grid.cells
    .map((row) =>
      row.map((cell) => (Number.isFinite(cell.meanMonetary) ? cell.meanMonetary : null)),
    )
    .reverse();
  let max = 0;
  for (const row of values) for (const v of row) if (v !== null) max = Math.max(max, v);
  return {
    id: 'rf',
    title: 'Mean spend by recency and frequency',
    note: `Mean monetary of the customers in each recency × frequency band (bands: quintiles), estimated from a stratified sample of ${sampleRows.toLocaleString('en')} customers weighted to the whole base.`,
    width: CHART_WIDTH,
    height: 120 + 44 * rLabels.length,
    heatmap: {
      columns: fLabels,
      rows: [...rLabels].reverse(),
      columnName: 'frequency (orders)',
      rowName: 'recency (days since last purchase)',
      values,
      colours: SEQUENTIAL,
      min: 0,
      max: max || 1,
      label: fmt.money,
      legend: [fmt.moneyShort(0), fmt.moneyShort(max)],
    },
    table: {
      head: ['recency_days', 'frequency', 'customers (est.)', 'mean monetary'],
      rows: grid.cells.flatMap((row, r) =>
        row.map((cell, f) => [
          { text: rLabels[r] },
          { text: fLabels[f] },
          { text: fmt.count(cell.customers), value: cell.customers },
          { text: fmt.money(cell.meanMonetary), value: cell.meanMonetary },
        ]),
      ),
    },
  };
}
