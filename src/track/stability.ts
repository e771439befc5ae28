/**
 * Stability figures between two periods, on the customers present in both: adjusted Rand index
 * and normalised mutual information (scikit-learn's definitions: ARI with the pair-counting
 * expectation; NMI with the arithmetic-mean normaliser), flip rates, and the population
 * stability index of a feature. Everything is a pass over typed arrays (10M customers a period):
 * the contingency table is a dense grid over the labels' first-appearance order, so the sums run
 * in the same order as a hash map's iteration would and the figures are the same to the last bit.
 */
import { CHUNK, expectedBins } from './deciles.js';
import { orderStatistics } from './select.js';

/** Contingency counts of two labelings of the same items (labels: any int32 keys). */
export interface Contingency {
  /** Items counted. */
  n: number;
  rows: number;
  cols: number;
  /** counts[r * cols + c]; r and c number the labels in order of first appearance. */
  counts: Float64Array;
  rowSums: Float64Array;
  colSums: Float64Array;
  /** The non-zero cells, in order of first appearance. */
  cells: Int32Array;
  cellCount: number;
}

/** Numbers int32 labels 0, 1, … in order of first appearance: a lookup array, or a map for a wide range. */
export class LabelNumbering {
  private readonly lookup: Int32Array | undefined;
  private readonly map = new Map<number, number>();
  private readonly min: number;
  size = 0;

  constructor(min: number, max: number, items: number) {
    this.min = min;
    const span = max - min + 1;
    this.lookup =
      span > 0 && span <= Math.max(1 << 16, 4 * items) ? new Int32Array(span).fill(-1) : undefined;
  }

  static of(labels: Int32Array): LabelNumbering {
    let min = 0;
    let max = -1;
    if (labels.length > 0) {
      min = max = labels[0];
      for (let i = 1; i < labels.length; i++) {
        const v = labels[i];
        if (v < min) min = v;
        else if (v > max) max = v;
      }
    }
    return new LabelNumbering(min, max, labels.length);
  }

  /** The label's number, given the next one when first seen. */
  index(label: number): number {
    const lookup = this.lookup;
    if (lookup) {
      const at = label - this.min;
      const v = lookup[at];
      return v >= 0 ? v : (lookup[at] = this.size++);
    }
    const v = this.map.get(label);
    if (v !== undefined) return v;
    this.map.set(label, this.size);
    return this.size++;
  }
}

/** Accumulates a contingency table item by item (a grown grid; cells in first-appearance order). */
export class ContingencyBuilder {
  private counts = new Float64Array(64);
  private rowSums = new Float64Array(8);
  private colSums = new Float64Array(8);
  private stride = 8;
  private cells: Int32Array = new Int32Array(64);
  private cellCount = 0;
  private n = 0;

  constructor(
    readonly rows: LabelNumbering,
    readonly cols: LabelNumbering,
  ) {}

  add(a: number, b: number): void {
    const r = this.rows.index(a);
    const c = this.cols.index(b);
    if (r >= this.stride || c >= this.stride) this.grow(Math.max(r, c) + 1);
    const cell = r * this.stride + c;
    if (this.counts[cell]++ === 0) {
      if (this.cellCount === this.cells.length) {
        const more = new Int32Array(2 * this.cells.length);
        more.set(this.cells);
        this.cells = more;
      }
      this.cells[this.cellCount++] = cell;
    }
    this.rowSums[r]++;
    this.colSums[c]++;
    this.n++;
  }

  private grow(needed: number): void {
    let stride = this.stride;
    while (stride < needed) stride *= 2;
    const counts = new Float64Array(stride * stride);
    for (let r = 0; r < this.stride; r++)
      counts.set(this.counts.subarray(r * this.stride, (r + 1) * this.stride), r * stride);
    for (let i = 0; i < this.cellCount; i++) {
      const cell = this.cells[i];
      this.cells[i] = Math.floor(cell / this.stride) * stride + (cell % this.stride);
    }
    const grown = (old: Float64Array) => {
      const out = new Float64Array(stride);
      out.set(old);
      return out;
    };
    this.rowSums = grown(this.rowSums);
    this.colSums = grown(this.colSums);
    this.counts = counts;
    this.stride = stride;
  }

  table(): Contingency {
    const rows = this.rows.size;
    const cols = this.cols.size;
    const counts = new Float64Array(rows * cols);
    const cells = new Int32Array(this.cellCount);
    for (let i = 0; i < this.cellCount; i++) {
      const cell = this.cells[i];
      const r = Math.floor(cell / this.stride);
      const c = cell % this.stride;
      cells[i] = r * cols + c;
      counts[r * cols + c] = this.counts[cell];
    }
    return {
      n: this.n,
      rows,
      cols,
      counts,
      rowSums: this.rowSums.slice(0, rows),
      colSums: this.colSums.slice(0, cols),
      cells,
      cellCount: this.cellCount,
    };
  }
}

/**
 * The contingency table of two labelings already counted on a dense grid (counts[a · cols + b],
 * the first item of each cell in firstItem): rows, columns and cells renumbered in order of first
 * appearance, as `contingency` would number them in its pass over the items.
 */
export function contingencyOfGrid(
  counts: Float64Array,
  firstItem: Int32Array,
  gridRows: number,
  gridCols: number,
): Contingency {
  const rowFirst = new Float64Array(gridRows).fill(Infinity);
  const colFirst = new Float64Array(gridCols).fill(Infinity);
  const used: number[] = [];
  for (let cell = 0; cell < counts.length; cell++) {
    if (counts[cell] === 0) continue;
    used.push(cell);
    const a = Math.floor(cell / gridCols);
    const b = cell - a * gridCols;
    rowFirst[a] = Math.min(rowFirst[a], firstItem[cell]);
    colFirst[b] = Math.min(colFirst[b], firstItem[cell]);
  }
  const number = (first: Float64Array): { of: Int32Array; size: number } => {
    const seen = Array.from(first.keys()).filter((x) => first[x] < Infinity);
    seen.sort((x, y) => first[x] - first[y]);
    const of = new Int32Array(first.length).fill(-1);
    seen.forEach((x, i) => (of[x] = i));
    return { of, size: seen.length };
  };
  const rowNumber = number(rowFirst);
  const colNumber = number(colFirst);
  const rows = rowNumber.size;
  const cols = colNumber.size;
  used.sort((x, y) => firstItem[x] - firstItem[y]);
  const table = new Float64Array(rows * cols);
  const cells = new Int32Array(used.length);
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let n = 0;
  used.forEach((cell, i) => {
    const a = Math.floor(cell / gridCols);
    const r = rowNumber.of[a];
    const c = colNumber.of[cell - a * gridCols];
    cells[i] = r * cols + c;
    table[r * cols + c] = counts[cell];
    rowSums[r] += counts[cell];
    colSums[c] += counts[cell];
    n += counts[cell];
  });
  return { n, rows, cols, counts: table, rowSums, colSums, cells, cellCount: used.length };
}

/** The contingency table of two labelings, in one pass. */
export function contingency(a: Int32Array, b: Int32Array): Contingency {
  const builder = new ContingencyBuilder(LabelNumbering.of(a), LabelNumbering.of(b));
  for (let i = 0; i < a.length; i++) builder.add(a[i], b[i]);
  return builder.table();
}

const comb2 = (x: number): number => (x * (x - 1)) / 2;

export function adjustedRandIndexOf(t: Contingency): number {
  const { n } = t;
  if (n < 2 || (t.rows === t.cols && (t.rows === 1 || t.cellCount === n))) return 1;
  let index = 0;
  for (let i = 0; i < t.cellCount; i++) index += comb2(t.counts[t.cells[i]]);
  let sa = 0;
  for (let r = 0; r < t.rows; r++) sa += comb2(t.rowSums[r]);
  let sb = 0;
  for (let c = 0; c < t.cols; c++) sb += comb2(t.colSums[c]);
  const expected = (sa * sb) / comb2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

function entropy(sums: Float64Array, n: number): number {
  let h = 0;
  for (let i = 0; i < sums.length; i++) {
    const c = sums[i];
    if (c > 0) h -= (c / n) * Math.log(c / n);
  }
  return h;
}

export function normalizedMutualInfoOf(t: Contingency): number {
  const { n } = t;
  if (t.rows === 1 && t.cols === 1) return 1;
  let mi = 0;
  for (let i = 0; i < t.cellCount; i++) {
    const cell = t.cells[i];
    const c = t.counts[cell];
    const x = Math.floor(cell / t.cols);
    const y = cell - x * t.cols;
    mi += (c / n) * Math.log((c * n) / (t.rowSums[x] * t.colSums[y]));
  }
  const norm = (entropy(t.rowSums, n) + entropy(t.colSums, n)) / 2;
  return norm > 0 ? Math.max(0, mi) / norm : 1;
}

export function adjustedRandIndex(a: Int32Array, b: Int32Array): number {
  return adjustedRandIndexOf(contingency(a, b));
}

export function normalizedMutualInfo(a: Int32Array, b: Int32Array): number {
  return normalizedMutualInfoOf(contingency(a, b));
}

/** Share of items whose label differs. */
export function flipRate(a: Int32Array, b: Int32Array): number {
  let f = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) f++;
  return a.length > 0 ? f / a.length : 0;
}

/**
 * The bin edges of the population stability index: the expected values' deciles (the order
 * statistics at ⌊q·n/10⌋, q = 1…9, of the finite values), repeated values merged, so fewer bins
 * when values repeat. Found by selection, not by sorting: O(n).
 */
export function psiEdges(expected: ArrayLike<number>, bins = 10): number[] {
  const e = finite(expected);
  if (e.length === 0) return [];
  const ranks: number[] = [];
  for (let q = 1; q < bins; q++)
    ranks.push(Math.min(e.length - 1, Math.floor((q * e.length) / bins)));
  const values = orderStatistics(e, ranks);
  const edges: number[] = [];
  for (const v of values) if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  return edges;
}

/** How many finite values fall in each bin: bin i holds edges[i − 1] ≤ x < edges[i]. */
export function binCounts(
  values: ArrayLike<number>,
  edges: number[],
): { counts: Float64Array; n: number } {
  const m = edges.length;
  if (m > 9) return binCountsSearched(values, edges);
  // The bin is the number of edges ≤ x: nine comparisons without branches (edges past the last
  // are +∞, never ≤ a finite x) beat a binary search's unpredictable ones.
  const e = new Float64Array(9).fill(Infinity);
  e.set(edges);
  const counts = new Float64Array(10);
  let n = 0;
  for (let from = 0; from < values.length; from += CHUNK)
    n += binChunk(values, e, counts, from, Math.min(values.length, from + CHUNK));
  return { counts: counts.slice(0, m + 1), n };
}

/** binCounts over rows [from, to) (in chunks: see deciles.ts CHUNK); returns the finite values. */
function binChunk(
  values: ArrayLike<number>,
  e: Float64Array,
  counts: Float64Array,
  from: number,
  to: number,
): number {
  const [e0, e1, e2, e3, e4, e5, e6, e7, e8] = e;
  let n = 0;
  for (let i = from; i < to; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    const bin =
      +(x >= e0) +
      +(x >= e1) +
      +(x >= e2) +
      +(x >= e3) +
      +(x >= e4) +
      +(x >= e5) +
      +(x >= e6) +
      +(x >= e7) +
      +(x >= e8);
    counts[bin]++;
    n++;
  }
  return n;
}

function binCountsSearched(
  values: ArrayLike<number>,
  edges: number[],
): { counts: Float64Array; n: number } {
  const counts = new Float64Array(edges.length + 1);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
    n++;
  }
  return { counts, n };
}

function finite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isFinite(x)) out[m++] = x;
  }
  return m === out.length ? out : out.slice(0, m);
}

/**
 * Population stability index of `actual` against `expected`: bins are the expected values'
 * deciles (10 bins, fewer when values repeat; psiEdges), PSI = Σ (pa − pe) · ln(pa / pe), each
 * share floored at 1e-4 so an empty bin stays finite. Non-finite values are ignored.
 */
export function populationStabilityIndex(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  bins = 10,
): number {
  // A float64 column (every stored feature): edges and counts in two passes (deciles.ts).
  const fast = expected instanceof Float64Array ? expectedBins(expected, bins) : undefined;
  const edges = fast?.edges ?? psiEdges(expected, bins);
  return psiOfBins(fast ?? binCounts(expected, edges), binCounts(actual, edges));
}

/** Bin counts and how many values they count (one side of a PSI). */
export interface BinCounts {
  counts: ArrayLike<number>;
  n: number;
}

/** The PSI of two sides' counts in the same bins (populationStabilityIndex's sum). */
export function psiOfBins(e: BinCounts, a: BinCounts): number {
  if (e.n === 0 || a.n === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < e.counts.length; i++) {
    const pe = Math.max(e.counts[i] / e.n, 1e-4);
    const pa = Math.max(a.counts[i] / a.n, 1e-4);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}
