import {
  CHART_WIDTH,
  GRID,
  categoryAxis,
  segmentLabel,
  valueAxis,
  type Cell,
  type ChartSpec,
} from './chart.js';
import { SEQUENTIAL, segmentColour } from './palette.js';
import type { Projection } from './sample.js';
import type { SelectionSummary } from './selection.js';

/** Charts of the choice of k and of the segments' shape in the clustering space. */

const exact = (x: number | undefined, digits = 6): Cell =>
  x === undefined || !Number.isFinite(x)
    ? { text: '–', value: null }
    : { text: String(Number(x.toPrecision(digits))), value: x };

interface Score {
  key: 'inertia' | 'silhouette' | 'calinskiHarabasz' | 'daviesBouldin' | 'bic';
  title: string;
  axis: string;
  better: string;
}

const SCORES: Score[] = [
  {
    key: 'inertia',
    title: 'Inertia by k (elbow)',
    axis: 'inertia (Σ squared distances)',
    better: 'the elbow, where adding a segment stops paying',
  },
  { key: 'silhouette', title: 'Silhouette by k', axis: 'mean silhouette', better: 'higher' },
  {
    key: 'calinskiHarabasz',
    title: 'Calinski-Harabasz by k',
    axis: 'Calinski-Harabasz index',
    better: 'higher',
  },
  {
    key: 'daviesBouldin',
    title: 'Davies-Bouldin by k',
    axis: 'Davies-Bouldin index',
    better: 'lower',
  },
  { key: 'bic', title: 'BIC by k (mixtures)', axis: 'BIC', better: 'lower' },
];

/** One small line chart per score; the knee and the chosen k marked. */
export function selectionCharts(sel: SelectionSummary, chosen: number): ChartSpec[] {
  const ks = sel.rows.map((r) => String(r.k));
  return SCORES.filter((s) => s.key !== 'bic' || sel.rows.every((r) => r.bic !== undefined)).map(
    (score) => {
      const values = sel.rows.map((r) => r[score.key] as number);
      const marks = [
        ...(score.key === 'inertia' && sel.elbow !== undefined
          ? [{ name: 'knee', k: sel.elbow, label: `knee k=${sel.elbow}` }]
          : []),
        { name: 'chosen', k: chosen, label: `chosen k=${chosen}` },
      ].filter((m) => ks.includes(String(m.k)));
      return {
        id: `select-${score.key}`,
        title: score.title,
        note:
          `Better: ${score.better}.` +
          (marks.length > 1 ? ' Blue pin: the knee of the curve; orange pin: the chosen k.' : '') +
          (score.key === 'silhouette' && sel.silhouetteSample !== undefined
            ? ` Computed on a sample of ${sel.silhouetteSample.toLocaleString('en')} rows.`
            : ''),
        width: CHART_WIDTH / 2,
        height: 260,
        option: {
          grid: { ...GRID, top: 30 },
          xAxis: categoryAxis('k (number of segments)', ks, { boundaryGap: false }),
          yAxis: valueAxis(score.axis, { scale: true, nameGap: 52 }),
          series: [
            {
              type: 'line',
              color: '#444444',
              symbol: 'circle',
              symbolSize: 6,
              data: values,
              markPoint: {
                symbol: 'pin',
                symbolSize: 34,
                data: marks.map((m, i) => ({
                  name: m.name,
                  coord: [String(m.k), values[ks.indexOf(String(m.k))]],
                  value: m.label,
                  itemStyle: { color: i === marks.length - 1 ? '#D55E00' : '#0072B2' },
                  label: { show: true, fontSize: 9, formatter: String(m.k) },
                })),
              },
            },
          ],
        },
        table: {
          head: ['k', score.axis, 'mark'],
          rows: sel.rows.map((r) => [
            { text: String(r.k), value: r.k },
            exact(r[score.key]),
            {
              text: marks
                .filter((m) => m.k === r.k)
                .map((m) => m.label)
                .join(', '),
            },
          ]),
        },
      };
    },
  );
}

/** The sample on its first two principal components, coloured by segment, with the centres. */
export function projectionChart(
  proj: Projection,
  labels: Int32Array,
  names: (string | undefined)[],
  keys: number[],
  sampleRows: number,
): ChartSpec {
  const k = names.length;
  const round = (v: number) => Number(v.toPrecision(4));
  // The points as they are: the underlay rounds their pixels to 0.1 px (rounding each value to
  // four digits first, as ECharts' data once was, cost 10,000 toPrecision calls a report).
  const points: [number, number][][] = Array.from({ length: k }, () => []);
  labels.forEach((c, i) => points[c].push([proj.x[i], proj.y[i]]));
  const axis = (p: number) => `PC${p + 1} (${(proj.explained[p] * 100).toFixed(0)}% of variance)`;
  return {
    id: 'projection',
    title: 'Segments on a map of the customers (PCA)',
    note: `A stratified sample of ${sampleRows.toLocaleString('en')} customers projected on the two directions of largest spread of the clustering space (after preprocessing); diamonds: segment centres. Near points are similar customers.`,
    width: CHART_WIDTH,
    height: 480,
    option: {
      grid: { ...GRID, top: 56 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: valueAxis(axis(0), { nameGap: 28, splitLine: { show: false } }),
      yAxis: valueAxis(axis(1), { splitLine: { show: false } }),
      series: [
        // The points are drawn by `underlay`; this invisible pair of corners gives the axes the
        // extent the points would have given them.
        { type: 'scatter' as const, symbol: 'none', silent: true, data: corners(points) },
        // Empty series: each segment's legend entry, in its colour.
        ...points.map((_, c) => ({
          type: 'scatter' as const,
          name: segmentLabel(keys[c], names[c]),
          color: segmentColour(keys[c]),
          symbolSize: 4,
          itemStyle: { opacity: 0.55 },
          data: [],
        })),
        // The centres, one series (fewer series, less of ECharts' per-series work).
        {
          type: 'scatter' as const,
          symbol: 'diamond',
          symbolSize: 16,
          data: proj.centres.map((xy, c) => ({
            value: xy.map(round),
            itemStyle: {
              color: segmentColour(keys[c]),
              borderColor: '#000000',
              borderWidth: 1.5,
              opacity: 1,
            },
          })),
          z: 3,
        },
      ],
    },
    underlay: (toPixel) => points.map((data, c) => pointsPath(data, toPixel, keys[c])).join(''),
    table: {
      head: ['segment', 'sampled customers', 'centre PC1', 'centre PC2'],
      rows: proj.centres.map((xy, c) => [
        { text: segmentLabel(keys[c], names[c]) },
        { text: String(points[c].length), value: points[c].length },
        exact(xy[0], 4),
        exact(xy[1], 4),
      ]),
    },
    segments: keys,
  };
}

/** Lower-left and upper-right corners of all the points (none when there are none). */
function corners(points: [number, number][][]): [number, number][] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const data of points)
    for (const [x, y] of data) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  return x0 <= x1
    ? [
        [x0, y0],
        [x1, y1],
      ]
    : [];
}

/**
 * One segment's points as one SVG path: a zero-length stroke with round caps is a dot of the
 * stroke's width, and a path's overlapping dots are painted once, as ECharts' large scatter
 * paints its symbols (4 px, opacity 0.55).
 */
function pointsPath(
  data: [number, number][],
  toPixel: (x: number, y: number) => [number, number],
  key: number,
): string {
  if (data.length === 0) return '';
  const at = (v: number) => Math.round(v * 10) / 10;
  let d = '';
  for (const [x, y] of data) {
    const [px, py] = toPixel(x, y);
    d += `M${at(px)} ${at(py)}h0`;
  }
  return `<path d="${d}" fill="none" stroke="${segmentColour(key)}" stroke-opacity="0.55" stroke-width="4" stroke-linecap="round"></path>`;
}

/** Distances between segment centres in the clustering space: which segments are near each other. */
export function distanceChart(
  distances: number[][],
  names: (string | undefined)[],
  keys: number[],
): ChartSpec {
  const labels = names.map((n, c) => segmentLabel(keys[c], n));
  // A centre's distance to itself is left blank; the others are shown to three digits.
  const values = distances.map((row, a) =>
    row.map((d, b) => (a === b ? null : Number(d.toPrecision(3)))),
  );
  const max = Math.max(0, ...distances.flat());
  return {
    id: 'distances',
    title: 'Distances between segment centres',
    note: 'Euclidean distance between centres in the clustering space (after preprocessing): small numbers are segments that are close, and easily confused.',
    width: CHART_WIDTH,
    height: 110 + 40 * names.length,
    heatmap: {
      columns: labels,
      rows: labels,
      columnName: '',
      rowName: '',
      values,
      colours: [...SEQUENTIAL].reverse(),
      min: 0,
      max: max || 1,
      label: String,
      legend: ['near', 'far'],
      columnFontSize: 10,
    },
    table: {
      head: ['segment', ...labels],
      rows: distances.map((row, a) => [{ text: labels[a] }, ...row.map((d) => exact(d, 4))]),
    },
  };
}

/**
 * Points drawn in the silhouette plot in all, about: one per 1.4 px of its ~700 px axis. Evenly
 * spaced ranks of each segment (and its last) keep the curve as a denser line would draw it,
 * for a fraction of the path ECharts builds and writes.
 */
const SILHOUETTE_POINTS = 500;

/** Each sampled customer's silhouette, sorted within its segment: how well each segment holds together. */
export function silhouetteChart(
  values: Float64Array,
  labels: Int32Array,
  names: (string | undefined)[],
  keys: number[],
): ChartSpec {
  const k = names.length;
  const bySegment: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((c, i) => bySegment[c].push(values[i]));
  let at = 0;
  const series = bySegment.map((v, c) => {
    const sorted = v.sort((a, b) => b - a);
    const step = Math.max(1, Math.ceil(labels.length / SILHOUETTE_POINTS));
    const data: [number, number][] = [];
    for (let r = 0; r < sorted.length; r += step)
      data.push([at + r, Number(sorted[r].toPrecision(3))]);
    if (sorted.length > 0)
      data.push([at + sorted.length - 1, Number(sorted[sorted.length - 1].toPrecision(3))]);
    at += sorted.length + Math.ceil(labels.length / 100);
    return {
      type: 'line' as const,
      name: segmentLabel(keys[c], names[c]),
      color: segmentColour(keys[c]),
      showSymbol: false,
      lineStyle: { width: 1 },
      areaStyle: { opacity: 0.6 },
      data,
    };
  });
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  return {
    id: 'silhouette',
    title: 'Silhouette of each customer',
    note: `Per customer of a stratified sample of ${labels.length.toLocaleString('en')}, within the sample: near 1, much closer to its own segment than to the next; below 0, closer to another segment. Sorted within each segment; dashed line: the mean (${mean.toFixed(3)}).`,
    width: CHART_WIDTH,
    height: 300,
    option: {
      grid: { ...GRID, top: 48 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: valueAxis('sampled customers, by segment', {
        axisLabel: { show: false },
        splitLine: { show: false },
        max: Math.max(at, 1),
        nameGap: 16,
      }),
      yAxis: valueAxis('silhouette', { min: -1, max: 1 }),
      series: [
        ...series,
        // The mean as a plain two-point line: a markLine costs the chart a third more time.
        {
          type: 'line' as const,
          data: [
            [0, Number(mean.toFixed(3))],
            [Math.max(at, 1), Number(mean.toFixed(3))],
          ],
          showSymbol: false,
          silent: true,
          lineStyle: { type: 'dashed', color: '#444444', width: 1 },
        },
      ],
    },
    table: {
      head: ['segment', 'sampled customers', 'mean silhouette', 'share below 0'],
      rows: bySegment.map((v, c) => [
        { text: segmentLabel(keys[c], names[c]) },
        { text: String(v.length), value: v.length },
        exact(v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined, 4),
        exact(v.length ? v.filter((s) => s < 0).length / v.length : undefined, 4),
      ]),
    },
    segments: bySegment.flatMap((v, c) => (v.length > 0 ? [keys[c]] : [])),
  };
}
