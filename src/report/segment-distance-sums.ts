/**
 * For each row i and segment c, Σ over the other rows j of c of ‖x_i − x_j‖: the O(n²) part of
 * the report's silhouette plot. The rows are first ordered by segment, so that the inner loop
 * runs over one segment's rows at a time: its distances add into one local sum for row i, and
 * the other side of each pair into a column of row-major-by-segment sums (contiguous writes),
 * where a loop over rows in any order adds every distance at a scattered `j · k + label` (about
 * half the time here). Each pair's distance is still computed once.
 *
 * Each loop is a function of its own, and the pair loop is called once per row and segment: V8
 * then optimises each as a whole after a few calls, where one function of sequential loops is
 * compiled loop by loop on stack replacement and thrown away at the next loop it has no type
 * feedback for (several times per report: 2–5× the time of the optimised loop).
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
  const starts = segmentStarts(labels, k);
  const order = segmentOrder(labels, starts);
  const xs = gatherRows(x, d, order);
  // rowSums[p * k + c]: row p's distances to rows after it in segment c (p's own pass);
  // colSums[c * n + q]: row q's distances to rows before it in segment c (added by them).
  const rowSums = new Float64Array(n * k);
  const colSums = new Float64Array(k * n);
  let own = 0;
  for (let p = 0; p < n; p++) {
    while (starts[own + 1] <= p) own++;
    const col = own * n;
    for (let c = own; c < k; c++) {
      const from = Math.max(p + 1, starts[c]);
      const end = starts[c + 1];
      if (from < end)
        rowSums[p * k + c] +=
          d === 3
            ? pairSums3(xs, p, from, end, colSums, col)
            : pairSums(xs, d, p, from, end, colSums, col);
    }
  }
  return unsorted(rowSums, colSums, order, k);
}

/** starts[c]: the first sorted position of segment c; starts[k] = n (a counting sort's offsets). */
function segmentStarts(labels: Int32Array, k: number): Int32Array {
  const starts = new Int32Array(k + 1);
  for (let i = 0; i < labels.length; i++) starts[labels[i] + 1]++;
  for (let c = 0; c < k; c++) starts[c + 1] += starts[c];
  return starts;
}

/** order[p]: the row at sorted position p (rows of a segment in row order). */
function segmentOrder(labels: Int32Array, starts: Int32Array): Int32Array {
  const next = starts.slice(0, starts.length - 1);
  const order = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) order[next[labels[i]]++] = i;
  return order;
}

/** The rows of x in the given order. */
function gatherRows(x: Float64Array, d: number, order: Int32Array): Float64Array {
  const xs = new Float64Array(order.length * d);
  for (let p = 0; p < order.length; p++)
    for (let j = 0; j < d; j++) xs[p * d + j] = x[order[p] * d + j];
  return xs;
}

/**
 * Σ of row p's distances to rows from..end−1 (3 columns: the RFM reports'), each also added to
 * colSums[col + q]. Same additions in the same order as pairSums; unrolled, as its twin for the
 * common case: a first report's sums take 17 ms against 26 ms with pairSums (2,000 rows, k = 7).
 */
function pairSums3(
  xs: Float64Array,
  p: number,
  from: number,
  end: number,
  colSums: Float64Array,
  col: number,
): number {
  const a0 = xs[p * 3];
  const a1 = xs[p * 3 + 1];
  const a2 = xs[p * 3 + 2];
  let total = 0;
  for (let q = from; q < end; q++) {
    const t0 = a0 - xs[q * 3];
    const t1 = a1 - xs[q * 3 + 1];
    const t2 = a2 - xs[q * 3 + 2];
    const dist = Math.sqrt(t0 * t0 + t1 * t1 + t2 * t2);
    total += dist;
    colSums[col + q] += dist;
  }
  return total;
}

/** pairSums3 for any number of columns. */
function pairSums(
  xs: Float64Array,
  d: number,
  p: number,
  from: number,
  end: number,
  colSums: Float64Array,
  col: number,
): number {
  let total = 0;
  for (let q = from; q < end; q++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const t = xs[p * d + j] - xs[q * d + j];
      sum += t * t;
    }
    const dist = Math.sqrt(sum);
    total += dist;
    colSums[col + q] += dist;
  }
  return total;
}

/** sums[row * k + c] for each row in input order: its own pass's sums plus those added by others. */
function unsorted(
  rowSums: Float64Array,
  colSums: Float64Array,
  order: Int32Array,
  k: number,
): Float64Array {
  const n = order.length;
  const sums = new Float64Array(n * k);
  for (let p = 0; p < n; p++) {
    const row = order[p];
    for (let c = 0; c < k; c++) sums[row * k + c] = rowSums[p * k + c] + colSums[c * n + p];
  }
  return sums;
}
