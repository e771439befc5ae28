import { Type, type Field, type Table } from 'apache-arrow';
import { InputError, UsageError } from '../errors.js';
import {
  columnKind,
  describeNonNumeric,
  notNumericAdvice,
  NULL_TOKENS,
  parseNumberCell,
  TEXT_REASON_KEY,
  whyNotNumeric,
  type ExcludedColumn,
} from './column-types.js';
import { resolveCategorical, type CategoricalColumn } from './categorical-roles.js';

/** Which column identifies a row, which are clustered, which only come back in profiles. */
export interface ColumnRoles {
  /** Carried into the outputs; undefined when the table has none (a row number is used instead). */
  id: string | undefined;
  features: string[];
  profile: string[];
  /** Text columns that look numeric, left out of the default features (none when features are named). */
  excluded?: ExcludedColumn[];
  /** Columns clustered as categories (--categorical), in the order given. */
  categorical?: string[];
  /** Categorical columns left out of the default features (none when features are named). */
  categoricalLeftOut?: CategoricalColumn[];
}

export interface RoleRequest {
  id?: string;
  features?: string[];
  profile?: string[];
  categorical?: string[];
}

/** Column names tried, in order, when no --id is given (compared case-insensitively without _ or spaces). */
const ID_GUESSES = ['customerid', 'customer', 'clientid', 'userid', 'id'];

function canonical(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

export function guessIdColumn(table: Table): string | undefined {
  return guessIdName(table.schema.fields.map((f) => f.name));
}

/** The id column guessed from column names alone (readers use it before there is a table). */
export function guessIdName(names: readonly string[]): string | undefined {
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
  const requireColumn = (name: string, option: string): void => {
    if (!fields.has(name)) {
      throw new UsageError(
        (opt) =>
          `${opt(option)}: unknown column '${name}'; the input has ${known.map((n) => `'${n}'`).join(', ')}`,
      );
    }
  };
  if (request.id !== undefined) requireColumn(request.id, 'id');
  const id = request.id ?? guessIdColumn(table);
  const profile = request.profile ?? [];
  for (const name of profile) {
    requireColumn(name, 'profile');
    const field = fields.get(name)!;
    if (columnKind(field.type) === 'other')
      throw new InputError(
        (opt) => `${opt('profile')}: ${describeNonNumeric(field)}; profiles take numeric columns`,
      );
  }

  const categorical = resolveCategorical(table, request, id, requireColumn);
  let features: string[];
  const excluded: ExcludedColumn[] = [];
  if (request.features && request.features.length > 0) {
    const seen = new Set<string>();
    for (const name of request.features) {
      requireColumn(name, 'features');
      if (seen.has(name))
        throw new UsageError((opt) => `${opt('features')}: column '${name}' is listed twice`);
      seen.add(name);
      const field = fields.get(name)!;
      if (columnKind(field.type) === 'other') {
        // Asked for by name: say which cell kept it from being numeric, as the notice does when
        // the column is left out of the defaults (data row 1 = the first row after a header).
        const cell = numericLookingText(table, field);
        throw new InputError((opt) =>
          cell
            ? `${opt('features')}: column '${name}' is not numeric: data row ${cell.row + 1} has '${cell.value}' (${cell.reason}); ${notNumericAdvice(cell.reason, opt)}`
            : describeNonNumeric(field, opt),
        );
      }
      if (name === id)
        throw new UsageError(
          (opt) =>
            `${opt('features')}: '${name}' is the id column; leave it out or pick another ${opt('id')}`,
        );
    }
    features = [...request.features];
  } else {
    for (const f of table.schema.fields) {
      if (f.name === id || profile.includes(f.name)) continue;
      const e = numericLookingText(table, f);
      if (e) excluded.push(e);
    }
    const left = new Set([...excluded.map((e) => e.column), ...categorical.names]);
    categorical.leftOut = categorical.leftOut.filter((c) => !left.has(c.column));
    const codes = new Set(categorical.leftOut.map((c) => c.column));
    features = table.schema.fields
      .filter(
        (f) =>
          f.name !== id &&
          !profile.includes(f.name) &&
          !categorical.names.includes(f.name) &&
          !codes.has(f.name) &&
          columnKind(f.type) === 'numeric',
      )
      .map((f) => f.name);
    if (features.length === 0) {
      throw new InputError(
        (opt) =>
          `the input has no numeric columns to cluster (columns: ${known.join(', ')}); name them with ${opt('features')}`,
      );
    }
  }
  const overlap = features.filter((f) => profile.includes(f));
  if (overlap.length > 0)
    throw new UsageError(
      (opt) =>
        `${opt('profile')}: '${overlap[0]}' is also a feature; a column is either clustered or profile-only`,
    );
  return {
    id,
    features,
    profile,
    excluded,
    categorical: categorical.names,
    categoricalLeftOut: categorical.leftOut,
  };
}

/** Cells looked at, at most, to decide that a text column without a reader's record is not numeric. */
const TEXT_SAMPLE = 1000;

/**
 * A text column whose cells are mostly numbers: its first cell that is not one. The CSV reader
 * records that as it reads (exactly, with its number format); other text columns are scanned
 * with the plain rules.
 */
function numericLookingText(table: Table, field: Field): ExcludedColumn | undefined {
  if (field.type.typeId !== Type.Utf8 && field.type.typeId !== Type.LargeUtf8) return undefined;
  const recorded = field.metadata.get(TEXT_REASON_KEY);
  let first: { row: number; value: string } | undefined;
  let numbers = 0;
  let others = 0;
  if (recorded !== undefined) {
    const r = JSON.parse(recorded) as {
      row: number;
      value: string;
      numbers: number;
      others: number;
    };
    first = { row: r.row, value: r.value };
    numbers = r.numbers;
    others = r.others;
  } else {
    const column = table.getChild(field.name)!;
    for (let i = 0; i < column.length; i++) {
      const value = column.get(i) as string | null;
      if (value === null) continue;
      const cell = value.trim();
      if (NULL_TOKENS.has(cell)) continue;
      if (parseNumberCell(cell, { decimalComma: false }) !== undefined) numbers++;
      else {
        others++;
        first ??= { row: i, value: cell };
      }
      if (numbers + others >= TEXT_SAMPLE && (first !== undefined || numbers <= others)) break;
    }
  }
  if (first === undefined || numbers <= others) return undefined;
  return { column: field.name, reason: whyNotNumeric(first.value), ...first };
}
