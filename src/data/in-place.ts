import { DataType, Precision, type Table } from 'apache-arrow';
import { inputKernelMemory } from './input-memory.js';
import type { DataMatrix } from './matrix.js';

/**
 * The feature columns of a table as the matrix itself, without a copy, where their layout allows:
 * every feature float32 chunks without nulls, the chunks back to back in row order and the
 * features back to back in their order, in one shared input memory — as an Arrow IPC file of one
 * record batch lays a batch's columns out (when 4·N is a multiple of the writer's alignment), and
 * as a file of many batches is read when its float32 columns are read scattered (io/shared-read.ts).
 * The matrix is then column-major already, at the byte offset of the first feature's first value
 * (the kernels take a matrix anywhere in their memory), and the input memory grows by the per-row
 * regions the CPU kernels use, after the file's bytes (data/input-memory.ts). Undefined when the
 * layout does not allow it; the caller copies then. The matrix is `borrowed`: the table's memory,
 * which nothing in gpuseg writes to, so a caller's table is used in place as safely as one gpuseg
 * read for the call.
 */
export function inPlaceMatrix(table: Table, features: readonly string[]): DataMatrix | undefined {
  const rows = table.numRows;
  const dims = features.length;
  if (rows === 0 || dims === 0) return undefined;
  let base: Float32Array | undefined;
  for (const [j, name] of features.entries()) {
    const chunks = table.getChild(name)?.data;
    if (!chunks) return undefined;
    let row = 0;
    for (const chunk of chunks) {
      const type = chunk.type as DataType;
      if (!DataType.isFloat(type) || type.precision !== Precision.SINGLE) return undefined;
      if (chunk.nullCount > 0 && chunk.nullBitmap && chunk.nullBitmap.length > 0) return undefined;
      const values = chunk.values as Float32Array;
      base ??= values;
      if (values.buffer !== base.buffer) return undefined;
      if (values.byteOffset !== base.byteOffset + (j * rows + row) * 4) return undefined;
      row += chunk.length;
    }
    if (row !== rows) return undefined;
  }
  const buffer = base!.buffer;
  if (!(buffer instanceof SharedArrayBuffer)) return undefined;
  const kernelMemory = inputKernelMemory(buffer, rows);
  if (!kernelMemory) return undefined;
  const data = new Float32Array(buffer, base!.byteOffset, rows * dims);
  return { rows, dims, features, data, kernelMemory, borrowed: true };
}
