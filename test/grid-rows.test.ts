import { describe, expect, test } from 'vitest';
import { gridRows } from '../src/algo/grid-rows.js';
import { allocateMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';

/**
 * DBSCAN's grid over the principal axes (grid-rows.ts): a row's windows are disjoint, hold the row
 * itself once, hold every row within eps of it (float64 distance of the float32 values, pairs at
 * exactly eps included) and, on data spread over two or more axes, far fewer rows than one sorted
 * axis's strip would.
 */
function randomMatrix(n: number, d: number, seed: number, spread: number[]) {
  const rng = new Rng(seed);
  const m = allocateMatrix(
    n,
    Array.from({ length: d }, (_, f) => `f${f}`),
  );
  for (let f = 0; f < d; f++)
    for (let i = 0; i < n; i++)
      m.data[f * n + i] = Math.round((rng.nextDouble() - 0.5) * (spread[f] ?? 1) * 8) / 8;
  return m;
}

describe.each([
  { d: 2, spread: [10, 10], eps: 0.5, grid: 3 },
  { d: 3, spread: [10, 10, 10], eps: 0.5, grid: 9 },
  { d: 5, spread: [10, 8, 6, 0.2, 0.1], eps: 0.75, grid: 9 },
  { d: 2, spread: [10, 0.01], eps: 0.5, grid: 1 },
])('d = $d, spread $spread, eps $eps', ({ d, spread, eps, grid }) => {
  test('windows: disjoint, the row once, every neighbour within eps', () => {
    const n = 2000;
    const input = randomMatrix(n, d, d * 7 + spread.length, spread);
    const g = gridRows(input, eps);
    expect(g.windows).toBe(grid);
    const x = g.matrix.data;
    // The sorted matrix is the input permuted.
    for (let f = 0; f < d; f++)
      for (let r = 0; r < n; r++) expect(x[f * n + r]).toBe(input.data[f * n + g.perm[r]]);
    const windows = Array.from({ length: g.windows }, (_, w) => g.window(w, 0, n));
    let visited = 0;
    const twice: number[] = [];
    const missed: [number, number][] = [];
    for (let r = 0; r < n; r++) {
      const seen = new Uint8Array(n);
      for (const { lo, hi } of windows)
        for (let j = lo[r]; j < hi[r]; j++) {
          if (seen[j]) twice.push(r);
          seen[j] = 1;
          visited++;
        }
      if (!seen[r]) missed.push([r, r]);
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let f = 0; f < d; f++) s += (x[f * n + r] - x[f * n + j]) ** 2;
        if (s <= eps * eps && !seen[j]) missed.push([r, j]);
      }
    }
    // side(w): the window's rows all before the row (−1), all after it (1), or around it (0).
    const misplaced: [number, number][] = [];
    windows.forEach(({ lo, hi }, w) => {
      const side = g.side(w);
      for (let r = 0; r < n; r++) {
        if (lo[r] === hi[r]) continue;
        const ok = side < 0 ? hi[r] <= r : side > 0 ? lo[r] > r : lo[r] <= r && r < hi[r];
        if (!ok) misplaced.push([w, r]);
      }
    });
    expect(misplaced).toEqual([]);
    expect(twice).toEqual([]);
    expect(missed).toEqual([]);
    // Far fewer rows than all pairs when the data spreads over the grid's axes.
    if (grid > 1) expect(visited).toBeLessThan(0.1 * n * n);
  });
});
