import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataType, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import type * as ParquetWasm from 'parquet-wasm/esm';

/**
 * Parquet through parquet-wasm (Rust's parquet crate compiled to WebAssembly). Its `node` build in
 * 0.7.x is CommonJS inside an ESM package and fails to load, so the ESM build is initialised here
 * from the .wasm file, once, on first use; the module itself is loaded then too (require of ESM,
 * Node ≥ 20.19), so that importing gpuseg loads no parquet-wasm (issue 15). Tables cross between parquet-wasm's Arrow and
 * apache-arrow as an IPC stream (one copy).
 */
let loaded: typeof ParquetWasm | undefined;

/** parquet-wasm's module, loaded and initialised. */
export function parquetWasm(): typeof ParquetWasm {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const wasm = require('parquet-wasm/esm') as typeof ParquetWasm;
    const wasmPath = require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
    wasm.initSync({ module: readFileSync(wasmPath) });
    loaded = wasm;
  }
  return loaded;
}

/**
 * How a table is laid out in Parquet. `default`: parquet-wasm's defaults (dictionary pages for
 * every column, page statistics, no compression). `fast`: for large per-customer tables written
 * every period (the history store's customers.parquet), the settings that write fastest for its
 * column types, measured at 2M rows: no dictionary except for columns that are dictionaries in
 * Arrow already (segment_name; dictionary-encoding 10M distinct floats and ids builds a dictionary
 * only to abandon it), int32 columns DELTA_BINARY_PACKED (keys, pending counts and sequential ids
 * pack to a few bits a value, as fast as PLAIN), floats PLAIN, no compression and no statistics
 * (min/max per chunk cost more than the encoding itself in parquet-wasm, and Snappy another
 * quarter: together the write took 2–3× as long for a file 20% smaller). Every Parquet reader
 * (DuckDB, pyarrow, Spark ≥ 3.3, warehouses' loaders) reads these encodings.
 */
export type ParquetLayout = 'default' | 'fast';

export function tableToParquet(table: Table, layout: ParquetLayout = 'default'): Uint8Array {
  const pq = parquetWasm();
  let properties: ParquetWasm.WriterProperties | undefined;
  if (layout === 'fast') {
    let builder = new pq.WriterPropertiesBuilder()
      .setCompression(pq.Compression.UNCOMPRESSED)
      .setDictionaryEnabled(false)
      .setStatisticsEnabled(pq.EnabledStatistics.None);
    for (const f of table.schema.fields)
      if (DataType.isDictionary(f.type)) builder = builder.setColumnDictionaryEnabled(f.name, true);
      else if (DataType.isInt(f.type) && f.type.bitWidth === 32)
        builder = builder.setColumnEncoding(f.name, pq.Encoding.DELTA_BINARY_PACKED);
    properties = builder.build();
  }
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream')), properties);
}

/**
 * A Parquet file's bytes as an apache-arrow Table. `batchRows`: rows per record batch (the reader's
 * default is 1024, which turns 10M rows into ~10,000 chunks a column: every later `toArray` then
 * concatenates them, and the IPC hand-over alone took longer than decoding).
 */
export function parquetToTable(bytes: Uint8Array, batchRows?: number): Table {
  const wasmTable = parquetWasm().readParquet(bytes, batchRows ? { batchSize: batchRows } : null);
  try {
    return tableFromIPC(wasmTable.intoIPCStream());
  } finally {
    try {
      wasmTable.free();
    } catch {
      // intoIPCStream consumed it already
    }
  }
}
