import type { Table } from 'apache-arrow';
import { forEachColumnPiece, type NumericValues } from '../data/column-pieces.js';
import { quantile } from '../prep/stats.js';
import { keepRowPool, poolPositions } from './row-pool.js';
import { categoryCsvLines, categoryTextRows, type CategoryShares } from './category-shares.js';
import {
  argumentError,
  checkArrayArgument,
  checkIntegerArgument,
  checkLabelsArgument,
  checkObjectArgument,
  checkTableArgument,
} from '../util/arguments.js';

/**
 * Segment profiles: how each segment differs from the average, in original units. For every
 * column (clustering features and profile-only columns alike): the segment's mean and median, the
 * relative importance (segment mean / population mean − 1: +0.5 means 50% above average) and the
 * z-score ((segment mean − population mean) / population standard deviation), the numbers behind
 * snake plots and heatmaps. Missing values are left out of each statistic.
 */
export type ColumnRole = 'feature' | 'profile';

export interface ColumnProfile {
  column: string;
  role: ColumnRole;
  mean: number;
  median: number;
  /** Segment mean / population mean − 1; null when the population mean is 0. */
  relativeImportance: number | null;
  /** (segment mean − population mean) / population std; null when the std is 0. */
  zScore: number | null;
}

export interface SegmentProfile {
  segment: number;
  name: string | undefined;
  size: number;
  share: number;
  columns: ColumnProfile[];
}

export interface Profiles {
  rows: number;
  population: { column: string; role: ColumnRole; mean: number; median: number; std: number }[];
  segments: SegmentProfile[];
  /** Categorical columns: each category's share per segment (segment/category-shares.ts). */
  categories?: CategoryShares[];
}

/**
 * Rows from which medians are taken: all of them up to this many, else this many evenly spaced
 * rows (row ⌊s·N/m⌋ for s = 0 … m−1; means, shares and z-scores are always exact). Selecting
 * medians over tens of millions of scattered rows costs far more than the fit; a million rows
 * pins a median down to well within what a profile is read for.
 */
export const PROFILE_MEDIAN_ROWS = 1_000_000;

export function computeProfiles(
  table: Table,
  labels: Int32Array,
  k: number,
  columns: ProfileColumn[],
  names?: readonly string[],
): Profiles {
  checkTableArgument(table, 'table');
  checkIntegerArgument(k, 'k', 1);
  checkLabelsArgument(labels, 'labels', table.numRows, k);
  checkArrayArgument(columns, 'columns', checkObjectArgument);
  const profiles = new ProfileAccumulator(k, columns);
  profiles.add(table, labels);
  return profiles.finish(table, labels, names);
}

export interface ProfileColumn {
  name: string;
  role: ColumnRole;
}

/**
 * Profiles built a chunk at a time from sufficient statistics: per segment and column, the count
 * of values, their sum and their sum of squares about a fixed shift (float64, one pass over Arrow's
 * own buffers where a column's layout allows, converted pieces otherwise). Segment sizes and means
 * are exact over every chunk added; the population's mean and standard deviation follow from the
 * segments' sums (the shift, the column's first value, keeps the squares free of cancellation).
 * Medians come from the rows of one table given at the end — the whole table in memory (sampled
 * past PROFILE_MEDIAN_ROWS), or the uniform row sample of an out-of-core fit.
 */
export class ProfileAccumulator {
  private rows = 0;
  private readonly sizes: Float64Array;
  private readonly segmentSums: Float64Array[];
  private readonly segmentCounts: Float64Array[];
  /** Σ (v − shift)² per segment, for the population's spread. */
  private readonly segmentSquares: Float64Array[];
  /** Per column: the first finite value seen (NaN until then). */
  private readonly shifts: Float64Array;

  /** `shifts`: one per column, fixed in advance (partials that merge need the same ones). */
  constructor(
    private readonly k: number,
    private readonly columns: readonly ProfileColumn[],
    shifts?: Float64Array,
  ) {
    this.sizes = new Float64Array(k);
    this.segmentSums = columns.map(() => new Float64Array(k));
    this.segmentCounts = columns.map(() => new Float64Array(k));
    this.segmentSquares = columns.map(() => new Float64Array(k));
    this.shifts = shifts?.slice() ?? new Float64Array(columns.length).fill(Number.NaN);
  }

  /**
   * The statistics as one array (rows, sizes, then per column: sums, counts, squares), to merge
   * into an accumulator with the same columns and shifts (`mergeSummary`).
   */
  summary(): Float64Array {
    const { k } = this;
    const out = new Float64Array(1 + k + this.columns.length * 3 * k);
    out[0] = this.rows;
    out.set(this.sizes, 1);
    this.columns.forEach((_, j) => {
      const at = 1 + k + j * 3 * k;
      out.set(this.segmentSums[j], at);
      out.set(this.segmentCounts[j], at + k);
      out.set(this.segmentSquares[j], at + 2 * k);
    });
    return out;
  }

  /** Adds a partial's `summary()` (a chunk's or a shard's), in float64, element by element. */
  mergeSummary(summary: Float64Array): void {
    const { k } = this;
    this.rows += summary[0];
    for (let c = 0; c < k; c++) this.sizes[c] += summary[1 + c];
    this.columns.forEach((_, j) => {
      const at = 1 + k + j * 3 * k;
      for (let c = 0; c < k; c++) {
        this.segmentSums[j][c] += summary[at + c];
        this.segmentCounts[j][c] += summary[at + k + c];
        this.segmentSquares[j][c] += summary[at + 2 * k + c];
      }
    });
  }

  add(table: Table, labels: Int32Array): void {
    const n = table.numRows;
    this.rows += n;
    const sizes = this.sizes;
    for (let i = 0; i < n; i++) sizes[labels[i]]++;
    this.columns.forEach((c, j) => {
      const sums = this.segmentSums[j];
      const counts = this.segmentCounts[j];
      const squares = this.segmentSquares[j];
      forEachColumnPiece(table, c.name, (values, start) => {
        let shift = this.shifts[j];
        if (shift !== shift) shift = this.shifts[j] = firstFinite(values);
        const m = values.length;
        for (let i = 0; i < m; i++) {
          const v = values[i];
          if (v === v) {
            const l = labels[start + i];
            const d = v - shift;
            sums[l] += v;
            counts[l]++;
            squares[l] += d * d;
          }
        }
      });
    });
  }

  /** The profiles, medians taken from `medianTable` (with its rows' segments in `medianLabels`). */
  finish(medianTable: Table, medianLabels: Int32Array, names?: readonly string[]): Profiles {
    const { k } = this;
    const n = medianTable.numRows;
    // The rows medians come from, grouped by segment (a counting sort, once for every column).
    const m = Math.min(n, PROFILE_MEDIAN_ROWS);
    const sampled = new Int32Array(m);
    for (let s = 0; s < m; s++) sampled[s] = m === n ? s : Math.floor((s * n) / m);
    const starts = new Int32Array(k + 1);
    for (const r of sampled) starts[medianLabels[r] + 1]++;
    for (let seg = 0; seg < k; seg++) starts[seg + 1] += starts[seg];
    // slot[s]: where sampled row s lands in `grouped`, its segment's run.
    const slot = new Int32Array(m);
    const fill = starts.slice(0, k);
    for (let s = 0; s < m; s++) slot[s] = fill[medianLabels[sampled[s]]]++;
    const grouped = new Float64Array(m);
    // The report's pool rows are among these: their labels and values are kept for it.
    const positions = poolPositions(n, sampled);
    const poolValues = new Map<string, Float64Array>();
    const population: Profiles['population'] = [];
    const perSegment: ColumnProfile[][] = Array.from({ length: k }, () => []);
    this.columns.forEach((c, j) => {
      // Sampled rows are increasing, so each piece of the column holds a run of them.
      let s = 0;
      forEachColumnPiece(medianTable, c.name, (values, start) => {
        const end = start + values.length;
        for (; s < m && sampled[s] < end; s++) grouped[slot[s]] = values[sampled[s] - start];
      });
      if (positions)
        poolValues.set(
          c.name,
          Float64Array.from(positions, (at) => grouped[slot[at]]),
        );
      const { mean, std } = this.populationStats(j);
      const pop = { column: c.name, role: c.role, mean, median: quantile(grouped, 0.5), std };
      population.push(pop);
      for (let seg = 0; seg < k; seg++) {
        const count = this.segmentCounts[j][seg];
        const segMean = count > 0 ? this.segmentSums[j][seg] / count : Number.NaN;
        perSegment[seg].push({
          column: c.name,
          role: c.role,
          mean: segMean,
          median: quantile(grouped.subarray(starts[seg], starts[seg + 1]), 0.5),
          relativeImportance:
            pop.mean !== 0 && Number.isFinite(segMean) ? segMean / pop.mean - 1 : null,
          zScore: pop.std > 0 && Number.isFinite(segMean) ? (segMean - pop.mean) / pop.std : null,
        });
      }
    });
    const rows = this.rows;
    const segments: SegmentProfile[] = perSegment.map((cols, seg) => ({
      segment: seg,
      name: names?.[seg],
      size: this.sizes[seg],
      share: rows > 0 ? this.sizes[seg] / rows : 0,
      columns: cols,
    }));
    const profiles: Profiles = { rows, population, segments };
    if (positions)
      keepRowPool(medianLabels, {
        profiles: new WeakRef(profiles),
        table: new WeakRef(medianTable),
        poolLabels: Int32Array.from(positions, (at) => medianLabels[sampled[at]]),
        values: poolValues,
      });
    return profiles;
  }

  /** Mean and population standard deviation (ddof = 0) of column j, from its segments' sums. */
  private populationStats(j: number): { mean: number; std: number } {
    let count = 0;
    let sum = 0;
    let squares = 0;
    for (let seg = 0; seg < this.k; seg++) {
      count += this.segmentCounts[j][seg];
      sum += this.segmentSums[j][seg];
      squares += this.segmentSquares[j][seg];
    }
    if (count === 0) return { mean: Number.NaN, std: Number.NaN };
    const mean = sum / count;
    const offset = mean - this.shifts[j];
    return { mean, std: Math.sqrt(Math.max(0, squares / count - offset * offset)) };
  }
}

/**
 * Shifts for partial accumulators that merge: each column's first finite value in `table` (an
 * out-of-core fit's sample; any representative value keeps the squares free of cancellation).
 */
export function profileShifts(table: Table, columns: readonly ProfileColumn[]): Float64Array {
  return Float64Array.from(columns, (c) => {
    let value = Number.NaN;
    forEachColumnPiece(table, c.name, (values) => {
      if (value !== value) value = firstFinite(values);
    });
    return value;
  });
}

function firstFinite(values: NumericValues): number {
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) return values[i];
  return Number.NaN;
}

/** Long ('tidy') table of the profiles: one row per segment and column, as CSV text. */
/** A UsageError unless `value` has the shape of Profiles (as fit and computeProfiles return them). */
export function checkProfilesArgument(
  value: unknown,
  name = 'profiles',
): asserts value is Profiles {
  const p = value as Partial<Profiles> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.rows !== 'number' ||
    !Array.isArray(p.population) ||
    !Array.isArray(p.segments)
  )
    throw argumentError(
      name,
      "profiles ({ rows, population, segments }, as fit's result.profiles)",
      value,
    );
}

export function profilesCsv(p: Profiles): string {
  checkProfilesArgument(p);
  const head =
    'segment_id,segment_name,size,share,column,role,mean,median,population_mean,relative_importance,z_score';
  const q = (s: string | undefined) =>
    s === undefined ? '' : /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  const num = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : String(v));
  const lines = p.segments.flatMap((s) =>
    s.columns.map((c, j) =>
      [
        s.segment,
        q(s.name),
        s.size,
        num(s.share),
        q(c.column),
        c.role,
        num(c.mean),
        num(c.median),
        num(p.population[j].mean),
        num(c.relativeImportance),
        num(c.zScore),
      ].join(','),
    ),
  );
  const categories = categoryCsvLines(p.categories ?? [], p.segments, q, num);
  return [head, ...lines, ...categories].join('\n') + '\n';
}

/** The profiles as JSON (snake_case keys, like the other JSON outputs). */
export function profilesJson(p: Profiles): Record<string, unknown> {
  checkProfilesArgument(p);
  return {
    rows: p.rows,
    population: p.population,
    segments: p.segments.map((s) => ({
      segment_id: s.segment,
      segment_name: s.name ?? null,
      size: s.size,
      share: s.share,
      columns: s.columns.map((c) => ({
        column: c.column,
        role: c.role,
        mean: c.mean,
        median: c.median,
        relative_importance: c.relativeImportance,
        z_score: c.zScore,
      })),
      ...(p.categories
        ? {
            categories: p.categories.map((c) => ({
              column: c.column,
              role: c.role,
              shares: Object.fromEntries(c.categories.map((v, l) => [v, c.segments[s.segment][l]])),
            })),
          }
        : {}),
    })),
    ...(p.categories
      ? {
          categories: p.categories.map((c) => ({
            column: c.column,
            role: c.role,
            categories: c.categories,
            population_shares: c.population,
          })),
        }
      : {}),
  };
}

/** A terminal table: a column per segment, a row per column (mean, and the relative difference). */
export function profilesText(p: Profiles): string {
  checkProfilesArgument(p);
  const fmt = (v: number) =>
    Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
  const pct = (v: number | null) =>
    v === null ? '' : ` (${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)}%)`;
  const header = ['', 'all', ...p.segments.map((s) => `${s.segment}${s.name ? ` ${s.name}` : ''}`)];
  const rows = [
    [
      'size',
      String(p.rows),
      ...p.segments.map((s) => `${s.size} (${(s.share * 100).toFixed(1)}%)`),
    ],
    ...p.population.map((pop, j) => [
      `${pop.column}${pop.role === 'profile' ? ' [profile]' : ''}`,
      fmt(pop.mean),
      ...p.segments.map((s) => fmt(s.columns[j].mean) + pct(s.columns[j].relativeImportance)),
    ]),
    ...categoryTextRows(p.categories ?? [], p.segments.length),
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ');
  return [
    line(header),
    ...rows.map(line),
    '',
    `mean per segment (relative to the population mean)${p.categories?.length ? '; name=category: share of the rows' : ''}; [profile]: not clustered on`,
  ].join('\n');
}
