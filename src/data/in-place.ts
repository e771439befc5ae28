import { DataType, Precision, type Table } from 'apache-arrow';
import { inputKernelMemory, relocateInput } from './input-memory.js';
import type { DataMatrix } from './matrix.js';

/**
 * The feature columns of a table as the matrix itself, without a copy, where their layout allows:
 * every feature one float32 chunk without nulls, the chunks back to back in the features' order in
 * one shared input memory (as an Arrow IPC file of one record batch lays a batch's columns out,
 * when 4·N is a multiple of the writer's alignment). The matrix is then column-major already, and
 * the input memory grows by the per-row regions the CPU kernels use (data/input-memory.ts).
 * Undefined when the layout does not allow it; the caller copies then. The matrix is `borrowed`:
 * the table's memory, which nothing in gpuseg writes to. `relocate`: the table is gpuseg's own
 * (read for this call), whose bytes may move to where the kernels want them (relocateInput).
 */
export function inPlaceMatrix(
  table: Table,
  features: readonly string[],
  relocate = false,
): DataMatrix | undefined {
  const rows = table.numRows;
  const dims = features.length;
  if (rows === 0 || dims === 0) return undefined;
  let base: Float32Array | undefined;
  for (const [j, name] of features.entries()) {
    const chunks = table.getChild(name)?.data;
    if (!chunks || chunks.length !== 1) return undefined;
    const chunk = chunks[0];
    const type = chunk.type as DataType;
    if (!DataType.isFloat(type) || type.precision !== Precision.SINGLE) return undefined;
    if (chunk.nullCount > 0 && chunk.nullBitmap && chunk.nullBitmap.length > 0) return undefined;
    const values = chunk.values as Float32Array;
    base ??= values;
    if (values.buffer !== base.buffer) return undefined;
    if (values.byteOffset !== base.byteOffset + j * rows * 4) return undefined;
  }
  let buffer = base!.buffer;
  if (!(buffer instanceof SharedArrayBuffer)) return undefined;
  // The SIMD kernels address a matrix from offset 0 of its memory: a file's columns come after
  // its header, so the table gpuseg read itself is moved down there first (one memmove).
  if (base!.byteOffset !== 0) {
    const moved = relocate ? relocateInput(table.batches, buffer, base!.byteOffset) : undefined;
    if (!moved) return undefined;
    buffer = moved;
  }
  const kernelMemory = inputKernelMemory(buffer, rows);
  if (!kernelMemory) return undefined;
  const data = new Float32Array(buffer, 0, rows * dims);
  return { rows, dims, features, data, kernelMemory, borrowed: true };
}
