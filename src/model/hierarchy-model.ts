import type { BisectingStrategy } from '../algo/bisecting.js';
import type { BisectingNode } from '../algo/bisecting-tree.js';
import type { WardDendrogram } from '../algo/ward-dendrogram.js';
import type { ModelBase } from './model.js';

/**
 * The hierarchical models: bisecting k-means keeps its split tree, Ward its dendrogram (cut at
 * `microClusters`). `centres` are the k segments' centres, as in every model; the tree is what
 * predict uses.
 */
export interface BisectingModel extends ModelBase {
  algorithm: 'bisecting';
  inertia: number;
  bisectingStrategy: BisectingStrategy;
  /** The split tree (src/algo/bisecting-tree.ts): 2k − 1 nodes, root first, leaves numbered as segments. */
  tree: BisectingNode[];
}

/**
 * Ward: predict sends a row to the nearest group's centre (a cluster of the tree cut at
 * dendrogram.groups.length — a micro-cluster in two-step Ward) and gives it that group's segment.
 */
export interface WardModel extends ModelBase {
  algorithm: 'ward';
  inertia: number;
  wardMethod: 'exact' | 'two-step';
  dendrogram: WardDendrogram;
  /** Segment of each dendrogram group at this model's k. */
  groupSegments: number[];
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const finiteRow = (v: unknown, d: number): boolean =>
  Array.isArray(v) && v.length === d && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks the tree or dendrogram of a hierarchical model against its k and clustering columns `d`. */
export function checkHierarchyModel(
  m: Record<string, unknown>,
  d: number,
  bad: (what: string) => never,
): void {
  const k = m.k as number;
  if (m.algorithm === 'bisecting') {
    const tree = m.tree;
    if (!Array.isArray(tree) || tree.length !== 2 * k - 1)
      bad(`"tree" must be a list of 2k−1 = ${2 * k - 1} nodes`);
    const nodes = tree as BisectingNode[];
    const leaves = new Set<number>();
    nodes.forEach((node, i) => {
      if (
        typeof node !== 'object' ||
        node === null ||
        !finiteRow(node.centre, d) ||
        !(node.sse >= 0) ||
        !(node.rows >= 0)
      )
        bad(`"tree" node ${i} must have a centre of ${d} finite numbers, rows ≥ 0 and sse ≥ 0`);
      if (node.children === null) {
        if (
          !isInt(node.segment) ||
          node.segment < 0 ||
          node.segment >= k ||
          leaves.has(node.segment)
        )
          bad(`"tree" leaf ${i} must have its own segment in 0..${k - 1}`);
        leaves.add(node.segment!);
      } else if (
        !Array.isArray(node.children) ||
        node.children.length !== 2 ||
        !node.children.every((c) => isInt(c) && c > i && c < nodes.length)
      )
        bad(`"tree" node ${i}: children must be two later nodes, or null for a leaf`);
    });
    if (leaves.size !== k) bad(`"tree" must have k=${k} leaves`);
    return;
  }
  const dg = m.dendrogram as WardDendrogram | undefined;
  if (
    typeof dg !== 'object' ||
    dg === null ||
    !Array.isArray(dg.groups) ||
    !Array.isArray(dg.merges)
  )
    bad('"dendrogram" must have groups and merges');
  const g = dg!.groups.length;
  if (g < k || !isInt(dg!.leaves) || dg!.leaves < g || dg!.merges.length !== g - 1)
    bad(`"dendrogram" must keep at least k=${k} groups and one merge fewer than groups`);
  dg!.groups.forEach((group, i) => {
    if (!finiteRow(group.centre, d) || !isInt(group.node) || !(group.rows > 0) || !(group.sse >= 0))
      bad(`"dendrogram" group ${i} must have a node id, rows > 0, sse ≥ 0 and ${d} centre values`);
  });
  const base = 2 * dg!.leaves - g;
  dg!.merges.forEach((merge, t) => {
    if (
      !Array.isArray(merge.children) ||
      merge.children.length !== 2 ||
      !merge.children.every((c) => isInt(c) && c < base + t)
    )
      bad(`"dendrogram" merge ${t} must join two earlier nodes`);
  });
  if (
    !Array.isArray(m.groupSegments) ||
    m.groupSegments.length !== g ||
    !m.groupSegments.every((s) => isInt(s) && s >= 0 && s < k)
  )
    bad(`"groupSegments" must be ${g} segments in 0..${k - 1}`);
}
