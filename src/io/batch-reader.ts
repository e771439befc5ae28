import { open } from 'node:fs/promises';
import {
  RecordBatchReader,
  Table,
  tableFromIPC,
  type RecordBatch,
  type Schema,
} from 'apache-arrow';
import { InputError, outOfMemory, UsageError, type GpusegError } from '../errors.js';
import { inspectInputFile, type TableFormat } from './format.js';
import {
  checkArrowFileInWorker,
  parquetLayoutInWorker,
  parquetRowGroupInWorker,
} from './guarded-decode.js';

/**
 * A table file read a piece at a time, as many times as a caller asks: Arrow IPC files and streams
 * record batch by record batch, Parquet row group by row group. Consecutive pieces are joined (never
 * split) into chunks of at least `chunkRows` rows, so a file of many small batches still reaches the
 * backends in sizes that keep them busy. Only one chunk (and the one being decoded) is in memory.
 */
export interface ChunkSource {
  readonly path: string;
  readonly format: TableFormat;
  readonly schema: Schema;
  /** Rows in the file (Parquet's metadata; for Arrow, counted by the scan that checks the file). */
  readonly rows: number;
  /** One pass over the file: chunks in file order with the row number of their first row. */
  chunks(): AsyncGenerator<{ table: Table; firstRow: number }>;
}

export async function openChunkSource(path: string, chunkRows: number): Promise<ChunkSource> {
  const { size, format } = inspectInputFile(path);
  if (format === 'csv') {
    throw new UsageError(
      (opt) =>
        `${opt('outOfCore')} reads Arrow IPC or Parquet files, and '${path}' is CSV; convert it once (e.g. duckdb -c "COPY (FROM '${path}') TO 'x.parquet'")`,
    );
  }
  try {
    return format === 'parquet'
      ? await parquetSource(path, chunkRows, size)
      : await arrowSource(path, format, chunkRows, size);
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error;
    throw unreadable(path, format, error);
  }
}

/** The file is at fault, unless memory ran out while decoding it. */
function unreadable(path: string, format: TableFormat, error: unknown): GpusegError {
  const memory = outOfMemory(error);
  if (memory) return memory;
  const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
  const reason = error instanceof Error ? error.message : String(error);
  return new InputError(`'${path}' is not a readable ${what} file: ${reason.split('\n')[0]}`, {
    cause: error,
  });
}

/** Joins pieces into chunks of ≥ chunkRows rows (the last one may be shorter). */
async function* regroup(
  pieces: AsyncIterable<RecordBatch>,
  chunkRows: number,
  path: string,
  format: TableFormat,
): AsyncGenerator<{ table: Table; firstRow: number }> {
  let pending: RecordBatch[] = [];
  let pendingRows = 0;
  let firstRow = 0;
  const iterator = pieces[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw unreadable(path, format, error);
    }
    if (next.done) break;
    if (next.value.numRows === 0) continue;
    pending.push(next.value);
    pendingRows += next.value.numRows;
    if (pendingRows >= chunkRows) {
      yield { table: new Table(pending), firstRow };
      firstRow += pendingRows;
      pending = [];
      pendingRows = 0;
    }
  }
  if (pendingRows > 0) yield { table: new Table(pending), firstRow };
}

async function arrowSource(
  path: string,
  format: TableFormat,
  chunkRows: number,
  size: number,
): Promise<ChunkSource> {
  const { rows } = await checkArrowFileInWorker(path, size);
  const schema = await withArrowReader(path, async (reader) => reader.schema);
  if (!schema || schema.fields.length === 0)
    throw new InputError(`'${path}' is not a readable Arrow IPC file: no columns in the schema`);
  return {
    path,
    format,
    schema,
    rows,
    chunks: () => arrowChunks(path, format, chunkRows),
  };
}

async function* arrowChunks(
  path: string,
  format: TableFormat,
  chunkRows: number,
): AsyncGenerator<{ table: Table; firstRow: number }> {
  const handle = await open(path);
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    yield* regroup(reader as AsyncIterable<RecordBatch>, chunkRows, path, format);
  } finally {
    await handle.close();
  }
}

async function withArrowReader<T>(
  path: string,
  use: (reader: RecordBatchReader) => Promise<T>,
): Promise<T> {
  const handle = await open(path);
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    return await use(reader);
  } finally {
    await handle.close();
  }
}

async function parquetSource(path: string, chunkRows: number, size: number): Promise<ChunkSource> {
  const { groups, rows } = await parquetLayoutInWorker(path, size);
  if (groups === 0) throw new InputError(`'${path}' has no row groups (zero rows)`);
  const first = tableFromIPC(await parquetRowGroupInWorker(path, 0, size));
  if (first.schema.fields.length === 0)
    throw new InputError(`'${path}' is not a readable Parquet file: no columns in the schema`);
  async function* rowGroups(): AsyncGenerator<RecordBatch> {
    for (let g = 0; g < groups; g++) {
      // Group 0 is read again rather than kept: a row group held for the whole fit is memory.
      const table = tableFromIPC(await parquetRowGroupInWorker(path, g, size));
      yield* table.batches;
    }
  }
  return {
    path,
    format: 'parquet',
    schema: first.schema,
    rows,
    chunks: () => regroup(rowGroups(), chunkRows, path, 'parquet'),
  };
}
