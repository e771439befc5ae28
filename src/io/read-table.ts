import { tableFromIPC, type Table } from 'apache-arrow';
import { InputError, outOfMemory } from '../errors.js';
import { readCsv, type CsvReadOptions } from './csv-read.js';
import { inspectInputFile, type TableFormat } from './format.js';
import { checkArrowInWorker, parquetToIpcInWorker, startDecodeWorker } from './guarded-decode.js';
import { readShared } from './shared-read.js';
import { scatteredTable } from './scattered-table.js';
import { checkOptionsArgument, checkStringArgument } from '../util/arguments.js';

/**
 * Reads a whole table from an Arrow IPC file or stream, a Parquet file or a CSV file. The options
 * concern text (CSV) only: typed files already say what each column is.
 */
export async function readTable(path: string, options: CsvReadOptions = {}): Promise<Table> {
  checkStringArgument(path, 'path');
  checkOptionsArgument(options);
  const { format } = inspectInputFile(path);
  if (format === 'csv') return readCsv(path, options);
  startDecodeWorker(); // starts now: the read waits for it only where it asks for the layout
  if (format === 'parquet') return decodeBinary(path, format, (await readShared(path)).bytes);
  const read = await readShared(path, true);
  const table = await decodeBinary(path, format, read.bytes);
  if (!read.scattered) return table;
  const { layout, region } = read.scattered;
  // apache-arrow's reading of the file must agree with the layout's; else it is read as it is.
  return (
    scatteredTable(table, read.bytes, layout, region) ??
    decodeBinary(path, format, (await readShared(path)).bytes)
  );
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
    const memory = outOfMemory(error); // not the file's fault
    if (memory) throw memory;
    const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`'${path}' is not a readable ${what} file: ${reason.split('\n')[0]}`, {
      cause: error,
    });
  }
}
