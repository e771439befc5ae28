import type { DataMatrix } from '../data/matrix.js';
import { cutNodes, leavesUnder, mergeChildren } from './ward-cut.js';
import type { WardMerges } from './ward-tree.js';

/**
 * The part of a Ward tree a model keeps: the tree cut at m clusters ('groups': rows' clusters of
 * the exact tree, or the micro-clusters of the two-step scheme) with each group's centre, rows
 * and SSE, and the m − 1 merges above them. Any cut at k ≤ m — its labels (scikit-learn's
 * numbering), centres and inertia — follows from these alone, without the data.
 */
export interface WardGroup {
  /** The group's node id in the whole tree. */
  node: number;
  rows: number;
  /** Σ‖x − centre‖² over its rows. */
  sse: number;
  /** Mean of its rows, in the clustering space. */
  centre: number[];
}

export interface WardDendrogram {
  /** Leaves of the whole tree: the rows (exact Ward) or the micro-clusters (two-step). */
  leaves: number;
  groups: WardGroup[];
  /** The last groups.length − 1 merges in order; merge t made node 2·leaves − groups.length + t. */
  merges: { children: [number, number]; height: number }[];
}

export interface WardCut {
  /** Segment of each group. */
  groupSegment: Int32Array;
  /** k×D centres (the mean of each segment's rows). */
  centres: Float64Array;
  sizes: number[];
  /** Σ over rows of ‖x − segment centre‖². */
  inertia: number;
}

/** The groups of a tree cut at m (m ≤ leaves) with their statistics over `points`, and the merges above. */
export function keepTop(
  tree: WardMerges,
  m: number,
  groupStats: (rowGroup: Int32Array) => Omit<WardGroup, 'node'>[],
): { dendrogram: WardDendrogram; leafGroup: Int32Array } {
  const root = 2 * tree.leaves - 2;
  const nodes = cutNodes(root, mergeChildren(tree), m);
  const leafGroup = leavesUnder(tree, nodes);
  const stats = groupStats(leafGroup);
  const first = tree.leaves - 1 - (m - 1);
  const merges: WardDendrogram['merges'] = [];
  for (let t = first; t < tree.leaves - 1; t++)
    merges.push({
      children: [tree.children[2 * t], tree.children[2 * t + 1]],
      height: tree.heights[t],
    });
  return {
    dendrogram: {
      leaves: tree.leaves,
      groups: nodes.map((node, g) => ({ node, ...stats[g] })),
      merges,
    },
    leafGroup,
  };
}

/** The dendrogram cut at k ≤ groups: labels as scikit-learn's, centres and inertia from the groups. */
export function cutDendrogram(dendrogram: WardDendrogram, k: number): WardCut {
  const { leaves, groups, merges } = dendrogram;
  const m = groups.length;
  if (!Number.isInteger(k) || k < 1 || k > m)
    throw new RangeError(`k=${k}: the dendrogram keeps ${m} clusters, so 1 ≤ k ≤ ${m}`);
  const base = 2 * leaves - m;
  const groupOf = new Map(groups.map((g, i) => [g.node, i]));
  const childrenOf = (node: number): readonly [number, number] => merges[node - base].children;
  const root = m === 1 ? groups[0].node : 2 * leaves - 2;
  const top = cutNodes(root, childrenOf, k);
  const groupSegment = new Int32Array(m).fill(-1);
  top.forEach((node, s) => {
    const stack = [node];
    while (stack.length > 0) {
      const v = stack.pop()!;
      const g = groupOf.get(v);
      if (g !== undefined) groupSegment[g] = s;
      else stack.push(...childrenOf(v));
    }
  });
  const d = groups[0].centre.length;
  const centres = new Float64Array(k * d);
  const sizes = new Array<number>(k).fill(0);
  groups.forEach((g, i) => {
    const s = groupSegment[i];
    sizes[s] += g.rows;
    for (let j = 0; j < d; j++) centres[s * d + j] += g.rows * g.centre[j];
  });
  for (let s = 0; s < k; s++) for (let j = 0; j < d; j++) centres[s * d + j] /= sizes[s];
  let inertia = 0;
  groups.forEach((g, i) => {
    const s = groupSegment[i];
    let between = 0;
    for (let j = 0; j < d; j++) between += (g.centre[j] - centres[s * d + j]) ** 2;
    inertia += g.sse + g.rows * between;
  });
  return { groupSegment, centres, sizes, inertia };
}

/** Each group's rows, mean and SSE (two passes, float64) from the rows' group numbers. */
export function groupStatistics(
  matrix: DataMatrix,
  rowGroup: Int32Array,
  m: number,
): Omit<WardGroup, 'node'>[] {
  const { rows: n, dims: d, data } = matrix;
  const sums = new Float64Array(m * d);
  const counts = new Float64Array(m);
  for (let i = 0; i < n; i++) counts[rowGroup[i]]++;
  for (let j = 0; j < d; j++)
    for (let i = 0; i < n; i++) sums[rowGroup[i] * d + j] += data[j * n + i];
  for (let g = 0; g < m; g++) for (let j = 0; j < d; j++) sums[g * d + j] /= counts[g];
  const sse = new Float64Array(m);
  for (let j = 0; j < d; j++)
    for (let i = 0; i < n; i++)
      sse[rowGroup[i]] += (data[j * n + i] - sums[rowGroup[i] * d + j]) ** 2;
  return Array.from({ length: m }, (_, g) => ({
    rows: counts[g],
    sse: sse[g],
    centre: Array.from(sums.subarray(g * d, (g + 1) * d)),
  }));
}
