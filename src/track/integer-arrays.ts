/**
 * Typed arrays of integers. Two of one kind hold equal values exactly where their bytes are equal
 * (no NaN, no −0), so ids in them are compared with one memcmp instead of element by element.
 */
export type IntegerArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

const INTEGER_ARRAYS = [
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
];

export function isIntegerArray(v: unknown): v is IntegerArray {
  return INTEGER_ARRAYS.some((T) => v instanceof T);
}

/** Whether a and b are integer arrays of the same kind. */
export function sameIntegerKind(a: unknown, b: unknown): a is IntegerArray {
  return INTEGER_ARRAYS.some((T) => a instanceof T && b instanceof T);
}

/** The bytes of a typed array, without a copy. */
export function bytesOf(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
