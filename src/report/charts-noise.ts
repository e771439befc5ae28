import type { Profiles } from '../segment/profile.js';
import {
  CHART_WIDTH,
  GRID,
  categoryAxis,
  segmentLabel,
  valueAxis,
  type ChartSpec,
} from './chart.js';
import type { NumberFormat } from './format.js';
import { segmentColour } from './palette.js';

/**
 * DBSCAN's noise share: the rows in no dense region (segment −1, "Unusual") beside the clusters,
 * as shares of all rows — how much of the customer base the density model leaves out.
 */
export function noiseShareChart(
  p: Profiles,
  fmt: NumberFormat,
  settings: { eps: number; minSamples: number },
): ChartSpec {
  const noise = p.segments.find((s) => s.segment < 0);
  const noiseRows = noise?.size ?? 0;
  const share = p.rows > 0 ? noiseRows / p.rows : 0;
  // Unusual first: the share this chart is about, then the clusters, largest first.
  const order = [...p.segments].sort(
    (a, b) => Number(b.segment < 0) - Number(a.segment < 0) || b.size - a.size,
  );
  const labels = order.map((s) => segmentLabel(s.segment, s.name));
  return {
    id: 'noise',
    title: 'Unusual customers (DBSCAN noise) and cluster sizes',
    note: `${fmt.share(share)} of the customers (${noiseRows.toLocaleString('en')} of ${p.rows.toLocaleString('en')}) lie in no dense region at eps ${Number(settings.eps.toPrecision(4))} and min-samples ${settings.minSamples}: segment −1, "Unusual". Bars: each group's share of all customers.`,
    width: CHART_WIDTH,
    height: 70 + 30 * order.length,
    option: {
      grid: { ...GRID, right: 64 },
      yAxis: categoryAxis('', labels, { inverse: true }),
      xAxis: valueAxis('share of all customers', {
        min: 0,
        max: 1,
        axisLabel: { fontSize: 11, formatter: (v: number) => fmt.share(v) },
        nameGap: 28,
      }),
      series: [
        {
          type: 'bar',
          data: order.map((s) => ({
            value: p.rows > 0 ? s.size / p.rows : 0,
            itemStyle: { color: segmentColour(s.segment) },
          })),
          label: {
            show: true,
            position: 'right',
            formatter: (d: { value: unknown }) => fmt.share(Number(d.value)),
          },
        },
      ],
    },
    table: {
      head: ['group', 'customers', 'share of all customers'],
      rows: order.map((s, i) => [
        { text: labels[i] },
        { text: s.size.toLocaleString('en'), value: s.size },
        {
          text: `${((s.size / Math.max(p.rows, 1)) * 100).toFixed(1)}%`,
          value: s.size / Math.max(p.rows, 1),
        },
      ]),
    },
    segments: order.map((s) => s.segment),
  };
}
