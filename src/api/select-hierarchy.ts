import { cutBisectingTree } from '../algo/bisecting-tree.js';
import { runBisectingKMeans, type BisectingStrategy } from '../algo/bisecting.js';
import { cutDendrogram } from '../algo/ward-dendrogram.js';
import { EXACT_WARD_MAX_ROWS, runWard } from '../algo/ward.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { openHostBackend } from '../backend/select.js';
import { InputError } from '../errors.js';

/** One candidate k's clustering, as select scores it. */
export interface LevelFit {
  k: number;
  labels: Int32Array;
  inertia: number;
  iterations: number;
  bic: undefined;
}

export interface LevelSettings {
  seed: number;
  maxIter: number;
  tol: number;
  bisectingStrategy: BisectingStrategy;
  wardMethod: 'auto' | 'exact' | 'two-step';
  microClusters: number;
}

/**
 * Every candidate k of a hierarchy from one fit: Ward's dendrogram (or bisecting k-means' split
 * tree) built once at the largest k and cut at each — the levels of one hierarchy, so the
 * scores compare nested partitions.
 */
export async function hierarchyLevels(
  backend: Backend,
  handle: DatasetHandle,
  algorithm: 'ward' | 'bisecting',
  ks: readonly number[],
  s: LevelSettings,
  meanVariance: number,
  notice: (message: string) => void,
): Promise<LevelFit[]> {
  const top = ks[ks.length - 1];
  const n = handle.rows;
  if (algorithm === 'bisecting') {
    const r = await runBisectingKMeans(
      backend,
      handle,
      {
        k: top,
        strategy: s.bisectingStrategy,
        init: 'random',
        nInit: 1,
        maxIter: s.maxIter,
        tol: s.tol,
        seed: s.seed,
      },
      { openHostBackend },
    );
    // Each row's leaf at the top k, then that leaf's ancestor among each cut's leaves.
    const parent = new Int32Array(r.tree.length).fill(-1);
    r.tree.forEach((node, i) => node.children?.forEach((c) => (parent[c] = i)));
    const leafNode = new Map<number, number>();
    r.tree.forEach((node, i) => node.segment !== null && leafNode.set(node.segment, i));
    return ks.map((k) => {
      const cut = cutBisectingTree(r.tree, k);
      const segmentOf = new Int32Array(top);
      for (let leaf = 0; leaf < top; leaf++) {
        let v = leafNode.get(leaf)!;
        while (v >= cut.length || cut[v].segment === null) v = parent[v];
        segmentOf[leaf] = cut[v].segment!;
      }
      const inertia = cut.reduce((sum, node) => sum + (node.children === null ? node.sse : 0), 0);
      return {
        k,
        labels: r.labels.map((l) => segmentOf[l]),
        inertia,
        iterations: r.iterations,
        bic: undefined,
      };
    });
  }
  if (top > s.microClusters)
    throw new InputError(
      (opt) =>
        `k=${top} exceeds ${opt('microClusters')} ${s.microClusters} (the clusters a Ward tree keeps); raise ${opt('microClusters')}`,
    );
  const method =
    s.wardMethod === 'auto' ? (n > EXACT_WARD_MAX_ROWS ? 'two-step' : 'exact') : s.wardMethod;
  if (s.wardMethod === 'auto' && method === 'two-step')
    notice(`ward: ${n} rows exceed ${EXACT_WARD_MAX_ROWS} for exact Ward; using two-step Ward`);
  const r = await runWard(
    backend,
    handle,
    {
      k: top,
      method,
      microClusters: s.microClusters,
      kmeans: { init: 'k-means++', nInit: 1, maxIter: s.maxIter, tol: s.tol, seed: s.seed },
    },
    meanVariance,
  );
  return ks.map((k) => {
    const cut = cutDendrogram(r.dendrogram, k);
    return {
      k,
      labels: Int32Array.from(r.rowGroup, (g) => cut.groupSegment[g]),
      inertia: cut.inertia,
      iterations: r.micro?.iterations ?? 0,
      bic: undefined,
    };
  });
}
