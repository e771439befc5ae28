import { Float32, Int32, makeVector, Table, type Vector } from 'apache-arrow';
import { argumentError, checkLabelsArgument, checkTableArgument } from '../util/arguments.js';

/**
 * The per-row output table: the id column as it came in (or `row`, the 0-based row number, when
 * the input has none), `segment_id`, the `extra` columns (segment_name, ...), and `distance`
 * (Euclidean, to the assigned centre, in the clustering space).
 */
export function assignmentsTable(
  input: Table,
  idColumn: string | undefined,
  labels: Int32Array,
  sqDistances: Float32Array,
  extra: Record<string, Vector> = {},
  distances?: Float32Array,
  rowNumbering = { first: 0, total: labels.length },
): Table {
  checkTableArgument(input, 'input');
  checkLabelsArgument(labels, 'labels', input.numRows, 2 ** 31 - 1);
  if (!(sqDistances instanceof Float32Array) || sqDistances.length !== input.numRows)
    throw argumentError('sqDistances', `a Float32Array of ${input.numRows} values`, sqDistances);
  return ownAssignmentsTable(input, idColumn, labels, sqDistances, extra, distances, rowNumbering);
}

/**
 * assignmentsTable for labels and distances gpuseg computed itself (a fit's, a split's): the
 * same table without the argument checks, whose scan of every label is a full pass over the rows
 * (tens of milliseconds at 10M) to find what the assignment cannot have produced.
 */
export function ownAssignmentsTable(
  input: Table,
  idColumn: string | undefined,
  labels: Int32Array,
  sqDistances: Float32Array,
  extra: Record<string, Vector> = {},
  distances?: Float32Array,
  rowNumbering = { first: 0, total: labels.length },
): Table {
  let distance = distances;
  if (!distance) {
    distance = new Float32Array(sqDistances.length);
    for (let i = 0; i < distance.length; i++) distance[i] = Math.sqrt(sqDistances[i]);
  }
  const columns: Record<string, Vector> = {};
  if (idColumn !== undefined) columns[idColumn] = input.getChild(idColumn)!;
  else columns.row = rowNumbers(rowNumbering.first, labels.length, rowNumbering.total);
  columns.segment_id = makeVector({ type: new Int32(), data: labels });
  Object.assign(columns, extra);
  columns.distance = makeVector({ type: new Float32(), data: distance as Float32Array });
  return new Table(columns);
}

/**
 * The per-row output of a Gaussian mixture: the id (or row), `segment_id` (the most probable
 * component), the `extra` columns, `probability` (of that component) and, when given, one column
 * `p_0 … p_{k−1}` per component.
 */
export function mixtureTable(
  input: Table,
  idColumn: string | undefined,
  labels: Int32Array,
  probability: Float32Array,
  probabilities: Float32Array | undefined,
  k: number,
  extra: Record<string, Vector> = {},
  rowNumbering = { first: 0, total: labels.length },
): Table {
  const n = labels.length;
  const columns: Record<string, Vector> = {};
  if (idColumn !== undefined) columns[idColumn] = input.getChild(idColumn)!;
  else columns.row = rowNumbers(rowNumbering.first, n, rowNumbering.total);
  columns.segment_id = makeVector({ type: new Int32(), data: labels });
  Object.assign(columns, extra);
  columns.probability = makeVector({ type: new Float32(), data: probability });
  if (probabilities)
    for (let c = 0; c < k; c++)
      columns[`p_${c}`] = makeVector({
        type: new Float32(),
        data: probabilities.slice(c * n, (c + 1) * n),
      });
  return new Table(columns);
}

/** The `row` column of inputs without an id: 0-based row numbers (Int64 for tables past 2^31 rows). */
export function rowNumbers(first: number, n: number, total: number): Vector {
  // Plain loops: Array.from with a mapping function calls it per row (seconds at 10M rows).
  if (total <= 2 ** 31) {
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = first + i;
    return makeVector(rows);
  }
  const rows = new BigInt64Array(n);
  for (let i = 0; i < n; i++) rows[i] = BigInt(first + i);
  return makeVector(rows);
}
