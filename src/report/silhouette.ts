import type { ReportSample } from './sample.js';

/**
 * Silhouette of every sampled customer, within the sample (distances to the other sampled rows,
 * in the clustering space): s = (b − a) / max(a, b), a the mean distance to its own segment, b to
 * the nearest other segment; 0 for a segment of one, as scikit-learn's silhouette_samples. The
 * sample is at most 5,000 rows, so the pairs cost O(5,000² · D) whatever the size of the base.
 */
export function sampleSilhouettes(sample: ReportSample, k: number): Float64Array {
  const { clustering: x, dims, labels } = sample;
  const n = labels.length;
  const counts = new Float64Array(k);
  for (const l of labels) counts[l]++;
  const out = new Float64Array(n);
  if (k < 2) return out;
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < dims; d++) {
        const t = x[i * dims + d] - x[j * dims + d];
        s += t * t;
      }
      sums[labels[j]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (counts[own] < 2) continue;
    const a = sums[own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++)
      if (c !== own && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    const m = Math.max(a, b);
    out[i] = Number.isFinite(b) && m > 0 ? (b - a) / m : 0;
  }
  return out;
}
