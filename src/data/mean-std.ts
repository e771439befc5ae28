/**
 * Count, mean, population standard deviation, min and max of a column in float64, NaN ignored
 * (the column statistics the preprocessing steps are fitted on; prep/stats.ts re-exports it).
 */
export function meanAndStd(column: Float32Array | Float64Array): {
  mean: number;
  std: number;
  min: number;
  max: number;
  count: number;
} {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v !== v) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : Number.NaN;
  let ss = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return { mean, std: count > 0 ? Math.sqrt(ss / count) : Number.NaN, min, max, count };
}
