/**
 * DBSCAN's graph on the host: core rows joined by union-find, then clusters numbered and border
 * rows labelled exactly as scikit-learn's DBSCAN does. Its loop visits rows in input order and
 * grows a cluster from every core row not yet labelled, so
 * - clusters are numbered in the order of their first core row (lowest input row number);
 * - a border row (not core, within eps of a core row) takes the first cluster to reach it: the
 *   lowest-numbered cluster among its core neighbours' clusters.
 * Both rules depend only on the input order, not on how the neighbours were found, so the labels
 * equal scikit-learn's for every row (a border row near two clusters included).
 */
export class CoreGraph {
  private readonly parent: Int32Array;
  /** Border rows and one core neighbour each, as pairs (row, core neighbour), in sorted-row numbers. */
  private borderRows: Int32Array = new Int32Array(1024);
  private borderCores: Int32Array = new Int32Array(1024);
  private borderPairs = 0;

  constructor(readonly rows: number) {
    this.parent = new Int32Array(rows);
    for (let i = 0; i < rows; i++) this.parent[i] = i;
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i]];
      i = p[i];
    }
    return i;
  }

  /** Two core rows within eps of each other. */
  join(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The smaller root wins: deterministic, whatever order the edges come in.
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }

  /** A non-core row within eps of a core row. */
  addBorder(row: number, core: number): void {
    if (this.borderPairs === this.borderRows.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.borderRows = grow(this.borderRows);
      this.borderCores = grow(this.borderCores);
    }
    this.borderRows[this.borderPairs] = row;
    this.borderCores[this.borderPairs++] = core;
  }

  /**
   * Labels in input order (−1: noise) given the core flags and `perm` (sorted row r is input row
   * perm[r]); also the number of clusters.
   */
  labels(core: Uint8Array, perm: Int32Array): { labels: Int32Array; clusters: number } {
    const n = this.rows;
    // The first (lowest input number) core row of each component, at its root.
    const first = new Int32Array(n).fill(-1);
    for (let r = 0; r < n; r++) {
      if (!core[r]) continue;
      const root = this.find(r);
      if (first[root] < 0 || perm[r] < first[root]) first[root] = perm[r];
    }
    const roots: number[] = [];
    for (let r = 0; r < n; r++) if (first[r] >= 0) roots.push(r);
    roots.sort((a, b) => first[a] - first[b]);
    const clusterOfRoot = new Int32Array(n).fill(-1);
    roots.forEach((root, c) => (clusterOfRoot[root] = c));
    const labels = new Int32Array(n).fill(-1);
    for (let r = 0; r < n; r++) if (core[r]) labels[perm[r]] = clusterOfRoot[this.find(r)];
    for (let p = 0; p < this.borderPairs; p++) {
      const row = perm[this.borderRows[p]];
      const c = clusterOfRoot[this.find(this.borderCores[p])];
      if (labels[row] < 0 || c < labels[row]) labels[row] = c;
    }
    return { labels, clusters: roots.length };
  }
}
