import type { Table } from 'apache-arrow';
import { InputError, UsageError } from '../errors.js';
import { checkArrowTable } from '../data/arrow-peer.js';
import type { ThousandsSeparator } from '../data/column-types.js';
import { readTable } from '../io/read-table.js';
import type { DataMatrix, MatrixAllocator } from '../data/matrix.js';
import { resolveRoles, type ColumnRoles, type RoleRequest } from '../data/schema.js';
import { MAX_ABS_FEATURE, rejectProblems, tableToMatrix } from '../data/to-matrix.js';
import { describeValue, isTableLike } from '../util/arguments.js';

/** An input as the API takes it: an apache-arrow Table, or a path to a file gpuseg reads. */
export type TableInput = Table | string;

/**
 * Reads a path (a Table is taken as it is). The id column is named so that a CSV reader keeps it
 * exact; `thousands` is the CSV's thousands separator ('none' or undefined: none).
 */
export async function loadInput(
  input: TableInput,
  read: { id?: string; thousands?: ThousandsSeparator | 'none' } = {},
): Promise<Table> {
  checkTableInput(input);
  if (typeof input !== 'string') return input;
  const thousands = read.thousands === 'none' ? undefined : read.thousands;
  return readTable(input, { id: read.id, thousands });
}

/**
 * The feature matrix of a table, validated: zero rows, non-finite values and (unless they will be
 * imputed) missing values are errors. Missing values stay NaN for the imputation step.
 */
export function featureMatrix(
  table: Table,
  request: RoleRequest,
  options: {
    allowMissing?: boolean;
    firstRow?: number;
    allocate?: MatrixAllocator;
  } = {},
): { roles: ColumnRoles; matrix: DataMatrix } {
  const roles = resolveRoles(table, request);
  if (table.numRows === 0) throw new InputError('the input has zero rows');
  const { matrix, problems: local } = tableToMatrix(table, roles.features, options.allocate);
  // A chunk of a larger file (out-of-core fits) reports rows by their number in the whole file.
  const shift = (row: number): number => (row >= 0 ? row + (options.firstRow ?? 0) : row);
  const problems = local.map((p) => ({
    ...p,
    firstMissingRow: shift(p.firstMissingRow),
    firstInfiniteRow: shift(p.firstInfiniteRow),
    firstOverflowRow: shift(p.firstOverflowRow),
    maxAbsRow: shift(p.maxAbsRow),
  }));
  rejectProblems(options.allowMissing ? problems.map((p) => ({ ...p, missing: 0 })) : problems);
  for (const p of problems) {
    if (p.maxAbs > MAX_ABS_FEATURE) {
      throw new InputError(
        `column '${p.column}' has a value of ${p.maxAbs.toExponential(3)} in magnitude at row ${p.maxAbsRow}, too large for float32 distances (limit ±1e18); rescale it`,
      );
    }
  }
  return { roles, matrix };
}

/**
 * Throws a UsageError naming `input` unless it is a file path or an apache-arrow Table, and an
 * EnvironmentError for a Table of an apache-arrow other than gpuseg's (data/arrow-peer.ts).
 */
export function checkTableInput(input: unknown): void {
  if (typeof input === 'string') return;
  // Anything else is an argument of the wrong type, said as such rather than a TypeError from
  // deep inside; a Table of another apache-arrow copy is named as that.
  if (!isTableLike(input))
    throw new UsageError(
      `input must be an apache-arrow Table or a file path, got ${describeValue(input)}`,
    );
  checkArrowTable(input);
}
