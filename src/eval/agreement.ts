/**
 * The adjusted Rand index of two labelings of the same rows (Hubert & Arabie 1985, as
 * scikit-learn's adjusted_rand_score): 1 for the same partition whatever the numbering, about 0
 * for independent ones. Labels are non-negative integers.
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`labelings differ in length: ${n} and ${b.length}`);
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const table = new Map<string, number>();
  const rowSums = new Map<number, number>();
  const colSums = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowSums.set(a[i], (rowSums.get(a[i]) ?? 0) + 1);
    colSums.set(b[i], (colSums.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += pairs(v);
  let sumA = 0;
  for (const v of rowSums.values()) sumA += pairs(v);
  let sumB = 0;
  for (const v of colSums.values()) sumB += pairs(v);
  const expected = (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  // Both labelings a single cluster (or every row its own): scikit-learn's special case.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
