import { sortedQuantile, sortedValues } from '../prep/stats.js';
import type { ReportSample } from './sample.js';

/** A box plot's five numbers: whiskers at the farthest values within 1.5 IQR of the box. */
export interface BoxStats {
  low: number;
  q1: number;
  median: number;
  q3: number;
  high: number;
  /** Sampled rows behind it. */
  n: number;
}

/**
 * From the values sorted once (prep/stats.ts's sortedValues): a first report's box plots took ~12
 * ms of quantiles by selection in not-yet-optimised JavaScript, ~1 ms so.
 */
export function boxStats(values: Float64Array): BoxStats {
  const sorted = sortedValues(values);
  const n = sorted.length;
  if (n === 0) return { low: NaN, q1: NaN, median: NaN, q3: NaN, high: NaN, n: 0 };
  const q1 = sortedQuantile(sorted, 0.25);
  const median = sortedQuantile(sorted, 0.5);
  const q3 = sortedQuantile(sorted, 0.75);
  const reach = 1.5 * (q3 - q1);
  // The whiskers: the smallest value at or above q1 − reach, the largest at or below q3 + reach
  // (none where the reach is not a number: an infinite value among them).
  let a = 0;
  while (a < n && !(sorted[a] >= q1 - reach)) a++;
  let b = n - 1;
  while (b >= 0 && !(sorted[b] <= q3 + reach)) b--;
  return {
    low: a < n ? sorted[a] : Infinity,
    q1,
    median,
    q3,
    high: b >= 0 ? sorted[b] : -Infinity,
    n,
  };
}

/** Box statistics of one column for each segment, from the sample. */
export function segmentBoxes(sample: ReportSample, column: string, k: number): BoxStats[] {
  const values = sample.values.get(column)!;
  const bySegment: number[][] = Array.from({ length: k }, () => []);
  sample.labels.forEach((c, i) => bySegment[c].push(values[i]));
  return bySegment.map((v) => boxStats(Float64Array.from(v)));
}

/** Bin edges of a column: its sample quintiles, repeated edges merged (discrete columns). */
export function binEdges(values: Float64Array, bins = 5): number[] {
  const sorted = sortedValues(values);
  const edges: number[] = [];
  for (let b = 0; b <= bins; b++) {
    const e = sortedQuantile(sorted, b / bins);
    if (Number.isFinite(e) && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  return edges;
}

function binOf(v: number, edges: readonly number[]): number {
  if (v !== v || edges.length === 0) return -1;
  if (edges.length === 1) return 0;
  for (let b = 0; b < edges.length - 2; b++) if (v < edges[b + 1]) return b;
  return edges.length - 2;
}

export interface RfGrid {
  recencyEdges: number[];
  frequencyEdges: number[];
  /** cells[r][f]: customers (weighted) and their mean monetary; NaN mean where empty. */
  cells: { customers: number; meanMonetary: number }[][];
}

/** Mean monetary per recency × frequency bin (quintiles), weighted to the population. */
export function rfGrid(
  sample: ReportSample,
  recency: string,
  frequency: string,
  monetary: string,
): RfGrid {
  const r = sample.values.get(recency)!;
  const f = sample.values.get(frequency)!;
  const m = sample.values.get(monetary)!;
  const recencyEdges = binEdges(r);
  const frequencyEdges = binEdges(f);
  const nr = Math.max(recencyEdges.length - 1, 1);
  const nf = Math.max(frequencyEdges.length - 1, 1);
  const sums = Array.from({ length: nr }, () => new Float64Array(nf));
  const weights = Array.from({ length: nr }, () => new Float64Array(nf));
  for (let i = 0; i < r.length; i++) {
    const a = binOf(r[i], recencyEdges);
    const b = binOf(f[i], frequencyEdges);
    if (a < 0 || b < 0 || m[i] !== m[i]) continue;
    sums[a][b] += sample.weights[i] * m[i];
    weights[a][b] += sample.weights[i];
  }
  return {
    recencyEdges,
    frequencyEdges,
    cells: sums.map((row, a) =>
      Array.from(row, (s, b) => ({
        customers: weights[a][b],
        meanMonetary: weights[a][b] > 0 ? s / weights[a][b] : Number.NaN,
      })),
    ),
  };
}

/** Labels of the bins between edges ('0–12', last bin closed); one edge: that value. */
export function binLabels(edges: readonly number[], fmt: (x: number) => string): string[] {
  if (edges.length <= 1) return edges.map(fmt);
  return edges.slice(0, -1).map((e, b) => `${fmt(e)}–${fmt(edges[b + 1])}`);
}
