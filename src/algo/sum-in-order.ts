/**
 * Σ values in index order, in float64 (a fit's inertia from its per-row distances). A plain
 * function: the same loop as a for-of inside an async fit ran unoptimised on a fit's one pass over
 * the rows (~35 ms at 1M rows).
 */
export function sumInOrder(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
