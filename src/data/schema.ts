import type { Table } from 'apache-arrow';
import { InputError, UsageError } from '../errors.js';
import { columnKind, describeNonNumeric } from './column-types.js';

/** Which column identifies a row, which are clustered, which only come back in profiles. */
export interface ColumnRoles {
  /** Carried into the outputs; undefined when the table has none (a row number is used instead). */
  id: string | undefined;
  features: string[];
  profile: string[];
}

export interface RoleRequest {
  id?: string;
  features?: string[];
  profile?: string[];
}

/** Column names tried, in order, when no --id is given (compared case-insensitively without _ or spaces). */
const ID_GUESSES = ['customerid', 'customer', 'clientid', 'userid', 'id'];

function canonical(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

export function guessIdColumn(table: Table): string | undefined {
  const names = table.schema.fields.map((f) => f.name);
  for (const guess of ID_GUESSES) {
    const hit = names.find((n) => canonical(n) === guess);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Resolves the roles of the columns. Defaults: the id column is --id or a column named like
 * CustomerID/id; the features are every numeric column but the id and the profile columns.
 * Validation happens here, once: unknown names, non-numeric features, overlaps.
 */
export function resolveRoles(table: Table, request: RoleRequest): ColumnRoles {
  const fields = new Map(table.schema.fields.map((f) => [f.name, f]));
  const known = [...fields.keys()];
  const requireColumn = (name: string, flag: string): void => {
    if (!fields.has(name)) {
      throw new UsageError(
        `${flag}: unknown column '${name}'; the input has ${known.map((n) => `'${n}'`).join(', ')}`,
      );
    }
  };
  if (request.id !== undefined) requireColumn(request.id, '--id');
  const id = request.id ?? guessIdColumn(table);
  const profile = request.profile ?? [];
  for (const name of profile) {
    requireColumn(name, '--profile');
    const field = fields.get(name)!;
    if (columnKind(field.type) === 'other')
      throw new InputError(
        `--profile: ${describeNonNumeric(field).replace(/; leave it out of --features$/, '')}; profiles take numeric columns`,
      );
  }

  let features: string[];
  if (request.features && request.features.length > 0) {
    const seen = new Set<string>();
    for (const name of request.features) {
      requireColumn(name, '--features');
      if (seen.has(name)) throw new UsageError(`--features: column '${name}' is listed twice`);
      seen.add(name);
      const field = fields.get(name)!;
      if (columnKind(field.type) === 'other') throw new InputError(describeNonNumeric(field));
      if (name === id)
        throw new UsageError(
          `--features: '${name}' is the id column; leave it out or pick another --id`,
        );
    }
    features = [...request.features];
  } else {
    features = table.schema.fields
      .filter((f) => f.name !== id && !profile.includes(f.name) && columnKind(f.type) === 'numeric')
      .map((f) => f.name);
    if (features.length === 0) {
      throw new InputError(
        `the input has no numeric columns to cluster (columns: ${known.join(', ')}); name them with --features`,
      );
    }
  }
  const overlap = features.filter((f) => profile.includes(f));
  if (overlap.length > 0)
    throw new UsageError(
      `--profile: '${overlap[0]}' is also a feature; a column is either clustered or profile-only`,
    );
  return { id, features, profile };
}
