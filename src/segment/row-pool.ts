import type { Table } from 'apache-arrow';
import { poolRow, SAMPLE_POOL_ROWS } from '../report/sample-rows.js';
import type { Profiles } from './profile.js';

/**
 * The labels and column values at the report's pool rows (row ⌊t·N/P⌋, P = min(N,
 * SAMPLE_POOL_ROWS): report/sample-rows.ts), kept beside profiles finished from a whole table.
 * Finishing the profiles reads the medians' rows (row ⌊s·N/M⌋, M = min(N, 1M)), which hold every
 * pool row (s = t·M/P), so the pool costs a copy of values already in hand; a report of those
 * profiles then picks its sample without reading a 10M-row label array and its columns at
 * scattered rows again (~20 ms of a first report at 10M customers, report/sample.ts).
 *
 * Kept in a WeakMap keyed by the profiles object (it goes when they go), with weak references to
 * the table and labels it was read from: a report uses it only for that same table and labels.
 */
export interface RowPool {
  table: WeakRef<Table>;
  labels: WeakRef<Int32Array>;
  /** Labels at the pool rows, t = 0 … P − 1. */
  poolLabels: Int32Array;
  /** Each profiled column's values at the pool rows, float64 (nulls as NaN). */
  values: Map<string, Float64Array>;
}

const pools = new WeakMap<Profiles, RowPool>();

/**
 * Where each pool row is among `sampled` (the medians' rows of a table of n rows): pool row t is
 * sampled[positions[t]]. Undefined when the medians' rows do not hold every pool row.
 */
export function poolPositions(n: number, sampled: Int32Array): Int32Array | undefined {
  const m = sampled.length;
  const p = Math.min(n, SAMPLE_POOL_ROWS);
  if (p === 0 || (m !== n && m % p !== 0)) return undefined;
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

/** Keeps a finished pool beside its profiles. */
export function keepRowPool(profiles: Profiles, pool: RowPool): void {
  pools.set(profiles, pool);
}

/** The pool kept with `profiles`, if it was read from this table and these labels. */
export function rowPoolOf(
  profiles: Profiles,
  table: Table,
  labels: Int32Array,
): RowPool | undefined {
  const pool = pools.get(profiles);
  return pool && pool.table.deref() === table && pool.labels.deref() === labels ? pool : undefined;
}
