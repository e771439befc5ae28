import { tableToIPC, type Table } from 'apache-arrow';
import { writeFileAtomic } from '../util/atomic-write.js';
import { csvChunks, csvDelimiter, csvFilePieces } from './csv-write.js';
import { outputFormat } from './format.js';
import { tableToParquet } from './parquet-io.js';

/** Writes a table atomically in the format its extension names (.arrow, .arrows, .parquet, .csv, .csv.gz). */
export function writeTable(path: string, table: Table, flag = '--output'): void {
  const format = outputFormat(path, flag);
  switch (format) {
    case 'arrow-file':
      return writeFileAtomic(path, [tableToIPC(table, 'file')]);
    case 'arrow-stream':
      return writeFileAtomic(path, [tableToIPC(table, 'stream')]);
    case 'parquet':
      return writeFileAtomic(path, [tableToParquet(table)]);
    case 'csv':
      return writeFileAtomic(path, csvFilePieces(path, csvChunks(table, csvDelimiter(path))));
  }
}
