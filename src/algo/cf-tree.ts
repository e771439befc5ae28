/**
 * BIRCH's clustering-feature tree (Zhang, Ramakrishnan & Livny 1996), built as scikit-learn's
 * Birch builds it (sklearn/cluster/_birch.py: _CFNode, _CFSubcluster, _split_node), step for step,
 * so that the same rows in the same order give the same leaf subclusters. Rows go in one at a
 * time, in order, batch after batch (`insertRows`): the tree never needs the data twice, so a file
 * can stream through it. A subcluster keeps (n, linear sum, squared sum); a row joins the closest
 * leaf subcluster if the merged radius stays within the threshold, else starts its own; a node
 * with more than branching-factor subclusters splits around its farthest pair.
 */
class Subcluster {
  n = 0;
  ls: Float64Array;
  ss = 0;
  centroid: Float64Array;
  sqNorm = 0;
  child: CfNode | undefined;

  constructor(d: number, sample?: Float64Array) {
    this.ls = new Float64Array(d);
    this.centroid = new Float64Array(d);
    if (sample) {
      this.n = 1;
      this.ls.set(sample);
      this.centroid.set(sample);
      this.ss = this.sqNorm = dot(sample, sample);
    }
  }

  /** _CFSubcluster.update: adds another subcluster's statistics. */
  update(o: Subcluster): void {
    this.n += o.n;
    for (let f = 0; f < this.ls.length; f++) this.ls[f] += o.ls[f];
    this.ss += o.ss;
    for (let f = 0; f < this.ls.length; f++) this.centroid[f] = this.ls[f] / this.n;
    this.sqNorm = dot(this.centroid, this.centroid);
  }

  /** _CFSubcluster.merge_subcluster: merges when the merged radius² ≤ threshold². */
  tryMerge(o: Subcluster, threshold: number): boolean {
    const d = this.ls.length;
    const ss = this.ss + o.ss;
    const n = this.n + o.n;
    const ls = new Float64Array(d);
    const centroid = new Float64Array(d);
    const inv = 1 / n;
    for (let f = 0; f < d; f++) {
      ls[f] = this.ls[f] + o.ls[f];
      centroid[f] = inv * ls[f];
    }
    const sqNorm = dot(centroid, centroid);
    if (ss / n - sqNorm > threshold ** 2) return false;
    [this.n, this.ls, this.ss, this.centroid, this.sqNorm] = [n, ls, ss, centroid, sqNorm];
    return true;
  }
}

class CfNode {
  readonly subclusters: Subcluster[] = [];
  prevLeaf: CfNode | undefined;
  nextLeaf: CfNode | undefined;

  constructor(
    readonly tree: CfTree,
    readonly isLeaf: boolean,
  ) {}

  /** _CFNode.insert_cf_subcluster; true when this node now has too many subclusters (split it). */
  insert(sub: Subcluster): boolean {
    const subs = this.subclusters;
    if (subs.length === 0) {
      subs.push(sub);
      this.tree.leafSubclusterCount++;
      return false;
    }
    let closest = 0;
    let best = Infinity;
    for (let s = 0; s < subs.length; s++) {
      const v = -2 * dot(subs[s].centroid, sub.centroid) + subs[s].sqNorm;
      if (v < best) [best, closest] = [v, s];
    }
    const target = subs[closest];
    const { threshold, branchingFactor } = this.tree;
    if (target.child) {
      if (!target.child.insert(sub)) {
        target.update(sub);
        return false;
      }
      const [a, b] = splitNode(target.child);
      subs[closest] = a;
      subs.push(b);
      return subs.length > branchingFactor;
    }
    if (target.tryMerge(sub, threshold)) return false;
    subs.push(sub);
    this.tree.leafSubclusterCount++;
    return subs.length > branchingFactor;
  }
}

/** _split_node: two new subclusters whose children share the node's subclusters, around its farthest pair. */
function splitNode(node: CfNode): [Subcluster, Subcluster] {
  const d = node.tree.dims;
  const s1 = new Subcluster(d);
  const s2 = new Subcluster(d);
  const n1 = new CfNode(node.tree, node.isLeaf);
  const n2 = new CfNode(node.tree, node.isLeaf);
  s1.child = n1;
  s2.child = n2;
  if (node.isLeaf) {
    if (node.prevLeaf) node.prevLeaf.nextLeaf = n1;
    n1.prevLeaf = node.prevLeaf;
    n1.nextLeaf = n2;
    n2.prevLeaf = n1;
    n2.nextLeaf = node.nextLeaf;
    if (node.nextLeaf) node.nextLeaf.prevLeaf = n2;
  }
  const subs = node.subclusters;
  const m = subs.length;
  // euclidean_distances(squared=True): ‖a‖² − 2a·b + ‖b‖², clipped at 0, 0 on the diagonal.
  const dist = (i: number, j: number): number =>
    i === j
      ? 0
      : Math.max(0, -2 * dot(subs[i].centroid, subs[j].centroid) + subs[i].sqNorm + subs[j].sqNorm);
  let fa = 0;
  let fb = 0;
  let far = -Infinity;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      const v = dist(i, j);
      if (v > far) [far, fa, fb] = [v, i, j];
    }
  for (let i = 0; i < m; i++) {
    const toFirst = i === fa || dist(fa, i) < dist(fb, i);
    (toFirst ? n1 : n2).subclusters.push(subs[i]);
    (toFirst ? s1 : s2).update(subs[i]);
  }
  return [s1, s2];
}

export class CfTree {
  private root: CfNode;
  /** The leaf before the first, as scikit-learn's dummy_leaf_: the leaves are its next-leaf chain. */
  private readonly head: CfNode;
  rows = 0;
  /**
   * Leaf subclusters so far. They only ever grow in number (a split shares them out), and they
   * are the tree's memory: each keeps two float64 vectors of d (linear sum, centroid) and a few
   * numbers, about 16·d + 150 bytes, and the inner nodes add a fraction of that (one entry per
   * node of at most branching-factor + 1). How many there are depends on the data's spread
   * against the threshold, not on the rows (at most one per row).
   */
  leafSubclusterCount = 0;

  constructor(
    readonly dims: number,
    readonly threshold: number,
    readonly branchingFactor: number,
  ) {
    this.root = new CfNode(this, true);
    this.head = new CfNode(this, true);
    this.head.nextLeaf = this.root;
    this.root.prevLeaf = this.head;
  }

  /** Inserts rows [start, end) of a column-major float32 batch of n rows, in order. */
  insertRows(X: Float32Array, n: number, start = 0, end = n): void {
    const row = new Float64Array(this.dims);
    for (let i = start; i < end; i++) {
      for (let f = 0; f < this.dims; f++) row[f] = X[f * n + i];
      this.insertRow(row);
    }
  }

  insertRow(row: Float64Array): void {
    this.rows++;
    if (!this.root.insert(new Subcluster(this.dims, row))) return;
    const [a, b] = splitNode(this.root);
    this.root = new CfNode(this, false);
    this.root.subclusters.push(a, b);
  }

  /** The leaf subclusters' centroids (count × dims, row-major) and row counts, leaf by leaf. */
  leafSubclusters(): { centres: Float64Array; counts: Float64Array; count: number } {
    const subs: Subcluster[] = [];
    for (let leaf = this.head.nextLeaf; leaf; leaf = leaf.nextLeaf) subs.push(...leaf.subclusters);
    const centres = new Float64Array(subs.length * this.dims);
    subs.forEach((s, i) => centres.set(s.centroid, i * this.dims));
    return { centres, counts: Float64Array.from(subs, (s) => s.n), count: subs.length };
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let f = 0; f < a.length; f++) s += a[f] * b[f];
  return s;
}
