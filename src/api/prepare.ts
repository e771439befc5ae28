import type { Message } from '../errors.js';
import type { Table } from 'apache-arrow';
import { excludedNotice } from '../data/column-types.js';
import type { DataMatrix } from '../data/matrix.js';
import type { ColumnRoles } from '../data/schema.js';
import { InputError, UsageError } from '../errors.js';
import { statSync } from 'node:fs';
import { loadColumnStatsKernel } from '../prep/column-stats-kernel.js';
import {
  applyPreprocessing,
  fitPreprocessing,
  type PrepReport,
  type Preprocessing,
} from '../prep/preprocess.js';
import { featureMatrix, loadInput, type TableInput } from './input.js';
import { categoricalNotices, encodeCategorical, type CategoricalData } from './categorical-data.js';
import {
  COMMON_PARAMETERS,
  PREP_PARAMETERS,
  parameter,
  resolveParameters,
  type ParameterOptions,
  type ResolvedParameters,
} from './parameters.js';

/** The column roles and the preprocessing: every clustering entry point takes them. */
const DATA_PARAMETERS = [
  parameter(COMMON_PARAMETERS, 'features'),
  parameter(COMMON_PARAMETERS, 'id'),
  parameter(COMMON_PARAMETERS, 'profile'),
  parameter(COMMON_PARAMETERS, 'thousands'),
  ...PREP_PARAMETERS,
] as const;

/**
 * Options every clustering entry point shares, typed from the parameter table: `features`
 * (default: every numeric column but the id and the profile columns), `id` (default: guessed, else
 * the row number), `thousands` (the thousands separator of a CSV input), `profile` (columns left out of the clustering on purpose and brought back in the
 * profiles), and the preprocessing (`impute`, `imputeValue`, `log`, `clip`, `clipFactor`, `scale`,
 * `pca`).
 */
export type DataOptions = ParameterOptions<typeof DATA_PARAMETERS>;

export interface PreparedData extends CategoricalData {
  table: Table;
  roles: ColumnRoles;
  /** The clustering space: preprocessed features (or principal components), float32. */
  matrix: DataMatrix;
  prep: Preprocessing;
  report: PrepReport;
}

/** Validates the data options once, at the public entry, and fills in their defaults. */
export function checkDataOptions(o: DataOptions): ResolvedParameters<typeof DATA_PARAMETERS> {
  return resolveParameters(DATA_PARAMETERS, o);
}

/** Bytes of input from which the column helper thread pays for itself (data/column-share.ts). */
const HELPER_MIN_BYTES = 16 << 20;

/** Whether an input is large enough to start the column helper thread with the file's read. */
function largeInput(input: TableInput): boolean {
  if (typeof input !== 'string') {
    // Not yet checked (loadInput names a wrong argument): anything but a table counts as small.
    const table = input as Partial<Pick<Table, 'numRows' | 'numCols'>> | null | undefined;
    const values = (table?.numRows ?? 0) * (table?.numCols ?? 0);
    return Number.isFinite(values) && values * 4 >= HELPER_MIN_BYTES;
  }
  try {
    return statSync(input).size >= HELPER_MIN_BYTES;
  } catch {
    return false; // loadInput names the path that cannot be read
  }
}

/** Reads the input, resolves column roles, builds the float32 matrix and fits the preprocessing. */
export async function prepareData(
  input: TableInput,
  options: DataOptions,
  frozen?: Preprocessing,
): Promise<PreparedData> {
  const o = checkDataOptions(options);
  // Column statistics in WebAssembly from here on (the same bits as without, sooner). The kernel's
  // loading first: it starts the column helper thread before the input's (synchronous) read.
  const [, table] = await Promise.all([
    loadColumnStatsKernel(largeInput(input)),
    loadInput(input, { id: o.id, thousands: o.thousands }),
  ]);
  const { roles, matrix } = featureMatrix(
    table,
    { id: o.id, features: o.features, profile: o.profile, categorical: o.categorical },
    { allowMissing: o.impute !== 'none' },
  );
  if (o.pca !== undefined && o.pca >= 1 && o.pca > matrix.dims)
    throw new UsageError(
      (opt) =>
        `${opt('pca')}: ${o.pca} components asked, but there are only ${matrix.dims} features`,
    );
  if (frozen) {
    // A saved preprocessing (--history's later periods): applied as it is, not refitted.
    const given = roles.features.join(', ');
    if (given !== frozen.features.join(', '))
      throw new InputError(
        `features (${given}) differ from the frozen preprocessing's (${frozen.features.join(', ')}); use the same features or refit the preprocessing`,
      );
    const report = { correlated: [], imputed: [], clipped: [] };
    const prepared = applyPreprocessing(frozen, matrix);
    return {
      table,
      roles,
      prep: frozen,
      report,
      ...encodeCategorical(table, roles, prepared, true),
    };
  }
  const { prep, matrix: clustering, report } = fitPreprocessing(matrix, o);
  return { table, roles, prep, report, ...encodeCategorical(table, roles, clustering, false) };
}

/** One notice per numeric-looking text column left out of the default features. */
export function excludedNotices(roles: ColumnRoles): Message[] {
  return [...(roles.excluded ?? []).map(excludedNotice), ...categoricalNotices(roles)];
}

/** One-line notices about the preprocessing, for the CLI and `stats.notices`. */
export function prepNotices(report: PrepReport): string[] {
  return [
    ...report.imputed.map(
      (r) =>
        `imputed ${r.count} missing value${r.count === 1 ? '' : 's'} of '${r.column}' with ${Number(r.value.toPrecision(6))}`,
    ),
    ...report.correlated.map(
      (c) =>
        `features '${c.a}' and '${c.b}' are near-duplicates (r = ${c.r.toFixed(3)}); consider dropping one`,
    ),
  ];
}
