import { readSync } from 'node:fs';

/**
 * Where an Arrow IPC file (or stream) keeps its float32 columns' values, found from its messages'
 * metadata alone (a few hundred bytes a record batch, read before the body), so that the read
 * can put those values straight where a column-major matrix wants them (io/shared-read.ts): a
 * file of many record batches is then read in place too, without a copy of its columns.
 *
 * The metadata is untrusted bytes: it is read here by a minimal FlatBuffers reader of its own,
 * every offset checked against the bytes and every loop bounded by them, so that a corrupt file
 * can neither hang nor crash this thread; it answers undefined (read the file as it is) for
 * anything it does not expect. Whatever it says is checked again against apache-arrow's own
 * reading of the file (io/scattered-table.ts) before the values are used.
 */

/** One float32 column without nulls: the file range of its values in each record batch, in order. */
export interface Float32Column {
  /** Index of the column in the schema (top-level fields). */
  field: number;
  /** Per record batch: [byte offset in the file, rows]. */
  pieces: [number, number][];
}

export interface ArrowLayout {
  rows: number;
  columns: Float32Column[];
}

/** Message header types and the type ids of Schema.fbs this reader needs. */
const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;
const TYPE_FLOATING_POINT = 3;
const PRECISION_SINGLE = 1;
/** Buffers each flat type has in a record batch (validity first); others are not handled. */
const FLAT_BUFFERS: Record<number, number> = {
  1: 0, // Null
  2: 2, // Int
  3: 2, // FloatingPoint
  4: 3, // Binary
  5: 3, // Utf8
  6: 2, // Bool
  7: 2, // Decimal
  8: 2, // Date
  9: 2, // Time
  10: 2, // Timestamp
  11: 2, // Interval
  15: 2, // FixedSizeBinary
  18: 2, // Duration
  19: 3, // LargeBinary
  20: 3, // LargeUtf8
};
/** Metadata larger than this is not a flat table's (and is not read ahead). */
const MAX_METADATA = 1 << 20;

/** A FlatBuffers table within `b`: field accessors that throw on anything out of bounds. */
class FlatTable {
  constructor(
    private readonly b: DataView,
    private readonly at: number,
  ) {}

  static root(b: DataView): FlatTable {
    return new FlatTable(b, checked(b, b.getUint32(0, true), 4));
  }

  /** Offset of field `id` in the table, or 0 when absent. */
  private field(id: number): number {
    const vtable = checked(this.b, this.at - this.b.getInt32(this.at, true), 4);
    const size = this.b.getUint16(vtable, true);
    if (4 + 2 * id + 2 > size) return 0;
    const off = this.b.getUint16(checked(this.b, vtable + 4 + 2 * id, 2), true);
    return off === 0 ? 0 : checked(this.b, this.at + off, 1);
  }

  u8(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.b.getUint8(at) : fallback;
  }

  i16(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.b.getInt16(checked(this.b, at, 2), true) : fallback;
  }

  /** An int64 field as a number (undefined beyond 2^53: no file of ours has such). */
  i64(id: number): number | undefined {
    const at = this.field(id);
    return at ? int64(this.b, at) : 0;
  }

  table(id: number): FlatTable | undefined {
    const at = this.field(id);
    if (!at) return undefined;
    return new FlatTable(
      this.b,
      checked(this.b, at + this.b.getUint32(checked(this.b, at, 4), true), 4),
    );
  }

  /** A vector field: [first element's offset, length], its elements of `width` bytes in bounds. */
  vector(id: number, width: number): [number, number] {
    const at = this.field(id);
    if (!at) return [0, 0];
    const start = checked(this.b, at + this.b.getUint32(checked(this.b, at, 4), true), 4);
    const length = this.b.getUint32(start, true);
    checked(this.b, start + 4, length * width);
    return [start + 4, length];
  }

  /** Element i of a vector of tables. */
  tableAt(vector: number, i: number): FlatTable {
    const at = vector + 4 * i;
    return new FlatTable(this.b, checked(this.b, at + this.b.getUint32(at, true), 4));
  }

  int64At(at: number): number | undefined {
    return int64(this.b, at);
  }
}

class Unexpected extends Error {}

function checked(b: DataView, at: number, bytes: number): number {
  if (!(at >= 0 && at + bytes <= b.byteLength)) throw new Unexpected();
  return at;
}

function int64(b: DataView, at: number): number | undefined {
  const v = b.getBigInt64(checked(b, at, 8), true);
  return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** Reads `length` bytes of the file at `position` (fewer at its end). */
function readAt(fd: number, position: number, length: number): DataView {
  const bytes = new Uint8Array(length);
  let n = 0;
  while (n < length) {
    const got = readSync(fd, bytes, n, length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return new DataView(bytes.buffer, 0, n);
}

/**
 * The float32 columns (without nulls in any batch) of an Arrow IPC file of `size` bytes open as
 * `fd`, or undefined where the layout is not one this reader knows: nested columns,
 * compressed bodies, a message it cannot read, no such column.
 */
export function arrowLayout(fd: number, size: number): ArrowLayout | undefined {
  try {
    return walk(fd, size);
  } catch (error) {
    if (error instanceof Unexpected || error instanceof RangeError) return undefined;
    throw error; // the file could not be read: the caller's read says so too
  }
}

function walk(fd: number, size: number): ArrowLayout | undefined {
  const head = readAt(fd, 0, 8);
  const file = head.byteLength === 8 && head.getUint32(0, true) === 0x4f525241; // 'ARRO'
  return file ? walkFile(fd, size) : walkStream(fd, size);
}

/** What the record batches so far have given, column by column. */
class Columns {
  readonly pieces: [number, number][][];
  rows = 0;

  constructor(readonly schema: FlatSchema) {
    this.pieces = schema.float32.map(() => []);
  }

  /** Adds a record batch's message (metadata at `at`); false where it is not one to read. */
  add(fd: number, at: number, end: number): boolean {
    const message = messageAt(fd, at, end);
    if (!message || message.kind !== HEADER_RECORD_BATCH) return false;
    const batch = batchPieces(message.header, this.schema, message.body);
    if (!batch || message.bodyStart + message.body > end) return false;
    batch.offsets.forEach((offset, c) =>
      this.pieces[c].push([message.bodyStart + offset, batch.rows]),
    );
    this.rows += batch.rows;
    return true;
  }

  layout(): ArrowLayout | undefined {
    if (this.schema.float32.length === 0 || this.rows === 0) return undefined;
    const columns = this.schema.float32.map((field, c) => ({ field, pieces: this.pieces[c] }));
    return { rows: this.rows, columns };
  }
}

/** An IPC file: the schema and the record batches' places from its footer. */
function walkFile(fd: number, size: number): ArrowLayout | undefined {
  const tail = readAt(fd, size - 10, 10);
  if (tail.byteLength !== 10) return undefined;
  const footerLength = tail.getInt32(0, true);
  const footerStart = size - 10 - footerLength;
  if (footerLength <= 0 || footerLength > MAX_METADATA || footerStart < 8) return undefined;
  const footer = FlatTable.root(readAt(fd, footerStart, footerLength));
  const schema = footer.table(1);
  if (!schema) return undefined; // (dictionary batches: listed apart, passed over)
  const fields = schemaFields(schema);
  if (!fields) return undefined;
  const columns = new Columns(fields);
  const [blocks, count] = footer.vector(3, 24);
  for (let i = 0; i < count; i++) {
    const at = footer.int64At(blocks + 24 * i);
    if (at === undefined || !columns.add(fd, at, footerStart)) return undefined;
  }
  return columns.layout();
}

/** An IPC stream: the schema message first, then record batches up to the end-of-stream marker. */
function walkStream(fd: number, size: number): ArrowLayout | undefined {
  const first = messageAt(fd, 0, size);
  if (!first || first.kind !== HEADER_SCHEMA) return undefined;
  const fields = schemaFields(first.header);
  if (!fields) return undefined;
  const columns = new Columns(fields);
  let at = first.bodyStart + first.body;
  while (at + 8 <= size) {
    const prefix = readAt(fd, at, 8);
    if (prefix.getUint32(0, true) === 0xffffffff && prefix.getInt32(4, true) === 0) break;
    // Dictionary batches (their values are not float32 columns') are passed over.
    if (messageAt(fd, at, size)?.kind !== HEADER_DICTIONARY_BATCH && !columns.add(fd, at, size))
      return undefined;
    at = nextMessage(fd, at, size);
  }
  return columns.layout();
}

/** A message (continuation marker, length, metadata, body) at `at`, all of it before `end`. */
function messageAt(
  fd: number,
  at: number,
  end: number,
): { kind: number; header: FlatTable; body: number; bodyStart: number } | undefined {
  const prefix = readAt(fd, at, 8);
  if (prefix.byteLength < 8 || prefix.getUint32(0, true) !== 0xffffffff) return undefined;
  const metaLength = prefix.getInt32(4, true);
  if (metaLength <= 0 || metaLength > MAX_METADATA || at + 8 + metaLength > end) return undefined;
  const message = FlatTable.root(readAt(fd, at + 8, metaLength));
  const body = message.i64(3);
  const header = message.table(2);
  if (body === undefined || !header) return undefined;
  return { kind: message.u8(1), header, body, bodyStart: at + 8 + metaLength };
}

function nextMessage(fd: number, at: number, end: number): number {
  const m = messageAt(fd, at, end);
  return m ? m.bodyStart + m.body : end;
}

interface FlatSchema {
  buffersPerField: number[];
  /** Index of each field's first buffer in a record batch. */
  firstBuffer: number[];
  /** The float32 fields. */
  float32: number[];
}

/** Per top-level field, the buffers it takes, and the float32 fields; undefined if not flat. */
function schemaFields(schema: FlatTable): FlatSchema | undefined {
  const [fields, count] = schema.vector(1, 4);
  const buffersPerField: number[] = [];
  const float32: number[] = [];
  for (let i = 0; i < count; i++) {
    const field = schema.tableAt(fields, i);
    const type = field.u8(2);
    const buffers = FLAT_BUFFERS[type];
    if (buffers === undefined || field.vector(5, 4)[1] > 0) return undefined;
    // A dictionary-encoded column has its indices' buffers in a record batch (validity, values).
    const encoded = field.table(4) !== undefined;
    buffersPerField.push(encoded ? 2 : buffers);
    const single = type === TYPE_FLOATING_POINT && field.table(3)?.i16(0) === PRECISION_SINGLE;
    if (single && !encoded) float32.push(i);
  }
  let next = 0;
  const firstBuffer = buffersPerField.map((n) => ((next += n), next - n));
  return { buffersPerField, firstBuffer, float32 };
}

/** A record batch's rows and the body offsets of its float32 columns' values, if all fit. */
function batchPieces(
  batch: FlatTable,
  { buffersPerField, firstBuffer, float32 }: FlatSchema,
  bodyLength: number,
): { rows: number; offsets: number[] } | undefined {
  const rows = batch.i64(0);
  if (rows === undefined || rows > 2 ** 31 || batch.table(3)) return undefined; // compressed
  const [nodes, nodeCount] = batch.vector(1, 16);
  const [buffers, bufferCount] = batch.vector(2, 16);
  if (nodeCount !== buffersPerField.length) return undefined;
  if (bufferCount !== buffersPerField.reduce((s, n) => s + n, 0)) return undefined;
  const offsets: number[] = [];
  for (const f of float32) {
    const length = batch.int64At(nodes + 16 * f);
    const nulls = batch.int64At(nodes + 16 * f + 8);
    const data = buffers + 16 * (firstBuffer[f] + 1);
    const offset = batch.int64At(data);
    const bytes = batch.int64At(data + 8);
    if (length !== rows || nulls !== 0 || offset === undefined || bytes === undefined)
      return undefined;
    if (bytes < 4 * rows || offset + 4 * rows > bodyLength || offset % 4 !== 0) return undefined;
    offsets.push(offset);
  }
  return { rows, offsets };
}
