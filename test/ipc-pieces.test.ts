import {
  Dictionary,
  Float64,
  Int32,
  Table,
  Utf8,
  makeVector,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { expect, test } from 'vitest';
import { ipcPieces } from '../src/io/ipc-pieces.js';

/**
 * The pieces written one after the other are tableToIPC's bytes exactly, for files and streams,
 * tables of several record batches, nulls, strings and dictionary columns: only the joining copy
 * is saved. And the pieces are views of the table's column buffers, not copies.
 */
test('Arrow IPC pieces are tableToIPC byte for byte', () => {
  const a = tableFromArrays({
    id: Int32Array.from({ length: 1000 }, (_v, i) => i * 7),
    x: Float64Array.from({ length: 1000 }, (_v, i) => Math.sin(i)),
  });
  const withNulls = new Table({
    s: vectorFromArray(['a', null, 'ccc', 'dd'], new Utf8()),
    d: vectorFromArray(['u', 'v', 'u', null], new Dictionary(new Utf8(), new Int32())),
    f: vectorFromArray([1.5, null, 3, 4], new Float64()),
  });
  const batches = new Table([...a.batches, ...a.slice(10, 500).batches, ...a.batches]);
  for (const table of [a, withNulls, batches])
    for (const format of ['file', 'stream'] as const) {
      const bytes = new Uint8Array(Buffer.concat(ipcPieces(table, format)));
      expect(bytes).toEqual(tableToIPC(table, format));
      expect(tableFromIPC(bytes).numRows).toBe(table.numRows);
    }
  const values = new Int32Array(4096).map((_v, i) => i);
  const pieces = ipcPieces(new Table({ v: makeVector(values) }), 'file');
  expect(pieces.some((p) => p.buffer === values.buffer)).toBe(true);
});
