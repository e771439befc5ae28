import type { Table } from 'apache-arrow';
import { excludedNotice, type ThousandsSeparator } from '../data/column-types.js';
import type { DataMatrix } from '../data/matrix.js';
import type { ColumnRoles } from '../data/schema.js';
import { UsageError } from '../errors.js';
import { loadColumnStatsKernel } from '../prep/column-stats-kernel.js';
import {
  fitPreprocessing,
  type PrepOptions,
  type PrepReport,
  type Preprocessing,
} from '../prep/preprocess.js';
import { featureMatrix, loadInput, type TableInput } from './input.js';
import { COMMON_PARAMETERS, PREP_PARAMETERS, checkParameter, parameter } from './parameters.js';

/** Options every clustering entry point shares: column roles and preprocessing. */
export interface DataOptions extends PrepOptions {
  /** Columns to cluster (default: every numeric column but the id and the profile columns). */
  features?: string[];
  /** The id column carried into the output (default: guessed, else the row number). */
  id?: string;
  /** Columns left out of the clustering on purpose and brought back in the profiles. */
  profile?: string[];
  /** Thousands separator of the numbers in a CSV input (default 'none'). */
  thousands?: ThousandsSeparator | 'none';
}

export interface PreparedData {
  table: Table;
  roles: ColumnRoles;
  /** The clustering space: preprocessed features (or principal components), float32. */
  matrix: DataMatrix;
  prep: Preprocessing;
  report: PrepReport;
}

const DATA_SPECS = [...COMMON_PARAMETERS, ...PREP_PARAMETERS];

function check<T>(name: string, value: unknown): T | undefined {
  return value === undefined
    ? undefined
    : (checkParameter(parameter(DATA_SPECS, name), value) as T);
}

/** Validates the data options once, at the public entry. */
export function checkDataOptions(o: DataOptions): DataOptions {
  return {
    features: check<string[]>('features', o.features),
    id: check<string>('id', o.id),
    profile: check<string[]>('profile', o.profile),
    impute: check<PrepOptions['impute']>('impute', o.impute),
    imputeValue: check<number>('imputeValue', o.imputeValue),
    log: check<string[]>('log', o.log),
    clip: check<PrepOptions['clip']>('clip', o.clip),
    clipFactor: check<number>('clipFactor', o.clipFactor),
    scale: check<PrepOptions['scale']>('scale', o.scale),
    pca: check<number>('pca', o.pca),
    thousands: check<DataOptions['thousands']>('thousands', o.thousands),
  };
}

/** Reads the input, resolves column roles, builds the float32 matrix and fits the preprocessing. */
export async function prepareData(input: TableInput, options: DataOptions): Promise<PreparedData> {
  const o = checkDataOptions(options);
  // Column statistics in WebAssembly from here on (the same bits as without, sooner).
  const [table] = await Promise.all([
    loadInput(input, { id: o.id, thousands: o.thousands }),
    loadColumnStatsKernel(),
  ]);
  const impute = o.impute ?? 'none';
  const { roles, matrix } = featureMatrix(
    table,
    { id: o.id, features: o.features, profile: o.profile },
    { allowMissing: impute !== 'none' },
  );
  if (o.pca !== undefined && o.pca >= 1 && o.pca > matrix.dims)
    throw new UsageError(
      `--pca: ${o.pca} components asked, but there are only ${matrix.dims} features`,
    );
  const { prep, matrix: clustering, report } = fitPreprocessing(matrix, o);
  return { table, roles, matrix: clustering, prep, report };
}

/** One notice per numeric-looking text column left out of the default features. */
export function excludedNotices(roles: ColumnRoles): string[] {
  return (roles.excluded ?? []).map(excludedNotice);
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
