import type { Profiles } from '../segment/profile.js';
import type { ChartSpec } from './chart.js';
import { boxChart, importanceChart, rfChart, sizeChart, snakeChart } from './charts-profile.js';
import {
  distanceChart,
  projectionChart,
  selectionCharts,
  silhouetteChart,
} from './charts-shape.js';
import { numberFormat } from './format.js';

/**
 * The report's own charts, on a made-up three-segment base: what a chart worker renders while a
 * fit runs (chart-worker.ts), so that the report made after it finds ECharts' code for each kind
 * of chart, axis, legend, colour scale and label already compiled and optimised (tiny stand-ins
 * of each series type left the first report a third slower than the next).
 */
export function warmUpSpecs(): ChartSpec[] {
  const columns = ['recency_days', 'frequency', 'monetary'];
  const k = 3;
  const names = ['Champions', 'At risk', 'Hibernating'];
  const keys = [0, 1, 2];
  const p: Profiles = {
    rows: 1000,
    population: columns.map((column, j) => ({
      column,
      role: 'feature',
      mean: 10 * (j + 1),
      median: 9 * (j + 1),
      std: 3 * (j + 1),
    })),
    segments: keys.map((segment) => ({
      segment,
      name: names[segment],
      size: 500 - 150 * segment,
      share: (500 - 150 * segment) / 1050,
      columns: columns.map((column, j) => ({
        column,
        role: 'feature',
        mean: 10 * (j + 1) + 4 * (segment - 1),
        median: 10 * (j + 1) + 3 * (segment - 1),
        relativeImportance: (segment - 1) * 0.4,
        zScore: (segment - 1) * 1.3,
      })),
    })),
  };
  const fmt = numberFormat('USD');
  const wave = (i: number) => Math.sin(i * 12.9898) * 0.5;
  const points = 300;
  const labels = Int32Array.from({ length: points }, (_, i) => i % k);
  const sizes = p.segments.map((s) => s.size);
  const edges = [0, 10, 20, 40, 80, 160];
  return [
    sizeChart(p, 'sizes', 'sizes', 'customers', sizes, fmt.count, [0.5, 0.3, 0.2]),
    sizeChart(p, 'revenue', 'revenue', 'revenue', sizes, fmt.moneyShort, [0.5, 0.3, 0.2]),
    snakeChart(p),
    importanceChart(p, fmt),
    boxChart(
      p,
      'monetary',
      keys.map((c) => ({ low: c, q1: c + 1, median: c + 2, q3: c + 3, high: c + 5, n: 50 })),
      fmt.moneyShort,
    ),
    rfChart(
      {
        recencyEdges: edges,
        frequencyEdges: edges,
        cells: edges
          .slice(1)
          .map((_, r) =>
            edges.slice(1).map((__, f) => ({ customers: 10 + r, meanMonetary: 100 * (r + f) })),
          ),
      },
      fmt,
      points,
    ),
    projectionChart(
      {
        x: Float64Array.from(labels, (c, i) => c + wave(i)),
        y: Float64Array.from(labels, (c, i) => c - wave(i + 7)),
        centres: keys.map((c) => [c, c]),
        explained: [0.6, 0.3],
      },
      labels,
      names,
      keys,
      points,
    ),
    distanceChart(
      keys.map((a) => keys.map((b) => Math.abs(a - b))),
      names,
      keys,
    ),
    silhouetteChart(
      Float64Array.from(labels, (_, i) => wave(i)),
      labels,
      names,
      keys,
    ),
    ...selectionCharts(
      {
        rows: [2, 3, 4, 5].map((kk) => ({
          k: kk,
          inertia: 1000 / kk,
          bic: 5000 - 100 * kk,
          silhouette: 0.3 + 0.01 * kk,
          calinskiHarabasz: 100 * kk,
          daviesBouldin: 1 / kk,
        })),
        elbow: 3,
        recommended: 3,
        silhouetteSample: undefined,
      },
      3,
    ),
  ];
}
