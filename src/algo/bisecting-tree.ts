/**
 * The split tree of bisecting k-means, as the model stores it: a flat list of nodes in the order
 * they were made — the root (all rows) at 0, then split s adds its two halves at 2s+1 (left: the
 * 2-means cluster 0) and 2s+2. So the first 2k'−1 nodes are the tree after k'−1 splits: the
 * hierarchy cut at k' segments, for any k' ≤ k, without refitting.
 */
export interface BisectingNode {
  /** The cluster's centre in the clustering space (the root's: the mean of all rows). */
  centre: number[];
  /** Training rows in the cluster. */
  rows: number;
  /** Σ‖x − centre‖² over its rows (a cut's inertia is the sum over its leaves). */
  sse: number;
  /** What the strategy compares: the cluster's SSE (biggest_inertia) or its rows (largest_cluster); the root's is 0. */
  score: number;
  /** The node indices of its two halves; null for a leaf. */
  children: [number, number] | null;
  /** A leaf's segment (0…k−1, numbered depth-first, left half first, as scikit-learn's labels); null inside. */
  segment: number | null;
}

/** The leaves of a tree, depth-first, left half first: scikit-learn's iter_leaves order. */
export function leavesInOrder(nodes: readonly BisectingNode[]): number[] {
  const out: number[] = [];
  const visit = (i: number): void => {
    const c = nodes[i].children;
    if (c === null) out.push(i);
    else {
      visit(c[0]);
      visit(c[1]);
    }
  };
  if (nodes.length > 0) visit(0);
  return out;
}

/** Numbers the leaves 0… in leavesInOrder order (and clears the segment of inner nodes); in place. */
export function numberLeaves(nodes: BisectingNode[]): void {
  for (const n of nodes) n.segment = null;
  leavesInOrder(nodes).forEach((leaf, s) => (nodes[leaf].segment = s));
}

/**
 * The tree after its first k−1 splits: k segments, numbered as a fit with that k would number
 * them (a fit's splits do not depend on how many follow). Returns a new list.
 */
export function cutBisectingTree(nodes: readonly BisectingNode[], k: number): BisectingNode[] {
  const kept = 2 * k - 1;
  if (k < 1 || kept > nodes.length)
    throw new RangeError(`k=${k}: the tree has ${(nodes.length + 1) / 2} leaves at most`);
  const out = nodes.slice(0, kept).map((n) => ({
    ...n,
    centre: [...n.centre],
    children: n.children && n.children[1] < kept ? ([...n.children] as [number, number]) : null,
  }));
  numberLeaves(out);
  return out;
}

/** The leaves' centres, K×D row-major in segment order. */
export function leafCentres(nodes: readonly BisectingNode[]): Float32Array {
  const leaves = leavesInOrder(nodes);
  const d = nodes[0].centre.length;
  const out = new Float32Array(leaves.length * d);
  leaves.forEach((leaf, s) => out.set(nodes[leaf].centre, s * d));
  return out;
}
