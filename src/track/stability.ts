/**
 * Stability figures between two periods, on the customers present in both: adjusted Rand index
 * and normalised mutual information (scikit-learn's definitions: ARI with the pair-counting
 * expectation; NMI with the arithmetic-mean normaliser), flip rates, and the population
 * stability index of a feature.
 */

/** Contingency counts of two labelings of the same items (labels: any int32 keys). */
function contingency(
  a: Int32Array,
  b: Int32Array,
): { cells: Map<string, number>; rowSums: Map<number, number>; colSums: Map<number, number> } {
  const cells = new Map<string, number>();
  const rowSums = new Map<number, number>();
  const colSums = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const id = `${a[i]},${b[i]}`;
    cells.set(id, (cells.get(id) ?? 0) + 1);
    rowSums.set(a[i], (rowSums.get(a[i]) ?? 0) + 1);
    colSums.set(b[i], (colSums.get(b[i]) ?? 0) + 1);
  }
  return { cells, rowSums, colSums };
}

const comb2 = (x: number): number => (x * (x - 1)) / 2;

export function adjustedRandIndex(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const { cells, rowSums, colSums } = contingency(a, b);
  if (n < 2 || (rowSums.size === colSums.size && (rowSums.size === 1 || cells.size === n)))
    return 1;
  let index = 0;
  for (const c of cells.values()) index += comb2(c);
  let sa = 0;
  for (const c of rowSums.values()) sa += comb2(c);
  let sb = 0;
  for (const c of colSums.values()) sb += comb2(c);
  const expected = (sa * sb) / comb2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

function entropy(sums: Map<number, number>, n: number): number {
  let h = 0;
  for (const c of sums.values()) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

export function normalizedMutualInfo(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const { cells, rowSums, colSums } = contingency(a, b);
  if (rowSums.size === 1 && colSums.size === 1) return 1;
  let mi = 0;
  for (const [id, c] of cells) {
    const [x, y] = id.split(',').map(Number);
    mi += (c / n) * Math.log((c * n) / (rowSums.get(x)! * colSums.get(y)!));
  }
  const norm = (entropy(rowSums, n) + entropy(colSums, n)) / 2;
  return norm > 0 ? Math.max(0, mi) / norm : 1;
}

/** Share of items whose label differs. */
export function flipRate(a: Int32Array, b: Int32Array): number {
  let f = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) f++;
  return a.length > 0 ? f / a.length : 0;
}

/**
 * Population stability index of `actual` against `expected`: bins are the expected values'
 * deciles (10 bins, fewer when values repeat), PSI = Σ (pa − pe) · ln(pa / pe), each share floored
 * at 1e-4 so an empty bin stays finite. Non-finite values are ignored.
 */
export function populationStabilityIndex(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  bins = 10,
): number {
  const e = Float64Array.from(expected).filter(Number.isFinite).sort();
  const a = Float64Array.from(actual).filter(Number.isFinite);
  if (e.length === 0 || a.length === 0) return NaN;
  const edges: number[] = [];
  for (let q = 1; q < bins; q++) {
    const v = e[Math.min(e.length - 1, Math.floor((q * e.length) / bins))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  const bin = (x: number): number => {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const ce = new Float64Array(edges.length + 1);
  const ca = new Float64Array(edges.length + 1);
  for (const x of e) ce[bin(x)]++;
  for (const x of a) ca[bin(x)]++;
  let psi = 0;
  for (let i = 0; i < ce.length; i++) {
    const pe = Math.max(ce[i] / e.length, 1e-4);
    const pa = Math.max(ca[i] / a.length, 1e-4);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}
