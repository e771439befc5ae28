import { poolRow, SAMPLE_POOL_ROWS } from '../segment/row-pool.js';

/**
 * Which rows the report's stratified sample holds, chosen without a pass over every row: segment
 * sizes come from the fit (its profiles count every row once), and labels are read at a bounded
 * pool of evenly spaced rows (SAMPLE_POOL_ROWS, numbered by poolRow: segment/row-pool.ts, whose
 * pool the profiles keep). Report time then does not grow with the number of customers.
 */

/** At most this many rows in the sample. */
export const REPORT_SAMPLE_ROWS = 5000;
const MIN_PER_SEGMENT = 50;

export { SAMPLE_POOL_ROWS } from '../segment/row-pool.js';

/** Labels read one row at a time: the fit's labels, or a view of them (DBSCAN's noise last). */
export interface RowLabels {
  readonly length: number;
  at(row: number): number;
}

/** An Int32Array of segment positions as RowLabels; `noiseAs` for label −1 (DBSCAN's noise). */
export function rowLabels(labels: Int32Array, noiseAs?: number): RowLabels {
  return noiseAs === undefined
    ? { length: labels.length, at: (row) => labels[row] }
    : { length: labels.length, at: (row) => (labels[row] < 0 ? noiseAs : labels[row]) };
}

export interface SampledRows {
  /** Row numbers in the table, ascending. */
  rows: Int32Array;
  labels: Int32Array;
  /** Customers each sampled row stands for (its segment's size / its segment's sampled rows). */
  weights: Float64Array;
}

/** How many rows of each segment to sample: proportional, ≥ MIN_PER_SEGMENT, ≤ max in all. */
export function sampleQuotas(sizes: readonly number[], max = REPORT_SAMPLE_ROWS): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= max) return [...sizes];
  const quotas = sizes.map((n) =>
    Math.min(n, Math.max(Math.floor((max * n) / total), MIN_PER_SEGMENT)),
  );
  let sum = quotas.reduce((a, b) => a + b, 0);
  while (sum > max) {
    // Take from the largest quota first: small segments keep their minimum.
    let big = 0;
    for (let c = 1; c < quotas.length; c++) if (quotas[c] > quotas[big]) big = c;
    const cut = Math.min(sum - max, Math.max(1, quotas[big] - MIN_PER_SEGMENT));
    quotas[big] -= cut;
    sum -= cut;
  }
  return quotas;
}

/**
 * The sample's rows: each segment's quota (sampleQuotas of the exact `sizes`), evenly spaced among
 * its members in the pool, so deterministic; a segment the pool holds too few of gets its first
 * members in row order instead. Labels are read at ≤ `pool` rows, plus that scan when needed;
 * `known`: the pool rows' labels, where the caller has them.
 */
export function sampleRows(
  labels: RowLabels,
  sizes: readonly number[],
  max = REPORT_SAMPLE_ROWS,
  pool = SAMPLE_POOL_ROWS,
  known?: Int32Array,
): SampledRows {
  const n = labels.length;
  const k = sizes.length;
  const quotas = sampleQuotas(sizes, max);
  const m = Math.min(n, pool);
  const rowOf = (t: number): number => poolRow(t, n, m);
  // The pool's labels as the profiles kept them (segment/row-pool.ts), else read here.
  let poolLabels = known?.length === m ? known : undefined;
  if (!poolLabels) {
    poolLabels = new Int32Array(m);
    for (let t = 0; t < m; t++) poolLabels[t] = labels.at(rowOf(t));
  }
  const inPool = new Array<number>(k).fill(0);
  for (let t = 0; t < m; t++) inPool[poolLabels[t]]++;
  const take = quotas.map((q, c) => Math.min(q, inPool[c]));
  const short = quotas.flatMap((q, c) => (take[c] < q ? [c] : []));
  const picked: number[] = [];
  // Member j of segment c in the pool is picked when it is the next evenly spaced one: ⌊t·size/take⌋.
  const seen = new Array<number>(k).fill(0);
  const taken = new Array<number>(k).fill(0);
  for (let t = 0; t < m; t++) {
    const c = poolLabels[t];
    const j = seen[c]++;
    if (taken[c] < take[c] && j === Math.floor((taken[c] * inPool[c]) / take[c])) {
      taken[c]++;
      picked.push(rowOf(t));
    }
  }
  const rows = short.length ? withFirstMembers(labels, picked, short, quotas) : picked;
  const out = Int32Array.from(rows).sort();
  const sampled = out.map((r) => labels.at(r));
  const count = new Array<number>(k).fill(0);
  for (const c of sampled) count[c]++;
  const weights = Float64Array.from(sampled, (c) => sizes[c] / count[c]);
  return { rows: out, labels: sampled, weights };
}

/** `picked` with the segments in `short` replaced by their first `quotas` members in row order. */
function withFirstMembers(
  labels: RowLabels,
  picked: number[],
  short: number[],
  quotas: readonly number[],
): number[] {
  const want = new Map(short.map((c) => [c, quotas[c]]));
  const kept = picked.filter((r) => !want.has(labels.at(r)));
  let missing = short.reduce((s, c) => s + quotas[c], 0);
  for (let i = 0; i < labels.length && missing > 0; i++) {
    const c = labels.at(i);
    const left = want.get(c);
    if (left !== undefined && left > 0) {
      want.set(c, left - 1);
      kept.push(i);
      missing--;
    }
  }
  return kept;
}

/** The stratified rows of a whole label array (sizes counted from it): the silhouette's sub-sample. */
export function stratifiedRows(
  labels: Int32Array,
  k: number,
  max = REPORT_SAMPLE_ROWS,
): SampledRows {
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]]++;
  return sampleRows(rowLabels(labels), sizes, max, labels.length);
}
