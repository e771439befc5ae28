/**
 * Rectangular linear assignment (scipy.optimize.linear_sum_assignment's contract): given an R×C
 * cost matrix (row-major, finite values), pick min(R, C) pairs, at most one per row and per column,
 * with the smallest total cost. Shortest augmenting paths with potentials (Jonker–Volgenant /
 * Kuhn–Munkres), O(n²m) for n = min(R, C), m = max(R, C); the wider side is the column side
 * (the matrix is transposed when R > C). Ties go to the lowest index, so the answer is
 * deterministic. Returns the pairs sorted by row, as scipy does.
 */
export interface Assignment {
  rows: Int32Array;
  cols: Int32Array;
  total: number;
}

export function linearSumAssignment(cost: Float64Array, rows: number, cols: number): Assignment {
  if (cost.length !== rows * cols)
    throw new RangeError(`cost has ${cost.length} entries, expected rows×cols = ${rows * cols}`);
  for (let i = 0; i < cost.length; i++)
    if (!Number.isFinite(cost[i])) throw new RangeError(`cost[${i}] is ${cost[i]}, not finite`);
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const at = transpose
    ? (i: number, j: number) => cost[j * cols + i]
    : (i: number, j: number) => cost[i * cols + j];
  // 1-based arrays as in the classic formulation; index 0 is the virtual root.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row matched to column j (0 = none)
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const pairs: [number, number][] = [];
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    pairs.push(transpose ? [j - 1, p[j] - 1] : [p[j] - 1, j - 1]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Assignment = {
    rows: Int32Array.from(pairs, (q) => q[0]),
    cols: Int32Array.from(pairs, (q) => q[1]),
    total: 0,
  };
  for (let t = 0; t < pairs.length; t++) out.total += cost[out.rows[t] * cols + out.cols[t]];
  return out;
}
