import type { Message } from '../errors.js';
import type { Table } from 'apache-arrow';
import { categoricalNotice, MAX_CATEGORIES } from '../data/categorical-detect.js';
import type { DataMatrix } from '../data/matrix.js';
import type { ColumnRoles } from '../data/schema.js';
import { UsageError } from '../errors.js';
import {
  appendOneHot,
  categoryCodes,
  fitCategoricalEncoding,
  type CategoricalEncoding,
} from '../prep/categorical.js';

/** The categorical part of the prepared data (prep/categorical.ts says how it is encoded). */
export interface CategoricalData {
  /**
   * The clustering space, float32: the preprocessed features (or principal components), then,
   * with --categorical, the weighted one-hot columns.
   */
  matrix: DataMatrix;
  /** --categorical's fitted encoding; undefined without categorical columns. */
  encoding: CategoricalEncoding | undefined;
  /** The category index of every row, one array per categorical column (encoding's order). */
  codes: Int32Array[];
  /** Columns of `matrix` that come from the preprocessing (the one-hot columns follow). */
  numericDims: number;
}

/** Fits the encoding of the --categorical columns and appends their weighted one-hot columns. */
export function encodeCategorical(
  table: Table,
  roles: ColumnRoles,
  numeric: DataMatrix,
  frozenPreprocessing: boolean,
): CategoricalData {
  const names = roles.categorical ?? [];
  if (names.length === 0)
    return { matrix: numeric, encoding: undefined, codes: [], numericDims: numeric.dims };
  if (frozenPreprocessing)
    throw new UsageError(
      (opt) =>
        `${opt('categorical')}: not available with ${opt('history')} (its later periods reuse a saved preprocessing, which has no categories yet); leave out ${opt('categorical')} or ${opt('history')}`,
    );
  const encoding = fitCategoricalEncoding(table, names);
  const codes = categoryCodes(table, encoding);
  return {
    matrix: appendOneHot(numeric, codes, encoding),
    encoding,
    codes,
    numericDims: numeric.dims,
  };
}

/** One notice per categorical column left out of the default features. */
export function categoricalNotices(roles: ColumnRoles): Message[] {
  return (roles.categoricalLeftOut ?? []).map(categoricalNotice);
}

/**
 * Out-of-core fits and scoring read the file chunk by chunk and have no categorical encoding yet:
 * --categorical, k-prototypes and models with categories are refused there, not ignored.
 */
export function rejectCategoricalOutOfCore(
  algorithm: string,
  categorical: readonly string[] | undefined,
): void {
  if (algorithm === 'kprototypes' || (categorical?.length ?? 0) > 0)
    throw new UsageError(
      (opt) =>
        `${opt('outOfCore')}: categorical columns (${algorithm === 'kprototypes' ? `${opt('algorithm')} kprototypes` : `${opt('categorical')} ${categorical!.join(',')}`}) need the data in memory; leave out ${opt('outOfCore')}`,
    );
}

/**
 * The categorical columns profiled by their category shares: the clustered ones (role 'feature')
 * and those left out of the default features (role 'profile'), but not those with too many values.
 */
export function categoricalProfileColumns(
  roles: ColumnRoles,
): { name: string; role: 'feature' | 'profile' }[] {
  return [
    ...(roles.categorical ?? []).map((name) => ({ name, role: 'feature' as const })),
    ...(roles.categoricalLeftOut ?? [])
      .filter((c) => c.distinct <= MAX_CATEGORIES)
      .map((c) => ({ name: c.column, role: 'profile' as const })),
  ];
}
