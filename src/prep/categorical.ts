import type { Table } from 'apache-arrow';
import { MAX_CATEGORIES } from '../data/categorical-detect.js';
import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import { InputError } from '../errors.js';

/**
 * One-hot encoding of the --categorical columns, fitted once and stored in the model so that
 * predict encodes new rows exactly as the fit did.
 *
 * Honest weights: each indicator column of a categorical column with category shares p_1 … p_L is
 * scaled by w = 1/√(1 − Σ p_l²). Two random rows differ in that column with probability
 * 1 − Σ p_l² (the Gini impurity), and then their squared distance over its indicators is 2w²;
 * so the column's expected squared distance between two random rows is 2(1 − Σ p_l²)·w² = 2,
 * which is exactly a standardised numeric feature's (E(z_i − z_j)² = 2·var = 2). A two-category
 * column encoded so is at the same pairwise distances as its 0/1 column standardised: it counts
 * as much as one standardised feature, however many categories it has. A column with a single
 * category is weighted 1 (it adds nothing to any distance).
 *
 * Missing cells (null) are a category of their own, MISSING_CATEGORY. A category that the fit
 * did not see is an error at predict (InputError naming the column, the value and its row):
 * an all-zero code would put such rows between every segment, silently.
 */
export interface CategoricalColumnEncoding {
  name: string;
  /** Categories as text, in order: numerically when every category is a number, else by code unit. */
  categories: string[];
  /** Scale of each indicator column: 1/√(1 − Σ p²) of the fit's shares. */
  weight: number;
}

export interface CategoricalEncoding {
  columns: CategoricalColumnEncoding[];
}

/** How a missing cell's category is written. */
export const MISSING_CATEGORY = '(missing)';

/** The text of a cell as a category key (numbers as JavaScript writes them: 1.0 is '1'). */
export function categoryKey(value: unknown): string {
  if (value === null || value === undefined) return MISSING_CATEGORY;
  return typeof value === 'string' ? value : String(value);
}

export function orderCategories(keys: string[]): string[] {
  const numeric = keys.every((k) => k !== MISSING_CATEGORY && k.trim() !== '' && !isNaN(+k));
  const missingLast = (a: string, b: string): number =>
    a === MISSING_CATEGORY ? 1 : b === MISSING_CATEGORY ? -1 : 0;
  return [...keys].sort((a, b) =>
    numeric ? +a - +b : missingLast(a, b) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

/** Fits the categories and weights of each column from the rows of `table`. */
export function fitCategoricalEncoding(
  table: Table,
  names: readonly string[],
): CategoricalEncoding {
  const n = table.numRows;
  const columns = names.map((name) => {
    const column = table.getChild(name);
    if (!column)
      throw new InputError((opt) => `${opt('categorical')}: column '${name}' is not in the input`);
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = categoryKey(column.get(i));
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (counts.size > MAX_CATEGORIES)
        throw new InputError(
          (opt) =>
            `${opt('categorical')}: column '${name}' has more than ${MAX_CATEGORIES} distinct values; one-hot encoding takes at most ${MAX_CATEGORIES} (group rare values first, or leave the column out)`,
        );
    }
    const categories = orderCategories([...counts.keys()]);
    let gini = 1;
    for (const c of categories) gini -= (counts.get(c)! / n) ** 2;
    return { name, categories, weight: gini > 1e-12 ? 1 / Math.sqrt(gini) : 1 };
  });
  return { columns };
}

/** The category index of every row, one Int32Array per column; an unseen category is an InputError. */
export function categoryCodes(table: Table, encoding: CategoricalEncoding): Int32Array[] {
  return encoding.columns.map(({ name, categories }) => {
    const column = table.getChild(name);
    if (!column) throw new InputError(`the input lacks the model's categorical column '${name}'`);
    const index = new Map(categories.map((c, l) => [c, l]));
    const codes = new Int32Array(table.numRows);
    for (let i = 0; i < codes.length; i++) {
      const key = categoryKey(column.get(i));
      const l = index.get(key);
      if (l === undefined)
        throw new InputError(
          `column '${name}' has category '${key}' at row ${i}, which the model was not fitted with (it knows ${categories.map((c) => `'${c}'`).join(', ')}); refit with rows of that category`,
        );
      codes[i] = l;
    }
    return codes;
  });
}

/** Indicator columns in all: Σ categories. */
export function encodedWidth(encoding: CategoricalEncoding): number {
  return encoding.columns.reduce((s, c) => s + c.categories.length, 0);
}

/** Names of the indicator columns: `column=category`. */
export function encodedNames(encoding: CategoricalEncoding): string[] {
  return encoding.columns.flatMap((c) => c.categories.map((v) => `${c.name}=${v}`));
}

/**
 * `matrix`'s columns, each times `numericScale`, followed by the indicator columns of `codes`:
 * an indicator is `indicator(column)` where the row has the category, else 0.
 */
export function appendIndicators(
  matrix: DataMatrix,
  codes: readonly Int32Array[],
  encoding: CategoricalEncoding,
  indicator: (column: CategoricalColumnEncoding) => number,
  numericScale = 1,
): DataMatrix {
  const n = matrix.rows;
  const out = allocateMatrix(n, [...matrix.features, ...encodedNames(encoding)]);
  if (numericScale === 1) out.data.set(matrix.data.subarray(0, n * matrix.dims));
  else for (let i = 0; i < n * matrix.dims; i++) out.data[i] = matrix.data[i] * numericScale;
  let at = matrix.dims;
  encoding.columns.forEach((c, j) => {
    const value = indicator(c);
    const block = out.data.subarray(at * n, (at + c.categories.length) * n).fill(0);
    const rows = codes[j];
    for (let i = 0; i < n; i++) block[rows[i] * n + i] = value;
    at += c.categories.length;
  });
  return out;
}

/** The one-hot columns of k-means (and mini-batch): weighted to count as one standardised feature. */
export function appendOneHot(
  matrix: DataMatrix,
  codes: readonly Int32Array[],
  encoding: CategoricalEncoding,
): DataMatrix {
  return appendIndicators(matrix, codes, encoding, (c) => c.weight);
}
