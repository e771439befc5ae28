import type { Table } from 'apache-arrow';
import type { DataMatrix } from '../data/matrix.js';
import { UsageError } from '../errors.js';

/**
 * Checks of the arguments of exported functions, at the public entry (scikit-learn's rule: the
 * API validates once, inner code assumes valid input). JavaScript callers get no help from the
 * types, so an argument of the wrong type is a UsageError naming the argument ('labels must be
 * an Int32Array, got a number (5)'), never a TypeError from deep inside or a meaningless number.
 */

/** What a wrong argument was, for an error message: 'an array', 'null', 'a number (5)', … */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object')
    return `an object (${Object.keys(value).slice(0, 3).join(', ') || 'empty'})`;
  if (typeof value === 'string') return `the string '${value}'`;
  return `${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}${typeof value === 'number' || typeof value === 'boolean' ? ` (${String(value)})` : ''}`;
}

/**
 * Whether `value` looks like an apache-arrow Table. Duck-typed, so that a Table of another
 * apache-arrow copy passes.
 */
export function isTableLike(value: unknown): value is Table {
  const t = value as Partial<Table> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.getChild === 'function' &&
    typeof t.numRows === 'number' &&
    typeof t.schema?.fields === 'object'
  );
}

/** The UsageError for argument `name`, which should have been `expected`. */
export function argumentError(name: string, expected: string, value: unknown): UsageError {
  return new UsageError(`${name} must be ${expected}, got ${describeValue(value)}`);
}

/** `value` is a plain object (an options bag, a result): not null, not an array. */
export function checkObjectArgument(value: unknown, name: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw argumentError(name, 'an object', value);
}

/** An options bag that may be left out. */
export function checkOptionsArgument(value: unknown, name = 'options'): void {
  if (value !== undefined) checkObjectArgument(value, name);
}

export function checkStringArgument(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0)
    throw argumentError(name, 'a non-empty string', value);
}

export function checkIntegerArgument(
  value: unknown,
  name: string,
  min: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw argumentError(name, `an integer ≥ ${min}`, value);
}

/** An apache-arrow Table. */
export function checkTableArgument(value: unknown, name: string): asserts value is Table {
  if (!isTableLike(value)) throw argumentError(name, 'an apache-arrow Table', value);
}

/** A feature matrix as `fit` returns it (`result.data.matrix`): rows × dims float32, column-major. */
export function checkMatrixArgument(value: unknown, name: string): asserts value is DataMatrix {
  const m = value as Partial<DataMatrix> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    !(m.data instanceof Float32Array) ||
    !Number.isInteger(m.rows) ||
    !Number.isInteger(m.dims) ||
    m.data.length < m.rows! * m.dims!
  )
    throw argumentError(
      name,
      "a feature matrix ({ rows, dims, data: Float32Array }, as fit's result.data.matrix)",
      value,
    );
}

/** Labels of `rows` rows, each in 0..k-1. */
export function checkLabelsArgument(
  value: unknown,
  name: string,
  rows: number,
  k: number,
): asserts value is Int32Array {
  if (!(value instanceof Int32Array)) throw argumentError(name, 'an Int32Array', value);
  if (value.length !== rows)
    throw new UsageError(`${name} has ${value.length} labels for ${rows} rows`);
  for (let i = 0; i < value.length; i++)
    if (value[i] < 0 || value[i] >= k)
      throw new UsageError(`${name}[${i}] is ${value[i]}, not a segment in 0..${k - 1}`);
}

/** A function argument (a callback). */
export function checkFunctionArgument(value: unknown, name: string): void {
  if (typeof value !== 'function') throw argumentError(name, 'a function', value);
}

/** An array argument whose items `check` accepts. */
export function checkArrayArgument(
  value: unknown,
  name: string,
  check: (item: unknown, name: string) => void,
): asserts value is unknown[] {
  if (!Array.isArray(value)) throw argumentError(name, 'an array', value);
  value.forEach((item, i) => check(item, `${name}[${i}]`));
}

/**
 * Whether `text` is a calendar date written YYYY-MM-DD: the pattern alone lets '2024-02-30' and
 * '2024-13-45' through, which a history store would keep as a period that never was.
 */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}
