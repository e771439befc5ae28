import type { BisectingNode } from '../algo/bisecting-tree.js';
import type { WardDendrogram } from '../algo/ward-dendrogram.js';

/**
 * A hierarchy as the dendrogram chart draws it, from what a model stores: Ward's dendrogram (its
 * top merges) or bisecting k-means' split tree. Nodes are numbered 0 … n − 1 with the root last;
 * a node's `segment` is the one segment all its rows belong to at the model's k, or null when it
 * spans several (above the cut).
 */
export interface DrawnNode {
  /** Merge height (Ward distance) or SSE (bisecting) of an inner node; 0 for a drawn leaf. */
  height: number;
  rows: number;
  children: [number, number] | null;
  segment: number | null;
}

export interface DrawnTree {
  nodes: DrawnNode[];
  /** The height of the line that cuts the tree into the model's k segments (Ward only). */
  cut?: number;
}

/** Merges drawn at most: the top of the dendrogram, where the choice of k is made. */
export const DRAWN_MERGES = 30;

/**
 * The top `max(DRAWN_MERGES, k − 1)` merges of a Ward dendrogram (all of them when it keeps
 * fewer), their leaves being the clusters just below the lowest drawn merge; heights as stored
 * (Ward distance in the clustering space), the cut between the merges that make k and k − 1.
 */
export function wardDrawnTree(dg: WardDendrogram, groupSegments: readonly number[]): DrawnTree {
  const m = dg.groups.length;
  const k = Math.max(...groupSegments) + 1;
  const shown = Math.min(m - 1, Math.max(DRAWN_MERGES, k - 1));
  const base = 2 * dg.leaves - m;
  const first = m - 1 - shown;
  const group = new Map(dg.groups.map((g, i) => [g.node, i]));
  // Rows and segment of every node of the stored part of the tree, bottom up (merges are in order).
  const rows = new Map<number, number>();
  const segment = new Map<number, number | null>();
  dg.groups.forEach((g, i) => {
    rows.set(g.node, g.rows);
    segment.set(g.node, groupSegments[i]);
  });
  dg.merges.forEach((merge, t) => {
    const [a, b] = merge.children;
    rows.set(base + t, rows.get(a)! + rows.get(b)!);
    const sa = segment.get(a)!;
    segment.set(base + t, sa !== null && sa === segment.get(b) ? sa : null);
  });
  const nodes: DrawnNode[] = [];
  const index = new Map<number, number>();
  const visit = (node: number): number => {
    const t = node - base;
    const drawnMerge = t >= first && !group.has(node);
    const children: [number, number] | null = drawnMerge
      ? [visit(dg.merges[t].children[0]), visit(dg.merges[t].children[1])]
      : null;
    index.set(node, nodes.length);
    nodes.push({
      height: drawnMerge ? dg.merges[t].height : 0,
      rows: rows.get(node)!,
      children,
      segment: segment.get(node)!,
    });
    return nodes.length - 1;
  };
  visit(m === 1 ? dg.groups[0].node : 2 * dg.leaves - 2);
  const heights = dg.merges.map((x) => x.height);
  // k segments: the first m − k merges applied, the rest undone.
  const below = m - k - 1 >= 0 ? heights[m - k - 1] : 0;
  const above = k > 1 ? heights[m - k] : (heights[m - 2] ?? 1) * 1.1;
  return { nodes, cut: k > 1 ? (below + above) / 2 : above };
}

/** Bisecting k-means' split tree: inner nodes at their SSE (a split never raises it), leaves at 0. */
export function bisectingDrawnTree(tree: readonly BisectingNode[]): DrawnTree {
  const nodes: DrawnNode[] = [];
  const visit = (i: number): { at: number; segment: number | null } => {
    const node = tree[i];
    let children: [number, number] | null = null;
    let segment = node.segment;
    if (node.children) {
      const [a, b] = node.children.map(visit);
      children = [a.at, b.at];
      segment = null;
    }
    nodes.push({ height: children ? node.sse : 0, rows: node.rows, children, segment });
    return { at: nodes.length - 1, segment };
  };
  visit(0);
  return { nodes };
}

/** Leaves left to right (the root's left child first) at x = 0, 1, …; inner nodes between their children. */
export function layoutTree(tree: DrawnTree): { x: number[]; leaves: number[] } {
  const x = new Array<number>(tree.nodes.length).fill(0);
  const leaves: number[] = [];
  const place = (i: number): number => {
    const c = tree.nodes[i].children;
    if (c === null) {
      x[i] = leaves.length;
      leaves.push(i);
    } else x[i] = (place(c[0]) + place(c[1])) / 2;
    return x[i];
  };
  if (tree.nodes.length > 0) place(tree.nodes.length - 1);
  return { x, leaves };
}
