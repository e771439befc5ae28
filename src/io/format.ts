import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InputError, subjectName, UsageError, type Subject } from '../errors.js';

/** The table formats gpuseg reads and writes. */
export type TableFormat = 'arrow-file' | 'arrow-stream' | 'parquet' | 'csv';

const BY_EXTENSION: ReadonlyArray<[RegExp, TableFormat]> = [
  [/\.(arrow|ipc|feather)$/i, 'arrow-file'],
  [/\.arrows$/i, 'arrow-stream'],
  [/\.(parquet|pq)$/i, 'parquet'],
  [/\.(csv|tsv|txt)(\.gz)?$/i, 'csv'],
];

/** The format an output path asks for, by its extension; a usage error names the flag otherwise. */
export function outputFormat(path: string, flag: Subject): TableFormat {
  for (const [pattern, format] of BY_EXTENSION) if (pattern.test(path)) return format;
  throw new UsageError(
    (opt) =>
      `${subjectName(flag, opt)} '${path}': unknown extension; use .arrow, .arrows, .parquet or .csv`,
  );
}

/**
 * The format of an input file: its leading bytes decide where they are conclusive (Arrow and
 * Parquet have magic numbers), else the extension, else CSV.
 */
export function sniffInputFormat(path: string): TableFormat {
  const head = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  let read = 0;
  try {
    read = readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  const bytes = head.subarray(0, read);
  if (bytes.subarray(0, 6).toString('latin1') === 'ARROW1') return 'arrow-file';
  if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (read >= 4 && bytes.readUInt32LE(0) === 0xffffffff) return 'arrow-stream';
  for (const [pattern, format] of BY_EXTENSION) {
    if (pattern.test(path))
      return format === 'arrow-file' && read >= 4 && bytes.readUInt32LE(0) !== 0
        ? 'arrow-stream'
        : format;
  }
  return 'csv';
}

/** An input file's size and format, or the InputError a user sees: missing, a folder, or empty. */
export function inspectInputFile(path: string): { size: number; format: TableFormat } {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new InputError(`'${path}' is a folder, not a table file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`input file not found: '${path}'`, { cause: error });
  }
  if (size === 0) throw new InputError(`'${path}' is empty (0 bytes)`);
  return { size, format: sniffInputFormat(path) };
}
