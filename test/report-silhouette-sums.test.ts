import { describe, expect, test } from 'vitest';
import { pairDistanceSums } from '../src/eval/silhouette-sums.js';
import { segmentDistanceSums } from '../src/report/segment-distance-sums.js';

/** A deterministic stream in [0, 1) (no Math.random: a failure can be replayed). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("the silhouette plot's distance sums, computed segment by segment", () => {
  // d = 3 takes the written-out distance, d = 5 the loop; segment 2 is empty and 4 has one row,
  // and the rows come in no order of segment (the kernel sorts them and must put them back).
  for (const d of [3, 5]) {
    test(`equal selection's pairDistanceSums (d = ${d}, an empty and a one-row segment)`, () => {
      const next = stream(d);
      const n = 301;
      const k = 5;
      const x = Float64Array.from({ length: n * d }, () => next() * 10 - 5);
      const labels = Int32Array.from({ length: n }, () => [0, 1, 3][Math.floor(next() * 3)]);
      labels[150] = 4;
      const expected = pairDistanceSums(x, n, d, [labels], [0], k);
      const sums = segmentDistanceSums(x, d, labels, k);
      expect(sums.length).toBe(n * k);
      for (let i = 0; i < n * k; i++) expect(sums[i]).toBeCloseTo(expected[i], 9);
      // Row 150 is alone in segment 4: nothing to add there, and every other row sees it once.
      expect(sums[150 * k + 4]).toBe(0);
      expect(sums[0 * k + 4]).toBeGreaterThan(0);
      expect(Array.from({ length: n }, (_, i) => sums[i * k + 2]).every((v) => v === 0)).toBe(true);
    });
  }
});
