import type { Message } from '../errors.js';
import { DataType, Type, type Field } from 'apache-arrow';

/** How a column can take part in clustering, decided once per Arrow type. */
export type ColumnKind = 'numeric' | 'boolean' | 'other';

export function columnKind(type: DataType): ColumnKind {
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type)) return 'numeric';
  if (DataType.isBool(type)) return 'boolean';
  return 'other';
}

/**
 * A readable name of an Arrow type, with advice where the type is a common mistake; with `name`
 * (which names options), the advice to leave the column out of the features.
 */
export function describeNonNumeric(field: Field, name?: (option: string) => string): string {
  const leaveOut = name ? `leave it out of ${name('features')}` : undefined;
  const type = field.type;
  if (DataType.isDate(type) || DataType.isTimestamp(type)) {
    return `column '${field.name}' is a date (${String(type)}), not a number; convert it first (for example to days since a reference date)`;
  }
  if (DataType.isDictionary(type)) {
    return `column '${field.name}' is categorical (${String(type)}), not numeric; encode it as numbers first${leaveOut ? ` or ${leaveOut}` : ''}`;
  }
  if (type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8) {
    return `column '${field.name}' is text, not numeric${leaveOut ? `; ${leaveOut}` : ''}`;
  }
  if (
    DataType.isList(type) ||
    DataType.isStruct(type) ||
    DataType.isMap(type) ||
    DataType.isFixedSizeList(type)
  ) {
    return `column '${field.name}' is nested (${String(type)}); only flat numeric columns can be features`;
  }
  return `column '${field.name}' has type ${String(type)}, not numeric${leaveOut ? `; ${leaveOut}` : ''}`;
}

/** Cells read as missing in text inputs (CSV), besides the empty cell. */
export const NULL_TOKENS: ReadonlySet<string> = new Set([
  '',
  'NA',
  'N/A',
  '#N/A',
  'null',
  'NULL',
  'None',
  '-',
]);

/** Thousands separators a text input may be read with ('space' also takes U+00A0 and U+202F). */
export type ThousandsSeparator = ',' | '.' | 'space';

/** How numbers are written in a text input. */
export interface NumberFormat {
  /** '1,5' is 1.5 (never together with thousands ','). */
  decimalComma: boolean;
  thousands?: ThousandsSeparator;
}

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA_PATTERN = /^[+-]?\d+,\d+$/;
const LEADING_ZERO_PATTERN = /^[+-]?0\d/;
const GROUPED: Record<ThousandsSeparator, RegExp> = {
  ',': /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/,
  '.': /^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$/,
  space: /^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d*)?$/,
};
const COMMA_DECIMALS = /^[+-]?\d+(,\d+)?([eE][+-]?\d+)?$/;

/**
 * The number a trimmed, non-missing text cell holds, or undefined when it is not one. Numbers
 * with a leading zero ('00123') are codes, not quantities; NaN and Infinity parse as such.
 */
export function parseNumberCell(cell: string, format: NumberFormat): number | undefined {
  if (LEADING_ZERO_PATTERN.test(cell) && !/^[+-]?0[.,]/.test(cell)) return undefined;
  const t = format.thousands;
  if (t !== undefined && GROUPED[t].test(cell)) {
    const plain =
      t === '.'
        ? cell.replaceAll('.', '')
        : t === ','
          ? cell.replaceAll(',', '')
          : cell.replace(/[ \u00a0\u202f]/g, '');
    return Number(plain.replace(',', '.'));
  }
  if (t === '.') {
    // '.' groups thousands, so ',' is the decimal mark and a '.' outside a grouping is no number.
    if (COMMA_DECIMALS.test(cell)) return Number(cell.replace(',', '.'));
  } else {
    if (NUMBER_PATTERN.test(cell)) return Number(cell);
    if (format.decimalComma && t !== ',' && DECIMAL_COMMA_PATTERN.test(cell))
      return Number(cell.replace(',', '.'));
  }
  if (/^[+-]?(nan|NaN|NAN)$/.test(cell)) return Number.NaN;
  if (/^[+-]?(inf|Inf|INF|infinity|Infinity)$/.test(cell))
    return cell.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/** Why a numeric-looking text cell is not read as a number (for excluded_columns). */
export type NotNumericReason = 'not a number' | 'thousands separator' | 'leading zero';

export function whyNotNumeric(cell: string): NotNumericReason {
  if (LEADING_ZERO_PATTERN.test(cell)) return 'leading zero';
  if (Object.values(GROUPED).some((p) => p.test(cell))) return 'thousands separator';
  return 'not a number';
}

/**
 * A column left out of the default features although most of its cells are numbers: the first
 * cell that is not one, by its 0-based row, and why.
 */
export interface ExcludedColumn {
  column: string;
  reason: NotNumericReason;
  row: number;
  value: string;
}

/** Field metadata key under which the CSV reader records why a column became text. */
export const TEXT_REASON_KEY = 'gpuseg.text_reason';

/**
 * The notice for a column left out of the default features. `row` is 0-based (as in --json); the
 * text counts data rows from 1, as every other message does (data row 1 = the first after a header).
 */
export function excludedNotice(e: ExcludedColumn): Message {
  return (opt) =>
    `column '${e.column}' is left out of the features: it looks numeric but data row ${e.row + 1} has '${e.value}' (${e.reason}); ${notNumericAdvice(e.reason, opt)}`;
}

/** What to do about a cell that keeps a column from being numeric, by why it is not a number. */
export function notNumericAdvice(
  reason: NotNumericReason,
  opt: (option: string) => string,
): string {
  return reason === 'thousands separator'
    ? `give ${opt('thousands')} (, . or space)`
    : reason === 'leading zero'
      ? `a leading zero makes a code; name the column in ${opt('features')} only if it is a quantity`
      : `fix the value or mark it missing (empty, NA, ${'-'} or #N/A)`;
}
