import { MatrixArena, type DataMatrix } from './matrix.js';

/**
 * The matrix of some rows of another (column-major, in the order given), for the passes that work
 * on one cluster's rows at a time (bisecting k-means, a bisecting tree's descent). With an arena
 * the memory is reused, so the result is valid until the arena's next take.
 */
export function gatherRows(
  source: DataMatrix,
  rows: Int32Array,
  arena: MatrixArena = new MatrixArena(),
): DataMatrix {
  const n = rows.length;
  const out = arena.take(n, source.features);
  for (let j = 0; j < source.dims; j++) {
    const from = j * source.rows;
    const to = j * n;
    for (let i = 0; i < n; i++) out.data[to + i] = source.data[from + rows[i]];
  }
  return out;
}
