import type { Table } from 'apache-arrow';
import type { Subject } from '../errors.js';
import { writeFileAtomic, type OutputSet } from '../util/atomic-write.js';
import { csvChunks, csvDelimiter, csvFilePieces } from './csv-write.js';
import { outputFormat } from './format.js';
import { ipcPieces } from './ipc-pieces.js';
import { tableToParquet } from './parquet-io.js';
import { checkStringArgument, checkTableArgument } from '../util/arguments.js';

/**
 * Writes a table atomically in the format its extension names (.arrow, .arrows, .parquet, .csv,
 * .csv.gz). With `into`, the file is renamed into place at that set's commit, with the others.
 */
export function writeTable(
  path: string,
  table: Table,
  flag: Subject = { option: 'output' },
  into?: OutputSet,
): void {
  checkStringArgument(path, 'path');
  checkTableArgument(table, 'table');
  const format = outputFormat(path, flag);
  switch (format) {
    case 'arrow-file':
      return writeFileAtomic(path, ipcPieces(table, 'file'), into);
    case 'arrow-stream':
      return writeFileAtomic(path, ipcPieces(table, 'stream'), into);
    case 'parquet':
      return writeFileAtomic(path, [tableToParquet(table)], into);
    case 'csv':
      return writeFileAtomic(path, csvFilePieces(path, csvChunks(table, csvDelimiter(path))), into);
  }
}
