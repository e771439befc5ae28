import { describe, expect, test } from 'vitest';
import { runWard } from '../src/algo/ward.js';
import { wardTree } from '../src/algo/ward-tree.js';
import { matrixFromRows } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { backendCases } from './helpers/backends.js';

/**
 * Weighted Ward (the second step of two-step Ward, over micro-cluster means weighted by their
 * rows) against the direct O(m³) definition: at every step merge the pair of clusters whose union
 * raises the total within-cluster SSE least — the increase w_a·w_b/(w_a+w_b)·‖c_a − c_b‖², whose
 * √(2·…) is the merge height. Then two-step Ward gives the same labels on every backend.
 */
function directWard(points: number[][], weights: number[]): { heights: number[]; sets: string[] } {
  const clusters = points.map((p, i) => ({ c: [...p], w: weights[i], members: [i] }));
  const heights: number[] = [];
  const sets: string[] = [];
  while (clusters.length > 1) {
    let best = Infinity;
    let pair = [0, 1];
    for (let a = 0; a < clusters.length; a++)
      for (let b = a + 1; b < clusters.length; b++) {
        const A = clusters[a];
        const B = clusters[b];
        const sq = A.c.reduce((s, v, j) => s + (v - B.c[j]) ** 2, 0);
        const increase = ((A.w * B.w) / (A.w + B.w)) * sq;
        if (increase < best) {
          best = increase;
          pair = [a, b];
        }
      }
    const [a, b] = pair;
    const A = clusters[a];
    const B = clusters[b];
    const w = A.w + B.w;
    const merged = {
      c: A.c.map((v, j) => (A.w * v + B.w * B.c[j]) / w),
      w,
      members: [...A.members, ...B.members].sort((x, y) => x - y),
    };
    heights.push(Math.sqrt(2 * best));
    sets.push(merged.members.join(','));
    clusters.splice(b, 1);
    clusters.splice(a, 1, merged);
  }
  return { heights, sets };
}

test('weighted Ward merges the pairs, at the heights, of the direct O(m³) computation', () => {
  const rng = new Rng(7);
  const m = 60;
  const d = 3;
  const points = Array.from({ length: m }, () =>
    Array.from({ length: d }, () => rng.nextDouble() * 10),
  );
  const weights = Array.from({ length: m }, () => 1 + rng.nextInt(500));
  const expected = directWard(points, weights);
  const tree = wardTree(Float64Array.from(points.flat()), Float64Array.from(weights), d);
  // The members of every merged node, from the tree's children.
  const members: number[][] = Array.from({ length: m }, (_, i) => [i]);
  const sets: string[] = [];
  for (let t = 0; t < m - 1; t++) {
    const union = [...members[tree.children[2 * t]], ...members[tree.children[2 * t + 1]]].sort(
      (x, y) => x - y,
    );
    members.push(union);
    sets.push(union.join(','));
  }
  expect(sets).toEqual(expected.sets);
  tree.heights.forEach((h, t) => expect(h).toBeCloseTo(expected.heights[t], 9));
});

describe('two-step Ward', () => {
  const rng = new Rng(11);
  const n = 3000;
  const d = 4;
  const centres = Array.from({ length: 6 }, () =>
    Array.from({ length: d }, () => rng.nextDouble() * 20),
  );
  const rows = Array.from({ length: n }, () => {
    const c = centres[rng.nextInt(6)];
    return c.map((v) => v + (rng.nextDouble() - 0.5) * 3);
  });
  const matrix = matrixFromRows(rows);
  const kmeans = { init: 'k-means++' as const, nInit: 1, maxIter: 300, tol: 1e-4, seed: 3 };
  const results: number[][] = [];

  test.each(backendCases.filter((b) => !b.name.includes('1 thread')))(
    'backend $name: segments are unions of micro-clusters; same labels as the others',
    async ({ make }) => {
      const backend = await make();
      try {
        const handle = await backend.attach(matrix);
        const r = await runWard(
          backend,
          handle,
          { k: 6, method: 'two-step', microClusters: 24, kmeans },
          1,
        );
        expect(r.dendrogram.groups.length).toBe(24);
        expect(r.dendrogram.merges.length).toBe(23);
        // Every micro-cluster's rows share one segment.
        const micro = r.micro!.labels;
        const segmentOfMicro = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          const s = segmentOfMicro.get(micro[i]) ?? r.labels[i];
          expect(r.labels[i]).toBe(s);
          segmentOfMicro.set(micro[i], s);
        }
        expect(r.cut.sizes.reduce((a, b) => a + b, 0)).toBe(n);
        let inertia = 0;
        for (const v of r.sqDistances) inertia += v;
        expect(inertia / r.cut.inertia).toBeCloseTo(1, 4);
        results.push(Array.from(r.labels));
      } finally {
        await backend.dispose();
      }
    },
  );

  test('every backend gave the same labels', () => {
    expect(results.length).toBe(backendCases.filter((b) => !b.name.includes('1 thread')).length);
    for (const r of results) expect(r).toEqual(results[0]);
  });
});
