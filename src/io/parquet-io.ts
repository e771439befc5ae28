import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
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

export function tableToParquet(table: Table): Uint8Array {
  const pq = parquetWasm();
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream')));
}

/** A Parquet file's bytes as an apache-arrow Table. */
export function parquetToTable(bytes: Uint8Array): Table {
  const wasmTable = parquetWasm().readParquet(bytes);
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
