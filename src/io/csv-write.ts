import type { Table } from 'apache-arrow';
import { gzipSync } from 'node:zlib';

/** Whether a CSV output is gzipped (`.csv.gz`, `.tsv.gz`, `.txt.gz`). */
export function isGzipPath(path: string): boolean {
  return /\.gz$/i.test(path);
}

/** The delimiter of a CSV output: a tab for `.tsv` (gzipped or not), else a comma. */
export function csvDelimiter(path: string): string {
  return /\.tsv(\.gz)?$/i.test(path) ? '\t' : ',';
}

/**
 * Pieces of CSV text as written to `path`: as they are, or each one a gzip member when the path
 * ends in `.gz` (a file of several members is one gzip file to gzip, zcat, Node, Python and
 * DuckDB; each piece being about a megabyte, the ratio is that of one member).
 */
export function* csvFilePieces(
  path: string,
  pieces: Iterable<string>,
): Generator<string | Uint8Array> {
  if (!isGzipPath(path)) return yield* pieces;
  for (const piece of pieces) yield gzipSync(Buffer.from(piece, 'utf8'));
}

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
