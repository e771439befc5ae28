/**
 * For each row i and segment c, Σ over the other rows j of c of ‖x_i − x_j‖: the O(n²) part of
 * the report's silhouette plot. The rows are first ordered by segment, so that the inner loop
 * runs over one segment's rows at a time: its distances add into one local sum for row i, and
 * the other side of each pair into a column of row-major-by-segment sums (contiguous writes),
 * where a loop over rows in any order adds every distance at a scattered `j · k + label` (about
 * half the time here). Each pair's distance is still computed once.
 *
 * x is row-major (rows × d), labels in 0..k−1. sums[i * k + c] is row i's sum for segment c.
 */
export function segmentDistanceSums(
  x: Float64Array,
  d: number,
  labels: Int32Array,
  k: number,
): Float64Array {
  const n = labels.length;
  // Counting sort by segment: order[p] is the row at sorted position p; starts[c] its block.
  const starts = new Int32Array(k + 1);
  for (const l of labels) starts[l + 1]++;
  for (let c = 0; c < k; c++) starts[c + 1] += starts[c];
  const next = starts.slice(0, k);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[labels[i]]++] = i;
  const xs = new Float64Array(n * d);
  for (let p = 0; p < n; p++) xs.set(x.subarray(order[p] * d, order[p] * d + d), p * d);

  // rowSums[p * k + c]: row p's distances to rows after it in segment c (p's own pass);
  // colSums[c * n + q]: row q's distances to rows before it in segment c (added by them).
  const rowSums = new Float64Array(n * k);
  const colSums = new Float64Array(k * n);
  for (let p = 0; p < n; p++) {
    let own = 0;
    while (starts[own + 1] <= p) own++;
    const col = own * n;
    const xp = p * d;
    for (let c = own; c < k; c++) {
      let total = 0;
      const end = starts[c + 1];
      for (let q = Math.max(p + 1, starts[c]); q < end; q++) {
        const dist = distance(xs, xp, q * d, d);
        total += dist;
        colSums[col + q] += dist;
      }
      rowSums[p * k + c] += total;
    }
  }
  const sums = new Float64Array(n * k);
  for (let p = 0; p < n; p++) {
    const row = order[p];
    for (let c = 0; c < k; c++) sums[row * k + c] = rowSums[p * k + c] + colSums[c * n + p];
  }
  return sums;
}

/** ‖xs[a..a+d) − xs[b..b+d)‖; RFM reports cluster on 3 columns, written out for them. */
function distance(xs: Float64Array, a: number, b: number, d: number): number {
  if (d === 3) {
    const t0 = xs[a] - xs[b];
    const t1 = xs[a + 1] - xs[b + 1];
    const t2 = xs[a + 2] - xs[b + 2];
    return Math.sqrt(t0 * t0 + t1 * t1 + t2 * t2);
  }
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const t = xs[a + j] - xs[b + j];
    sum += t * t;
  }
  return Math.sqrt(sum);
}
