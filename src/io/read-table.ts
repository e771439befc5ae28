import { statSync } from 'node:fs';
import { tableFromIPC, type Table } from 'apache-arrow';
import { InputError } from '../errors.js';
import { readCsv } from './csv-read.js';
import { sniffInputFormat, type TableFormat } from './format.js';
import { checkArrowInWorker, parquetToIpcInWorker, readShared } from './guarded-decode.js';

/** Reads a whole table from an Arrow IPC file or stream, a Parquet file or a CSV file. */
export async function readTable(path: string): Promise<Table> {
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
  const format = sniffInputFormat(path);
  if (format === 'csv') return readCsv(path);
  return decodeBinary(path, format, readShared(path));
}

/** Arrow and Parquet bytes are decoded behind a worker's deadline first (see guarded-decode.ts). */
async function decodeBinary(path: string, format: TableFormat, bytes: Uint8Array): Promise<Table> {
  try {
    if (format === 'parquet') return tableFromIPC(await parquetToIpcInWorker(bytes));
    await checkArrowInWorker(bytes);
    const table = tableFromIPC(bytes);
    if (table.schema.fields.length === 0) throw new Error('no columns in the schema');
    return table;
  } catch (error) {
    const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`'${path}' is not a readable ${what} file: ${reason.split('\n')[0]}`, { cause: error });
  }
}
