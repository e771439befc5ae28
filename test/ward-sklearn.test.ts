import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { cutDendrogram } from '../src/algo/ward-dendrogram.js';
import { runWard } from '../src/algo/ward.js';
import { wardTree } from '../src/algo/ward-tree.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { matrixFromRows } from '../src/data/matrix.js';

/**
 * Exact Ward against scikit-learn's AgglomerativeClustering(linkage='ward')
 * (test/oracle/ward_sklearn.py, committed in test/fixtures/ward-sklearn.json): the same merge
 * heights, and the same labels — numbering included — at every k, both from a fit at that k and
 * from re-cutting one fit's dendrogram.
 */
interface WardCase {
  name: string;
  rows: number;
  dims: number;
  data: number[];
  heights: number[];
  cuts: { k: number; labels: number[] }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/ward-sklearn.json', import.meta.url), 'utf8'),
) as { cases: WardCase[] };

const kmeans = { init: 'k-means++' as const, nInit: 1, maxIter: 300, tol: 1e-4, seed: 0 };

describe.each(fixture.cases)('$name', (c) => {
  const rows = Array.from({ length: c.rows }, (_, i) => c.data.slice(i * c.dims, (i + 1) * c.dims));
  const matrix = matrixFromRows(rows);

  test('merge heights are scikit-learn’s', () => {
    const flat = new Float64Array(c.rows * c.dims);
    for (let i = 0; i < c.rows; i++)
      for (let j = 0; j < c.dims; j++) flat[i * c.dims + j] = matrix.data[j * c.rows + i];
    const tree = wardTree(flat, new Float64Array(c.rows).fill(1), c.dims);
    expect(tree.heights.length).toBe(c.heights.length);
    tree.heights.forEach((h, t) =>
      expect(Math.abs(h - c.heights[t])).toBeLessThan(1e-4 * (1 + c.heights[t])),
    );
  });

  test('labels at every k are scikit-learn’s, fitted or re-cut', async () => {
    const backend = new CpuBackend(1);
    try {
      const handle = await backend.attach(matrix);
      const deepest = Math.max(...c.cuts.map((x) => x.k));
      const fitted = await runWard(
        backend,
        handle,
        { k: deepest, method: 'exact', microClusters: 200, kmeans },
        1,
      );
      for (const cut of c.cuts) {
        const atK = await runWard(
          backend,
          handle,
          { k: cut.k, method: 'exact', microClusters: 200, kmeans },
          1,
        );
        expect(Array.from(atK.labels)).toEqual(cut.labels);
        // The same partition and numbering from the stored dendrogram, without the rows' tree.
        const again = cutDendrogram(fitted.dendrogram, cut.k);
        expect(Array.from(fitted.rowGroup, (g) => again.groupSegment[g])).toEqual(cut.labels);
        expect(again.sizes).toEqual(atK.cut.sizes);
        expect(again.inertia).toBeCloseTo(atK.cut.inertia, 6);
      }
    } finally {
      await backend.dispose();
    }
  });
});
