import type { Table } from 'apache-arrow';
import type { Profiles } from './profile.js';

/**
 * The labels and column values at the report's pool rows, kept beside profiles finished from a
 * whole table. The report chooses its sample among the pool rows (report/sample-rows.ts);
 * finishing the profiles reads the medians' rows (row ⌊s·N/M⌋, M = min(N, 1M)), which hold every
 * pool row (s = t·M/P), so keeping the pool costs a copy of values already in hand, and a report
 * of those profiles then picks its sample without reading a 10M-row label array and the table's
 * columns at scattered rows (~20 ms of a first report at 10M customers, report/sample.ts).
 *
 * Kept only past SAMPLE_POOL_ROWS rows (below, the report's reads are few and the pool would be
 * the whole table again), in a WeakMap keyed by the labels array: it goes when the labels go,
 * and is used only for the same labels, profiles and table (weak references to the last two).
 */

/**
 * Rows whose labels the report's sample is chosen from, at most: 20 × the sample, evenly spaced
 * over the table (poolRow). A segment of at least 50 / P of the base (0.05%) has its whole quota
 * in the pool; a smaller one is looked for by a scan of the labels from the first row that stops
 * when its quota is met (README, Report).
 */
export const SAMPLE_POOL_ROWS = 100_000;

/** Row t of a pool of p rows of a table of n rows (p ≤ n): evenly spaced, ⌊t·n/p⌋. */
export function poolRow(t: number, n: number, p: number): number {
  return p === n ? t : Math.floor((t * n) / p);
}

/** The t for which `row` is poolRow(t, n, p), or −1 where it is not a pool row. */
export function poolIndex(row: number, n: number, p: number): number {
  if (p === n) return row < n ? row : -1;
  const t = Math.ceil((row * p) / n);
  return t < p && poolRow(t, n, p) === row ? t : -1;
}

export interface RowPool {
  profiles: WeakRef<Profiles>;
  table: WeakRef<Table>;
  /** Labels at the pool rows, t = 0 … P − 1. */
  poolLabels: Int32Array;
  /** Each profiled column's values at the pool rows, float64 (nulls as NaN). */
  values: Map<string, Float64Array>;
}

const pools = new WeakMap<Int32Array, RowPool>();

/**
 * Where each pool row is among `sampled` (the medians' rows of a table of n rows): pool row t is
 * sampled[positions[t]]. Undefined for tables of at most SAMPLE_POOL_ROWS rows, and where the
 * medians' rows do not hold every pool row.
 */
export function poolPositions(n: number, sampled: Int32Array): Int32Array | undefined {
  const m = sampled.length;
  const p = SAMPLE_POOL_ROWS;
  if (n <= p || (m !== n && m % p !== 0)) return undefined;
  const positions = new Int32Array(p);
  for (let t = 0; t < p; t++) {
    // The medians' rows are numbered as finish() numbers them.
    const row = poolRow(t, n, p);
    const s = m === n ? row : t * (m / p);
    if (sampled[s] !== row) return undefined;
    positions[t] = s;
  }
  return positions;
}

/** Keeps a finished pool beside the labels it was read with. */
export function keepRowPool(labels: Int32Array, pool: RowPool): void {
  pools.set(labels, pool);
}

/** The pool kept for these labels, if it came with these profiles from this table. */
export function rowPoolOf(
  profiles: Profiles,
  table: Table,
  labels: Int32Array,
): RowPool | undefined {
  const pool = pools.get(labels);
  return pool && pool.profiles.deref() === profiles && pool.table.deref() === table
    ? pool
    : undefined;
}
