import type { Table } from 'apache-arrow';
import { UsageError } from '../errors.js';
import { detectCategorical, type CategoricalColumn } from './categorical-detect.js';

export type { CategoricalColumn } from './categorical-detect.js';

/**
 * The categorical side of the column roles: the columns named in --categorical (checked: known,
 * listed once, not the id, not a --features or --profile column) and the categorical columns that
 * the default features leave out (detectCategorical's rule), for the notice.
 */
export function resolveCategorical(
  table: Table,
  request: { features?: string[]; profile?: string[]; categorical?: string[] },
  id: string | undefined,
  requireColumn: (name: string, flag: string) => void,
): { names: string[]; leftOut: CategoricalColumn[] } {
  const names = request.categorical ?? [];
  const seen = new Set<string>();
  for (const name of names) {
    requireColumn(name, 'categorical');
    if (seen.has(name))
      throw new UsageError((opt) => `${opt('categorical')}: column '${name}' is listed twice`);
    seen.add(name);
    if (name === id)
      throw new UsageError(
        (opt) =>
          `${opt('categorical')}: '${name}' is the id column; leave it out or pick another ${opt('id')}`,
      );
    if (request.profile?.includes(name))
      throw new UsageError(
        (opt) =>
          `${opt('categorical')}: '${name}' is also a ${opt('profile')} column; a column is either clustered or profile-only`,
      );
    if (request.features?.includes(name))
      throw new UsageError(
        (opt) =>
          `${opt('categorical')}: '${name}' is also in ${opt('features')}; a column is clustered either as a number or as categories`,
      );
  }
  const leftOut: CategoricalColumn[] = [];
  if (!request.features?.length) {
    for (const field of table.schema.fields) {
      if (field.name === id || seen.has(field.name) || request.profile?.includes(field.name))
        continue;
      const c = detectCategorical(table, field);
      if (c) leftOut.push(c);
    }
  }
  return { names: [...names], leftOut };
}
