import { createReadStream, closeSync, openSync, readSync } from 'node:fs';
import { Transform } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse';
import {
  Field,
  Float64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Table,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import {
  NULL_TOKENS,
  parseNumberCell,
  TEXT_REASON_KEY,
  type NumberFormat,
  type ThousandsSeparator,
} from '../data/column-types.js';
import { guessIdName } from '../data/schema.js';
import { InputError } from '../errors.js';

/**
 * CSV to an apache-arrow Table. Choices, so that users can predict them:
 * - delimiter: the one of `, ; \t |` seen most often in the header line;
 * - encoding: UTF-8 (a byte-order mark is dropped), or UTF-16 LE/BE by its byte-order mark;
 *   NUL bytes without one are refused (UTF-16 without a byte-order mark);
 * - lines end with \n, \r\n or \r, mixed freely; quoted fields are unquoted ("12.5" is a number);
 * - a column is numeric (Float64) when every non-empty cell parses as a number; empty cells and
 *   NA, N/A, #N/A, null, NULL, None and - become nulls; NaN/Infinity parse as such (and are
 *   rejected later when used as features, with their count);
 * - decimal commas ("1,5") are read as numbers only when the delimiter is not a comma;
 * - thousands separators only with `thousands` (',' then '.' is the decimal mark; '.' then ',' is;
 *   'space' takes a space, U+00A0 or U+202F): "1,234.5" is 1234.5 with ',';
 * - numbers written with a leading zero ("00123") make the column text, since such columns are
 *   codes, not quantities;
 * - the id column (`id`, else a column named like CustomerID or id) is an identifier: it stays
 *   numeric only while every id is an integer below 2^53 in magnitude (17850 or 17850.0),
 *   else it is text, each id exactly as written — never a rounded double;
 * - a column that became text records why (its first cell that is not a number, and how many
 *   cells are) in its field metadata, so that the default features can name it;
 * - a row with another number of fields than the header is an error naming its line.
 */
export interface CsvReadOptions {
  /** The id column (default: a column named like CustomerID or id). */
  id?: string;
  /** Thousands separator of the numbers (default: none). */
  thousands?: ThousandsSeparator;
}

type Cell = string;

/** Integers, written plainly or with a fraction of zeros (17850.0); below 2^53 a double holds them. */
const EXACT_ID_PATTERN = /^[+-]?\d+(\.0*)?$/;

/** Why a column became text: its first cell that is not a number (0-based data row), and counts. */
export interface TextReason {
  row: number;
  value: string;
  numbers: number;
  others: number;
}

/** Accumulates one column: numeric until a cell proves otherwise, then text. */
class ColumnBuilder {
  numeric = true;
  private values = new Float64Array(1024);
  private valid = new Uint8Array(1024);
  private texts: (string | null)[] | null = null;
  /**
   * The id column's cells whose number prints otherwise than they are written (17850.0, ' 7'),
   * by row: should the column become text, every id is restored as written.
   */
  private written: Map<number, string> | null;
  reason: TextReason | undefined;
  length = 0;

  constructor(
    private readonly format: NumberFormat,
    private readonly isId: boolean,
  ) {
    this.written = isId ? new Map() : null;
  }

  push(raw: Cell): void {
    const cell = raw.trim();
    const missing = NULL_TOKENS.has(cell);
    if (this.numeric) {
      if (missing) return this.pushNumber(Number.NaN, false);
      const value = parseNumberCell(cell, this.format);
      const exact =
        !this.isId ||
        (value !== undefined && EXACT_ID_PATTERN.test(cell) && Number.isSafeInteger(value));
      if (value !== undefined && exact) {
        if (this.written && String(value) !== raw) this.written.set(this.length, raw);
        return this.pushNumber(value, true);
      }
      if (!this.isId) this.reason = { row: this.length, value: cell, numbers: 0, others: 1 };
      this.becomeText();
    } else if (this.reason && !missing) {
      if (parseNumberCell(cell, this.format) === undefined) this.reason.others++;
      else this.reason.numbers++;
    }
    this.texts!.push(missing ? null : raw);
    this.length++;
  }

  private pushNumber(value: number, isValid: boolean): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
      const grownValid = new Uint8Array(this.valid.length * 2);
      grownValid.set(this.valid);
      this.valid = grownValid;
    }
    this.values[this.length] = value;
    this.valid[this.length] = isValid ? 1 : 0;
    this.length++;
  }

  private becomeText(): void {
    this.numeric = false;
    const texts: (string | null)[] = new Array(this.length);
    for (let i = 0; i < this.length; i++)
      texts[i] = this.valid[i] ? (this.written?.get(i) ?? String(this.values[i])) : null;
    this.written = null;
    if (this.reason) for (let i = 0; i < this.length; i++) if (this.valid[i]) this.reason.numbers++;
    this.texts = texts;
    this.values = new Float64Array(0);
    this.valid = new Uint8Array(0);
  }

  toVector(): Vector {
    if (!this.numeric) return vectorFromArray(this.texts!, new Utf8());
    const values = this.values.subarray(0, this.length);
    let nullCount = 0;
    for (let i = 0; i < this.length; i++) if (!this.valid[i]) nullCount++;
    if (nullCount === 0) return makeVector(values);
    const bitmap = new Uint8Array(Math.ceil(this.length / 8));
    for (let i = 0; i < this.length; i++) if (this.valid[i]) bitmap[i >> 3] |= 1 << (i & 7);
    return makeVector(
      makeData({
        type: new Float64(),
        length: this.length,
        nullCount,
        data: values,
        nullBitmap: bitmap,
      }),
    );
  }
}

/** The first 64 KiB of the file (of its decompressed text when gzipped). */
export function readHead(path: string, gz: boolean): Buffer {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 16);
  let n = 0;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!gz) return buf.subarray(0, n);
  // The header of a gzipped file: decompress a bounded prefix.
  try {
    return gunzipSync(buf.subarray(0, n), { finishFlush: 2 /* Z_SYNC_FLUSH */ }).subarray(
      0,
      1 << 16,
    );
  } catch {
    return Buffer.alloc(0);
  }
}

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a text file by its byte-order mark. NUL bytes without a mark are refused: that
 * is UTF-16 (or a binary file), whose names would read as NUL-filled text.
 */
export function sniffEncoding(head: Uint8Array, path: string): TextEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head.includes(0)) {
    throw new InputError(
      `'${path}' has NUL bytes: UTF-16 without a byte-order mark, or not a text file; save it as UTF-8`,
    );
  }
  return 'utf-8';
}

/** A stream turning UTF-16 bytes into UTF-8 text (the byte-order mark dropped). */
export function utf16ToUtf8(encoding: 'utf-16le' | 'utf-16be'): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}

/** The delimiter seen most often outside quotes in the first line. */
export function sniffDelimiter(head: string): string {
  const firstLine = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [ch, count] of counts) if (count > bestCount) [best, bestCount] = [ch, count];
  return best;
}

export async function readCsv(path: string, options: CsvReadOptions = {}): Promise<Table> {
  const gz = /\.gz$/i.test(path);
  const headBytes = readHead(path, gz);
  const encoding = sniffEncoding(headBytes, path);
  const head = new TextDecoder(encoding).decode(headBytes);
  const delimiter = sniffDelimiter(head);
  const format: NumberFormat = {
    decimalComma: delimiter !== ',' && options.thousands !== ',',
    thousands: options.thousands,
  };
  const source = createReadStream(path);
  // Field counts are checked here rather than by csv-parse, so the error can name both counts.
  const parser = parse({
    delimiter,
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: false,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: false,
    info: true,
  });
  const streams: NodeJS.ReadWriteStream[] = [];
  if (gz) streams.push(createGunzip());
  if (encoding !== 'utf-8') streams.push(utf16ToUtf8(encoding));
  let input: NodeJS.ReadableStream = source;
  source.on('error', (error: Error) => parser.destroy(error));
  for (const stream of streams) {
    stream.on('error', (error: Error) => parser.destroy(error));
    input = input.pipe(stream);
  }
  input.pipe(parser);

  let header: string[] | undefined;
  let builders: ColumnBuilder[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!header) {
        header = record.map((name, i) => name.trim() || `column_${i}`);
        const seen = new Set<string>();
        for (const name of header) {
          if (seen.has(name))
            throw new InputError(`'${path}': column name '${name}' appears twice in the header`);
          seen.add(name);
        }
        const id =
          options.id !== undefined && seen.has(options.id) ? options.id : guessIdName(header);
        builders = header.map((name) => new ColumnBuilder(format, name === id));
        continue;
      }
      if (record.length !== header.length) {
        throw new InputError(
          `'${path}': line ${info.lines} has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${header.length}`,
        );
      }
      for (let j = 0; j < record.length; j++) builders[j].push(record[j]);
    }
  } catch (error) {
    source.destroy();
    if (error instanceof InputError) throw error;
    const err = error as Error & { code?: string };
    if (
      err.code === 'Z_DATA_ERROR' ||
      /incorrect header check|unexpected end of file/.test(err.message)
    ) {
      throw new InputError(`'${path}' is not a readable gzip file: ${err.message}`, {
        cause: error,
      });
    }
    throw new InputError(`'${path}' is not readable CSV: ${err.message.split('\n')[0]}`, {
      cause: error,
    });
  }
  if (!header) throw new InputError(`'${path}' has no header line`);
  const columns: Record<string, Vector> = {};
  header.forEach((name, j) => {
    columns[name] = builders[j].toVector();
  });
  return withTextReasons(new Table(columns), builders);
}

/** Records in each text column's field metadata why it is text (see TEXT_REASON_KEY). */
function withTextReasons(table: Table, builders: ColumnBuilder[]): Table {
  if (builders.every((b) => !b.reason)) return table;
  const fields = table.schema.fields.map((f, j) => {
    const reason = builders[j].reason;
    if (!reason) return f;
    return new Field(
      f.name,
      f.type,
      f.nullable,
      new Map([[TEXT_REASON_KEY, JSON.stringify(reason)]]),
    );
  });
  const schema = new Schema(fields, table.schema.metadata);
  return new Table(
    schema,
    table.batches.map((b) => new RecordBatch(schema, b.data)),
  );
}
