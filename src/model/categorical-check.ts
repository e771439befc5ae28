import type { CategoricalEncoding } from '../prep/categorical.js';

/**
 * Checks a model's categorical parts (model.ts's checkModel calls it): the encoding's columns,
 * categories and weights; for k-prototypes γ and the modes. Returns how many clustering columns
 * the encoding adds to each centre: its one-hot width for k-means, 0 for k-prototypes (whose
 * centres are the numeric means; the modes are apart).
 */
export function checkCategoricalModel(
  m: Record<string, unknown>,
  bad: (what: string) => never,
): number {
  if (m.categorical === undefined) {
    if (m.algorithm === 'kprototypes') bad('"categorical" is missing (k-prototypes needs it)');
    return 0;
  }
  if (m.algorithm === 'gmm') bad('"categorical" is not used by gmm models');
  const enc = m.categorical as CategoricalEncoding;
  if (
    typeof enc !== 'object' ||
    enc === null ||
    !Array.isArray(enc.columns) ||
    enc.columns.length === 0
  )
    bad('"categorical.columns" must be a non-empty list');
  let width = 0;
  for (const [j, c] of enc.columns.entries()) {
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string')
      bad(`"categorical.columns[${j}].name" must be a column name`);
    if (
      !Array.isArray(c.categories) ||
      c.categories.length === 0 ||
      !c.categories.every((v) => typeof v === 'string') ||
      new Set(c.categories).size !== c.categories.length
    )
      bad(`"categorical.columns[${j}].categories" must be distinct strings`);
    if (typeof c.weight !== 'number' || !Number.isFinite(c.weight) || !(c.weight > 0))
      bad(`"categorical.columns[${j}].weight" must be a positive number`);
    width += c.categories.length;
  }
  if (m.algorithm !== 'kprototypes') return width;
  if (typeof m.gamma !== 'number' || !Number.isFinite(m.gamma) || !(m.gamma > 0))
    bad('"gamma" must be a positive number');
  const k = m.k as number;
  const modes = m.modes;
  if (
    !Array.isArray(modes) ||
    modes.length !== k ||
    !modes.every(
      (row) =>
        Array.isArray(row) &&
        row.length === enc.columns.length &&
        row.every(
          (v, j) =>
            Number.isInteger(v) &&
            (v as number) >= 0 &&
            (v as number) < enc.columns[j].categories.length,
        ),
    )
  )
    bad(`"modes" must be k=${k} rows of one category index per categorical column`);
  return 0;
}
