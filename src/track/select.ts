/**
 * Order statistics by selection: the values a full sort would put at the given ranks, found by
 * partitioning around pivots (quickselect with a three-way partition, so runs of equal values,
 * common in counts like `frequency`, cost one pass) and recursing only into the parts that hold a
 * wanted rank. Expected O(n · log(ranks)) instead of a sort's O(n log n).
 */

/** The values at `ranks` (ascending, each in 0…n−1) of `values`, which this reorders in place. */
export function orderStatistics(values: Float64Array, ranks: readonly number[]): number[] {
  const out = new Array<number>(ranks.length);
  select(values, 0, values.length, ranks, 0, ranks.length, out);
  return out;
}

const SMALL = 24;

function select(
  x: Float64Array,
  lo: number,
  hi: number,
  ranks: readonly number[],
  rlo: number,
  rhi: number,
  out: number[],
): void {
  while (rlo < rhi) {
    if (hi - lo <= SMALL) {
      insertionSort(x, lo, hi);
      for (let r = rlo; r < rhi; r++) out[r] = x[ranks[r]];
      return;
    }
    const pivot = medianOfThree(x[lo], x[(lo + hi) >>> 1], x[hi - 1]);
    // Dutch-flag partition: [lo, lt) < pivot, [lt, gt) = pivot, [gt, hi) > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i < gt) {
      const v = x[i];
      if (v < pivot) {
        x[i++] = x[lt];
        x[lt++] = v;
      } else if (v > pivot) {
        x[i] = x[--gt];
        x[gt] = v;
      } else i++;
    }
    let left = rlo;
    while (left < rhi && ranks[left] < lt) left++;
    let right = left;
    while (right < rhi && ranks[right] < gt) out[right++] = pivot;
    // Recurse into the smaller side, loop on the larger (bounded stack).
    if (lt - lo < hi - gt) {
      select(x, lo, lt, ranks, rlo, left, out);
      lo = gt;
      rlo = right;
    } else {
      select(x, gt, hi, ranks, right, rhi, out);
      hi = lt;
      rhi = left;
    }
  }
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}

function insertionSort(x: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = x[i];
    let j = i - 1;
    while (j >= lo && x[j] > v) {
      x[j + 1] = x[j];
      j--;
    }
    x[j + 1] = v;
  }
}
