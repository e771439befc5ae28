import { segmentDistanceSums } from './segment-distance-sums.js';
import { stratifiedRows, type ReportSample } from './sample.js';

/**
 * Rows the silhouette plot is computed on, at most: a stratified sub-sample of the report's
 * sample (every segment represented). The pairs cost O(rows² · D): 2,000 rows are 2 million
 * distances, a few milliseconds, where the whole 5,000-row sample would be 12.5 million; the
 * plot's shape and each segment's mean move by a few hundredths at most.
 */
export const SILHOUETTE_PLOT_ROWS = 2000;

type ClusteredRows = Pick<ReportSample, 'clustering' | 'dims' | 'labels'>;

/**
 * Silhouette of every given row, within those rows (distances to the other rows, in the
 * clustering space): s = (b − a) / max(a, b), a the mean distance to its own segment, b to the
 * nearest other segment; 0 for a segment of one, as scikit-learn's silhouette_samples. The pair
 * sums are computed by segment (segmentDistanceSums: each distance once).
 */
export function sampleSilhouettes(sample: ClusteredRows, k: number): Float64Array {
  const { clustering: x, dims, labels } = sample;
  const n = labels.length;
  const out = new Float64Array(n);
  if (k < 2) return out;
  const counts = new Float64Array(k);
  for (const l of labels) counts[l]++;
  const sums = segmentDistanceSums(x, dims, labels, k);
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    if (counts[own] < 2) continue;
    const a = sums[i * k + own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++)
      if (c !== own && counts[c] > 0) b = Math.min(b, sums[i * k + c] / counts[c]);
    const m = Math.max(a, b);
    out[i] = Number.isFinite(b) && m > 0 ? (b - a) / m : 0;
  }
  return out;
}

/** The silhouette plot's rows (≤ `max`, stratified from the sample) and their silhouettes. */
export function plotSilhouettes(
  sample: ClusteredRows,
  k: number,
  max = SILHOUETTE_PLOT_ROWS,
): { values: Float64Array; labels: Int32Array } {
  const picked = stratifiedRows(sample.labels, k, max);
  const d = sample.dims;
  const clustering = new Float64Array(picked.rows.length * d);
  picked.rows.forEach((r, i) =>
    clustering.set(sample.clustering.subarray(r * d, (r + 1) * d), i * d),
  );
  const rows = { clustering, dims: d, labels: picked.labels };
  return { values: sampleSilhouettes(rows, k), labels: picked.labels };
}
