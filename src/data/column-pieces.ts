import { DataType, Precision, type Data, type Table } from 'apache-arrow';
import { InputError } from '../errors.js';
import { chunkToFloat64 } from './to-matrix.js';

/** Typed arrays whose elements are a numeric column's values as they are. */
export type NumericValues =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** Rows converted to float64 at a time where a chunk cannot be read as it is. */
const CONVERTED_PIECE_ROWS = 1 << 18;

/**
 * Visits a numeric column piece by piece, in row order: `visit(values, start)` with `start` the
 * row of values[0]. Chunks of float32, float64 or integers of up to 32 bits without nulls are
 * handed over as Arrow's own buffer (no copy: read-only, the caller's memory); other chunks
 * (nulls, 64-bit integers, decimals, float16, booleans) are converted to float64, nulls as NaN,
 * CONVERTED_PIECE_ROWS rows at a time into one reused buffer, valid during the call only.
 */
export function forEachColumnPiece(
  table: Table,
  name: string,
  visit: (values: NumericValues, start: number) => void,
): void {
  const vector = table.getChild(name);
  if (!vector) throw new InputError(`column '${name}' is not in the input`);
  let start = 0;
  let converted: Float64Array | undefined;
  for (const chunk of vector.data) {
    const direct = directValues(chunk);
    if (direct) visit(direct, start);
    else {
      for (let at = 0; at < chunk.length; at += CONVERTED_PIECE_ROWS) {
        const n = Math.min(CONVERTED_PIECE_ROWS, chunk.length - at);
        converted ??= new Float64Array(Math.min(CONVERTED_PIECE_ROWS, chunk.length));
        if (converted.length < n) converted = new Float64Array(n);
        visit(chunkToFloat64(chunk.slice(at, n), name, converted), start + at);
      }
    }
    start += chunk.length;
  }
}

/** The chunk's values as a typed array over Arrow's buffer, where they can be read as they are. */
export function directValues(chunk: Data): NumericValues | undefined {
  return readsDirectly(chunk)
    ? (chunk.values as NumericValues).subarray(0, chunk.length)
    : undefined;
}

/**
 * Whether `chunk.values[i]` is row i's value as it is: float32/64 or integers of up to 32 bits,
 * without nulls.
 */
export function readsDirectly(chunk: Data): boolean {
  const type = chunk.type as DataType;
  if (chunk.nullCount > 0 && chunk.nullBitmap && chunk.nullBitmap.length > 0) return false;
  const plainFloat = DataType.isFloat(type) && type.precision !== Precision.HALF;
  const smallInt = DataType.isInt(type) && type.bitWidth <= 32;
  return plainFloat || smallInt;
}
