import type { Assignment, Backend, DatasetHandle } from '../backend/backend.js';
import { MatrixArena } from '../data/matrix.js';
import { gatherRows } from '../data/row-subset.js';
import type { BisectingNode } from './bisecting-tree.js';

/**
 * Assigns rows to the leaves of a bisecting tree as scikit-learn's BisectingKMeans.predict does:
 * from the root, each row goes to the nearer of a node's two halves (the left on ties), down to a
 * leaf — which is not always the leaf with the nearest centre. Each inner node is one assignment
 * pass on the backend over the rows that reached it. OUT the leaf's segment and the squared
 * distance to its centre.
 */
export async function descendBisectingTree(
  backend: Backend,
  handle: DatasetHandle,
  nodes: readonly BisectingNode[],
): Promise<Assignment> {
  const { matrix } = handle;
  const n = matrix.rows;
  const labels = new Int32Array(n);
  const sqDistances = new Float32Array(n);
  const d = matrix.dims;
  const arena = new MatrixArena();
  const pending: { node: number; rows: Int32Array | null }[] = [{ node: 0, rows: null }];
  while (pending.length > 0) {
    const { node, rows } = pending.pop()!;
    const count = rows ? rows.length : n;
    if (count === 0) continue;
    const children = nodes[node].children;
    if (children === null) {
      for (let i = 0; i < count; i++) labels[rows ? rows[i] : i] = nodes[node].segment!;
      if (node === 0) {
        const a = await backend.assign(handle, Float32Array.from(nodes[0].centre), 1);
        sqDistances.set(a.sqDistances);
      }
      continue;
    }
    const centres = new Float32Array(2 * d);
    centres.set(nodes[children[0]].centre, 0);
    centres.set(nodes[children[1]].centre, d);
    const part = rows ? await backend.attach(gatherRows(matrix, rows, arena)) : handle;
    let a: Assignment;
    try {
      a = await backend.assign(part, centres, 2);
    } finally {
      if (rows) await backend.detach(part);
    }
    const halves = [new Array<number>(), new Array<number>()];
    for (let i = 0; i < count; i++) {
      const r = rows ? rows[i] : i;
      halves[a.labels[i]].push(r);
      sqDistances[r] = a.sqDistances[i];
    }
    pending.push({ node: children[1], rows: Int32Array.from(halves[1]) });
    pending.push({ node: children[0], rows: Int32Array.from(halves[0]) });
  }
  return { labels, sqDistances };
}
