import type { Table } from 'apache-arrow';

/**
 * CSV text of a table, produced in pieces of about a megabyte so that large outputs never sit in
 * one string. Numbers are written with JavaScript's shortest round-trip form; nulls as empty cells.
 */
export function* csvChunks(table: Table, delimiter = ',', header = true): Generator<string> {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((name) => table.getChild(name)!);
  if (header) yield names.map((n) => quote(n, delimiter)).join(delimiter) + '\n';
  let buffer = '';
  for (let i = 0; i < table.numRows; i++) {
    let line = '';
    for (let j = 0; j < columns.length; j++) {
      if (j > 0) line += delimiter;
      line += formatCell(columns[j].get(i), delimiter);
    }
    buffer += line + '\n';
    if (buffer.length > 1 << 20) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}

function formatCell(value: unknown, delimiter: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return quote(String(value), delimiter);
}

function quote(text: string, delimiter: string): string {
  if (
    text.includes(delimiter) ||
    text.includes('"') ||
    text.includes('\n') ||
    text.includes('\r')
  ) {
    return '"' + text.replaceAll('"', '""') + '"';
  }
  return text;
}
