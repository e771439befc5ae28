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
import type { HistoryView, PeriodView } from './history-data.js';
import { SEQUENTIAL, segmentColour } from './palette.js';

/**
 * Charts of a --history store (issue 14 section 6): published sizes over time, the last period's
 * migration as a Sankey diagram and as a transition-matrix heatmap, and the stability figures.
 * Every segment is drawn in its stable key's colour, the same in every chart and period.
 */

/** Neither `new` nor `gone` is a segment: drawn in grey. */
const OUTSIDE = '#9E9E9E';

const exact = (v: number | null | undefined, digits = 4): Cell =>
  v === null || v === undefined || !Number.isFinite(v)
    ? { text: '–', value: null }
    : { text: String(Number(v.toPrecision(digits))), value: v };

function keyLabel(view: HistoryView, key: number): string {
  return segmentLabel(key, view.names.get(key));
}

/** Every key published in some period, in key order. */
function keysSeen(view: HistoryView): number[] {
  const keys = new Set<number>();
  for (const p of view.periods) for (const k of p.sizes.keys()) keys.add(k);
  return [...keys].sort((a, b) => a - b);
}

/** Customers per published segment at each as-of. */
export function sizesOverTimeChart(view: HistoryView, fmt: NumberFormat): ChartSpec {
  const keys = keysSeen(view);
  const dates = view.periods.map((p) => p.asOf);
  return {
    id: 'history-sizes',
    title: 'Segment sizes over time',
    note: `Published customers per segment at each of the ${dates.length} stored periods (a gap: the segment was not live then).`,
    width: CHART_WIDTH,
    height: 380,
    option: {
      grid: { ...GRID, top: 56 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: categoryAxis('as of', dates),
      yAxis: valueAxis('customers (published)', {
        axisLabel: { fontSize: 11, formatter: fmt.count },
      }),
      series: keys.map((key) => ({
        type: 'line' as const,
        name: keyLabel(view, key),
        color: segmentColour(key),
        symbol: 'circle',
        symbolSize: 7,
        lineStyle: { width: 2.5 },
        connectNulls: false,
        data: view.periods.map((p) => p.sizes.get(key) ?? null),
      })),
    },
    table: {
      head: ['as of', ...keys.map((k) => keyLabel(view, k))],
      rows: view.periods.map((p) => [
        { text: p.asOf, value: p.asOf },
        ...keys.map((k): Cell => {
          const n = p.sizes.get(k);
          return n === undefined ? { text: '–', value: null } : { text: fmt.count(n), value: n };
        }),
      ]),
    },
    segments: keys,
  };
}

/** The last period's migration of published segments, previous period on the left. */
export function migrationSankeyChart(view: HistoryView, fmt: NumberFormat): ChartSpec {
  const last = view.periods[view.periods.length - 1];
  const before = view.periods[view.periods.length - 2];
  // Node names must be unique: a segment appears once per side.
  const left = (from: string) =>
    from === 'new' ? 'new customers' : `${keyLabel(view, Number(from))} (${before.asOf})`;
  const right = (to: string) =>
    to === 'gone' ? 'gone' : `${keyLabel(view, Number(to))} (${last.asOf})`;
  const nodes = new Map<string, { color: string; side: 'left' | 'right' }>();
  for (const m of last.migration) {
    const from = m.from === 'new' ? OUTSIDE : segmentColour(Number(m.from));
    nodes.set(left(m.from), { color: from, side: 'left' });
    nodes.set(right(m.to), {
      color: m.to === 'gone' ? OUTSIDE : segmentColour(Number(m.to)),
      side: 'right',
    });
  }
  const heading = (text: string, side: 'left' | 'right') => ({
    type: 'text' as const,
    top: 4,
    ...(side === 'left' ? { left: 8 } : { right: 8 }),
    style: { text, fontSize: 12, fontWeight: 'bold' as const, fill: '#333333' },
  });
  const keys = [...last.sizes.keys()].sort((a, b) => a - b);
  return {
    id: 'history-sankey',
    title: `Migration between segments, ${before.asOf} → ${last.asOf}`,
    note: 'Published segments: band width is the number of customers moving from a segment (left, previous period) to one of this period (right); new customers enter from the left, customers no longer present leave to the right.',
    width: CHART_WIDTH,
    height: 120 + 46 * Math.max(nodes.size / 2, 2),
    option: {
      graphic: [
        heading(`segment at ${before.asOf}`, 'left'),
        heading(`segment at ${last.asOf}`, 'right'),
      ],
      series: [
        {
          type: 'sankey',
          left: 150,
          right: 150,
          top: 28,
          bottom: 12,
          nodeWidth: 14,
          nodeGap: 10,
          layoutIterations: 0,
          // The period is in the node's name (names are unique per side) and the headings.
          label: {
            fontSize: 11,
            width: 136,
            overflow: 'truncate',
            formatter: (d: { name?: string }) =>
              (d.name ?? '').replace(/ \(\d{4}-\d{2}-\d{2}\)$/, ''),
          },
          lineStyle: { color: 'source', opacity: 0.35 },
          data: [...nodes].map(([name, n]) => ({
            name,
            itemStyle: { color: n.color },
            label: { position: n.side },
          })),
          links: last.migration
            .filter((m) => m.customers > 0)
            .map((m) => ({ source: left(m.from), target: right(m.to), value: m.customers })),
        },
      ],
    },
    table: migrationTable(view, last, fmt),
    segments: keys,
  };
}

function migrationTable(
  view: HistoryView,
  last: PeriodView,
  fmt: NumberFormat,
): ChartSpec['table'] {
  const side = (v: string) => (v === 'new' || v === 'gone' ? v : keyLabel(view, Number(v)));
  return {
    head: ['from', 'to', 'customers', 'share of from'],
    rows: last.migration.map((m) => [
      { text: side(m.from), value: m.from },
      { text: side(m.to), value: m.to },
      { text: fmt.count(m.customers), value: m.customers },
      { text: fmt.share(m.rowShare), value: m.rowShare },
    ]),
  };
}

/** The last period's transition matrix: share of each previous segment now in each segment. */
export function transitionHeatmapChart(view: HistoryView, fmt: NumberFormat): ChartSpec {
  const last = view.periods[view.periods.length - 1];
  const before = view.periods[view.periods.length - 2];
  const order = (s: string) => (s === 'new' ? -1 : s === 'gone' ? Infinity : Number(s));
  const rows = [...new Set(last.migration.map((m) => m.from))].sort((a, b) => order(a) - order(b));
  const cols = [...new Set(last.migration.map((m) => m.to))].sort((a, b) => order(a) - order(b));
  const label = (v: string) => (v === 'new' || v === 'gone' ? v : keyLabel(view, Number(v)));
  // A pair no customer moved along is left blank.
  const values = rows.map((): (number | null)[] => cols.map(() => null));
  for (const m of last.migration)
    values[rows.indexOf(m.from)][cols.indexOf(m.to)] = Number(m.rowShare.toFixed(4));
  return {
    id: 'history-transitions',
    title: `Transition matrix, ${before.asOf} → ${last.asOf}`,
    note: 'Each row: where the customers of a segment of the previous period are now, as shares of that row (published segments; ‘new’: customers not there before, ‘gone’: no longer present).',
    width: CHART_WIDTH,
    height: 130 + 40 * rows.length,
    heatmap: {
      columns: cols.map(label),
      rows: rows.map(label),
      columnName: `segment at ${last.asOf}`,
      rowName: `segment at ${before.asOf}`,
      values,
      colours: SEQUENTIAL,
      min: 0,
      max: 1,
      label: fmt.share,
      legend: ['0%', '100%'],
      columnFontSize: 10,
    },
    table: {
      head: ['from', ...cols.map(label)],
      rows: rows.map((r) => [
        { text: label(r), value: r },
        ...cols.map((c): Cell => {
          const m = last.migration.find((x) => x.from === r && x.to === c);
          return m ? { text: fmt.share(m.rowShare), value: m.rowShare } : { text: '0%', value: 0 };
        }),
      ]),
    },
  };
}

/** Agreement and flip rates between consecutive periods, one point per period after the first. */
export function stabilityOverTimeChart(view: HistoryView): ChartSpec {
  const periods = view.periods.filter((p) => p.stability);
  const lines = [
    { name: 'adjusted Rand index', pick: (p: PeriodView) => p.stability!.ari, type: 'solid' },
    { name: 'NMI', pick: (p: PeriodView) => p.stability!.nmi, type: 'dotted' },
    { name: 'flip rate (raw)', pick: (p: PeriodView) => p.stability!.flipRaw, type: 'dashed' },
    {
      name: 'flip rate (published)',
      pick: (p: PeriodView) => p.stability!.flipPublished,
      type: 'solid',
    },
  ];
  // Greys, told apart by line style and marker: the segment colours stay the segments' own.
  const greys = ['#000000', '#444444', '#777777', '#AAAAAA'];
  const symbols = ['circle', 'rect', 'triangle', 'diamond'];
  return {
    id: 'history-stability',
    title: 'Stability between consecutive periods',
    note: 'On customers present in both periods: adjusted Rand index and normalised mutual information of the raw segments (1: the same grouping), and the share of customers whose raw or published segment changed.',
    width: CHART_WIDTH,
    height: 340,
    option: {
      grid: { ...GRID, top: 56 },
      legend: { top: 0, itemGap: 18, textStyle: { fontSize: 11 } },
      xAxis: categoryAxis(
        'as of',
        periods.map((p) => p.asOf),
      ),
      yAxis: valueAxis('index or share of customers', { min: 0, max: 1 }),
      series: lines.map((l, i) => ({
        type: 'line' as const,
        name: l.name,
        color: greys[i],
        symbol: symbols[i],
        symbolSize: 7,
        lineStyle: { width: 2, type: l.type as 'solid' | 'dashed' | 'dotted' },
        data: periods.map((p) => l.pick(p)),
      })),
    },
    table: {
      head: ['as of', ...lines.map((l) => l.name)],
      rows: periods.map((p) => [
        { text: p.asOf, value: p.asOf },
        ...lines.map((l) => exact(l.pick(p))),
      ]),
    },
  };
}

/** Each segment's centre drift since the previous period, with its size change. */
export function driftChart(view: HistoryView, fmt: NumberFormat): ChartSpec {
  const last = view.periods[view.periods.length - 1];
  const segs = last.stability!.segments;
  return {
    id: 'history-drift',
    title: `Centre drift per segment since the previous period (${last.asOf})`,
    note: 'Euclidean distance each surviving segment’s centre moved, in the frozen clustering space (standardised units); no bar: a new segment, or the preprocessing was refitted.',
    width: CHART_WIDTH,
    height: 70 + 34 * Math.max(segs.length, 1),
    option: {
      grid: { ...GRID, right: 56 },
      yAxis: categoryAxis(
        '',
        segs.map((s) => segmentLabel(s.key, s.name)),
        { inverse: true },
      ),
      xAxis: valueAxis('centre drift (clustering-space units)', { nameGap: 28 }),
      series: [
        {
          type: 'bar',
          data: segs.map((s) => ({
            value: s.centreDrift === null ? '-' : Number(s.centreDrift.toPrecision(4)),
            itemStyle: { color: segmentColour(s.key) },
          })),
          label: { show: true, position: 'right', fontSize: 11 },
        },
      ],
    },
    table: {
      head: ['segment', 'customers', 'previous customers', 'size change', 'centre drift'],
      rows: segs.map((s) => [
        { text: segmentLabel(s.key, s.name), value: s.key },
        { text: fmt.count(s.size), value: s.size },
        { text: fmt.count(s.previousSize), value: s.previousSize },
        { text: String(s.size - s.previousSize), value: s.size - s.previousSize },
        exact(s.centreDrift),
      ]),
    },
    segments: segs.filter((s) => s.centreDrift !== null).map((s) => s.key),
  };
}

/** Population stability index of each feature against the previous period. */
export function psiChart(view: HistoryView): ChartSpec {
  const last = view.periods[view.periods.length - 1];
  const psi = last.stability!.psi;
  return {
    id: 'history-psi',
    title: `Population stability index per feature (${last.asOf})`,
    note: 'How far each feature’s distribution moved from the previous period’s (its deciles as bins): below 0.1 little change, 0.1–0.25 some, above 0.25 a large shift (dashed lines).',
    width: CHART_WIDTH,
    height: 90 + 34 * Math.max(psi.length, 1),
    option: {
      grid: { ...GRID, right: 56 },
      yAxis: categoryAxis(
        '',
        psi.map(([f]) => f),
        { inverse: true },
      ),
      xAxis: valueAxis('PSI', { nameGap: 28 }),
      series: [
        {
          type: 'bar',
          color: '#555555',
          data: psi.map(([, v]) => (v === null ? '-' : Number(v.toPrecision(4)))),
          label: { show: true, position: 'right', fontSize: 11 },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed', color: '#444444' },
            label: { show: false },
            data: [{ xAxis: 0.1 }, { xAxis: 0.25 }],
          },
        },
      ],
    },
    table: {
      head: ['feature', 'PSI'],
      rows: psi.map(([f, v]) => [{ text: f }, exact(v)]),
    },
  };
}

/** The section's charts: sizes always; migration and stability once there are two periods. */
export function historyCharts(view: HistoryView, fmt: NumberFormat): ChartSpec[] {
  const last = view.periods[view.periods.length - 1];
  const charts = [sizesOverTimeChart(view, fmt)];
  if (view.periods.length < 2 || !last.stability) return charts;
  return [
    ...charts,
    migrationSankeyChart(view, fmt),
    transitionHeatmapChart(view, fmt),
    stabilityOverTimeChart(view),
    driftChart(view, fmt),
    ...(last.stability.psi.length ? [psiChart(view)] : []),
  ];
}
