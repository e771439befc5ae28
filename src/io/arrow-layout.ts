import { readSync } from 'node:fs';
import type { Field, MessageHeader, Schema } from 'apache-arrow';
// apache-arrow's own modules, not its index: the decode worker answers this first, and loading
// only these (with their flatbuffers tables) starts it ~40% sooner than all of apache-arrow
// (io/decode-worker.ts loads the rest meanwhile). The same module instances as the index's.
import { Precision, Type } from 'apache-arrow/enum';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { Message } from 'apache-arrow/ipc/metadata/message';
import { DataType } from 'apache-arrow/type';

/**
 * Where an Arrow IPC file (or stream) keeps its float32 columns' values, found from its messages'
 * metadata alone (a few hundred bytes a record batch, read before the body), so that the read
 * can put those values straight where a column-major matrix wants them (io/shared-read.ts): a
 * file of many record batches is then read in place too, without a copy of its columns.
 *
 * The metadata is parsed by apache-arrow (Message.decode), walking the messages by their lengths.
 * On untrusted bytes that parse may not return (a damaged vector length loops for minutes, or
 * allocates without end), so this runs only in the decode worker, behind its deadline
 * (io/guarded-decode.ts: arrowLayoutInWorker). It answers undefined (read the file as it is) for
 * anything it does not expect, and what it says is checked again against apache-arrow's own
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

/** Buffers each flat type has in a record batch (validity first); other types are not handled. */
const FLAT_BUFFERS = new Map<Type, number>([
  [Type.Null, 0],
  ...[Type.Int, Type.Float, Type.Bool, Type.Decimal, Type.Date, Type.Time].map((t) => [t, 2]),
  ...[Type.Timestamp, Type.Interval, Type.FixedSizeBinary, Type.Duration].map((t) => [t, 2]),
  ...[Type.Binary, Type.Utf8, Type.LargeBinary, Type.LargeUtf8].map((t) => [t, 3]),
] as [Type, number][]);
/** Metadata larger than this is not a flat table's (and is not read). */
const MAX_METADATA = 1 << 20;

type BatchHeader = ReturnType<Message<MessageHeader.RecordBatch>['header']>;
/** A record batch's metadata, and where its body starts in the file. */
interface Batch {
  header: BatchHeader;
  body: number;
  bodyLength: number;
}

/** A record batch's fields and buffers by the schema, and each float32 field's data buffer. */
interface Plan {
  fields: number;
  buffers: number;
  float32: { field: number; data: number }[];
}

/**
 * The float32 columns (without nulls in any batch) of an Arrow IPC file or stream of `size` bytes
 * open as `fd`, or undefined where the layout is not one this reader knows: nested columns,
 * compressed bodies, a message out of place, no such column.
 */
export function arrowLayout(fd: number, size: number): ArrowLayout | undefined {
  const magic = Buffer.from(readAt(fd, 0, 6)).toString('latin1');
  const found = magic === 'ARROW1' ? inFile(fd, size) : inStream(fd, size);
  const plan = found && planOf(found.schema.fields);
  if (!found || !plan || plan.float32.length === 0) return undefined;
  const pieces = plan.float32.map((): [number, number][] => []);
  let rows = 0;
  for (const { header, body, bodyLength } of found.batches) {
    if (!fits(header, plan, bodyLength)) return undefined;
    for (const [c, { data }] of plan.float32.entries())
      pieces[c].push([body + header.buffers[data].offset, header.length]);
    rows += header.length;
  }
  if (rows === 0) return undefined;
  return { rows, columns: plan.float32.map(({ field }, c) => ({ field, pieces: pieces[c] })) };
}

/** An IPC file: the schema and the record batches' places from its footer, as apache-arrow's. */
function inFile(fd: number, size: number): { schema: Schema; batches: Batch[] } | undefined {
  const length = size >= 16 ? Buffer.from(readAt(fd, size - 10, 4)).readInt32LE(0) : -1;
  const start = size - 10 - length; // the footer, then its length and the closing magic
  if (length <= 0 || length > MAX_METADATA || start < 8) return undefined;
  const footer = Footer.decode(readAt(fd, start, length));
  const batches: Batch[] = [];
  for (const block of footer.recordBatches()) {
    const read = messageAt(fd, block.offset, start);
    if (!read || read === END || !read.message.isRecordBatch()) return undefined;
    batches.push({ header: read.message.header(), ...read });
  }
  return { schema: footer.schema, batches };
}

/** An IPC stream: the schema message first, then record batches up to the end-of-stream marker. */
function inStream(fd: number, size: number): { schema: Schema; batches: Batch[] } | undefined {
  let schema: Schema | undefined;
  const batches: Batch[] = [];
  for (let at = 0; at + 8 <= size;) {
    const read = messageAt(fd, at, size);
    if (read === END) break;
    if (!read) return undefined;
    const { message } = read;
    if (message.isSchema() && !schema) schema = message.header();
    else if (message.isRecordBatch() && schema) batches.push({ header: message.header(), ...read });
    // Dictionary batches (their values are not float32 columns') are passed over.
    else if (!message.isDictionaryBatch() || !schema) return undefined;
    at = read.body + read.bodyLength;
  }
  return schema && { schema, batches };
}

const END = 'end of stream';

/** The message at `at` (continuation marker, metadata length, metadata, body), within `end`. */
function messageAt(
  fd: number,
  at: number,
  end: number,
): { message: Message; body: number; bodyLength: number } | typeof END | undefined {
  const prefix = Buffer.from(isCount(at) ? readAt(fd, at, 8) : []);
  if (prefix.length < 8 || prefix.readUint32LE(0) !== 0xffffffff) return undefined;
  const length = prefix.readInt32LE(4);
  if (length === 0) return END;
  const body = at + 8 + length;
  if (length < 0 || length > MAX_METADATA || body > end) return undefined;
  const message = Message.decode(readAt(fd, at + 8, length));
  const bodyLength = message.bodyLength;
  return isCount(bodyLength) && body + bodyLength <= end
    ? { message, body, bodyLength }
    : undefined;
}

/** Per top-level field the buffers it takes, and the float32 ones; undefined if not all flat. */
function planOf(fields: Field[]): Plan | undefined {
  const plan: Plan = { fields: fields.length, buffers: 0, float32: [] };
  for (const [field, { type }] of fields.entries()) {
    const flat = FLAT_BUFFERS.get(
      DataType.isDictionary(type) ? type.dictionary.typeId : type.typeId,
    );
    if (flat === undefined) return undefined;
    if (DataType.isFloat(type) && type.precision === Precision.SINGLE)
      plan.float32.push({ field, data: plan.buffers + 1 });
    // A dictionary-encoded column has its indices' buffers in a record batch (validity, values).
    plan.buffers += DataType.isDictionary(type) ? 2 : flat;
  }
  return plan;
}

/** Whether a record batch is as the schema says, its float32 columns' values whole in its body. */
function fits(batch: BatchHeader, plan: Plan, bodyLength: number): boolean {
  const rows = batch.length;
  if (!isCount(rows) || rows > 2 ** 31 || batch.compression) return false;
  if (batch.nodes.length !== plan.fields || batch.buffers.length !== plan.buffers) return false;
  return plan.float32.every(({ field, data }) => {
    const { length, nullCount } = batch.nodes[field];
    const { offset, length: bytes } = batch.buffers[data];
    const whole = isCount(offset) && offset % 4 === 0 && offset + 4 * rows <= bodyLength;
    return length === rows && nullCount === 0 && bytes >= 4 * rows && whole;
  });
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Reads `length` bytes of the file at `position` (fewer at its end). */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let n = 0;
  while (n < length) {
    const got = readSync(fd, bytes, n, length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return bytes.subarray(0, n);
}
