import type { Message } from '../errors.js';
import { DataType, Type, type Field, type Table } from 'apache-arrow';

/**
 * Which columns are categorical: left out of the default features (clustering a code as a
 * magnitude puts Region 3 'further' from Region 1 than Region 2 is), named in a notice, and
 * available to `--categorical` (one-hot) and k-prototypes. The rule, in order:
 *   1. text (Utf8), dictionary-encoded and boolean columns are categorical;
 *   2. a numeric column is categorical when its name has a code word (CODE_WORDS, matched as a
 *      whole word of the name: `Channel`, `store_type`, `RegionCode`), every value is a whole
 *      number, and it has at most MAX_CODE_VALUES distinct values. Both are needed: `Kidhome`
 *      (0–2) is a count, and a `Region` column of 40 distinct values is more than a handful of codes.
 * A column named in --features is clustered as it is asked, whatever this rule says.
 */
export const MAX_CODE_VALUES = 12;

/** Whole words of a column name that say its numbers are codes, not quantities. */
export const CODE_WORDS: ReadonlySet<string> = new Set([
  'channel',
  'region',
  'country',
  'state',
  'city',
  'zone',
  'area',
  'territory',
  'store',
  'branch',
  'gender',
  'sex',
  'segment',
  'category',
  'class',
  'group',
  'tier',
  'type',
  'kind',
  'status',
  'code',
  'level',
  'grade',
  'plan',
  'education',
  'marital',
]);

/** Why a column is categorical, for the notice. */
export interface CategoricalColumn {
  column: string;
  kind: 'text' | 'dictionary' | 'boolean' | 'integer code';
  /** Distinct non-null values, counted up to MAX_CATEGORIES + 1. */
  distinct: number;
  /** integer code: the code word found in the name. */
  word?: string;
}

/** Most categories a column may have to be one-hot encoded (more would be an identifier, or free text). */
export const MAX_CATEGORIES = 64;

/** The words of a column name: split at non-letters and at lower→upper case changes, lower-cased. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Whether (and why) a column is categorical by the rule above; undefined when it is not. */
export function detectCategorical(table: Table, field: Field): CategoricalColumn | undefined {
  const type = field.type as DataType;
  const count = (limit: number): number => countDistinct(table, field.name, limit);
  if (DataType.isDictionary(type))
    return { column: field.name, kind: 'dictionary', distinct: count(MAX_CATEGORIES + 1) };
  if (type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8)
    return { column: field.name, kind: 'text', distinct: count(MAX_CATEGORIES + 1) };
  if (DataType.isBool(type)) return { column: field.name, kind: 'boolean', distinct: count(3) };
  if (!(DataType.isInt(type) || DataType.isFloat(type))) return undefined;
  const word = nameWords(field.name).find((w) => CODE_WORDS.has(w));
  if (word === undefined) return undefined;
  const distinct = countWholeDistinct(table, field.name, MAX_CODE_VALUES + 1);
  // (No values, no codes: an out-of-core fit resolves its roles from the schema alone, and keeps
  // such columns among its default features as before.)
  if (distinct === undefined || distinct === 0 || distinct > MAX_CODE_VALUES) return undefined;
  return { column: field.name, kind: 'integer code', distinct, word };
}

/** Distinct non-null values of a column, counting stops at `limit`. */
function countDistinct(table: Table, name: string, limit: number): number {
  const column = table.getChild(name)!;
  const seen = new Set<unknown>();
  for (let i = 0; i < column.length && seen.size < limit; i++) {
    const v: unknown = column.get(i);
    if (v !== null && v !== undefined) seen.add(v);
  }
  return seen.size;
}

/** Distinct values of a numeric column when all are whole numbers (else undefined), stopping at `limit`. */
function countWholeDistinct(table: Table, name: string, limit: number): number | undefined {
  const column = table.getChild(name)!;
  const seen = new Set<number>();
  for (let i = 0; i < column.length; i++) {
    const raw: unknown = column.get(i);
    if (raw === null || raw === undefined) continue;
    const v = Number(raw);
    if (!Number.isInteger(v)) return undefined;
    seen.add(v);
    if (seen.size >= limit) return seen.size;
  }
  return seen.size;
}

/** The notice for a column left out of the default features as categorical. */
export function categoricalNotice(c: CategoricalColumn): Message {
  const many = c.distinct > MAX_CATEGORIES;
  const what =
    c.kind === 'integer code'
      ? `whole numbers with ${c.distinct} distinct values and '${c.word}' in its name, so codes rather than quantities`
      : `${c.kind === 'boolean' ? 'true/false' : c.kind} with ${many ? `more than ${MAX_CATEGORIES}` : c.distinct} distinct values`;
  const advice = (opt: (option: string) => string): string =>
    many
      ? 'too many categories to encode (an identifier or free text?)'
      : `give ${opt('categorical')} ${c.column} to cluster on it (one-hot, or ${opt('algorithm')} kprototypes)${c.kind === 'integer code' ? `, or ${opt('features')} to cluster it as a number` : ''}`;
  return (opt) =>
    `column '${c.column}' is left out of the default features as categorical: ${what}; ${advice(opt)}`;
}
