import { createReadStream, closeSync, openSync, readSync } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse';
import { Table, makeVector, vectorFromArray, Float64, Utf8, makeData, Vector } from 'apache-arrow';
import { InputError } from '../errors.js';

/**
 * CSV to an apache-arrow Table. Choices, so that users can predict them:
 * - delimiter: the one of `, ; \t |` seen most often in the header line;
 * - a UTF-8 byte-order mark is dropped; quoted fields are unquoted ("12.5" is a number);
 * - a column is numeric (Float64) when every non-empty cell parses as a number; empty cells and
 *   NA, N/A, null, NULL become nulls; NaN/Infinity parse as such (and are rejected later when used
 *   as features, with their count);
 * - decimal commas ("1,5") are read as numbers only when the delimiter is not a comma;
 * - numbers written with a leading zero ("00123") make the column text, since such columns are
 *   codes, not quantities;
 * - a row with another number of fields than the header is an error naming its line.
 */
const NULL_TOKENS = new Set(['', 'NA', 'N/A', 'null', 'NULL', 'None']);
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA_PATTERN = /^[+-]?\d+,\d+$/;
const LEADING_ZERO_PATTERN = /^[+-]?0\d/;

type Cell = string;

/** Accumulates one column: numeric until a cell proves otherwise, then text. */
class ColumnBuilder {
  numeric = true;
  private values = new Float64Array(1024);
  private valid = new Uint8Array(1024);
  private texts: (string | null)[] | null = null;
  length = 0;

  constructor(private readonly decimalComma: boolean) {}

  push(raw: Cell): void {
    const cell = raw.trim();
    if (this.numeric) {
      if (NULL_TOKENS.has(cell)) return this.pushNumber(Number.NaN, false);
      const value = this.parseNumber(cell);
      if (value !== undefined) return this.pushNumber(value, true);
      this.becomeText();
    }
    this.texts!.push(NULL_TOKENS.has(cell) ? null : raw);
    this.length++;
  }

  private parseNumber(cell: string): number | undefined {
    if (LEADING_ZERO_PATTERN.test(cell) && !/^[+-]?0[.,]/.test(cell)) return undefined;
    if (NUMBER_PATTERN.test(cell)) return Number(cell);
    if (this.decimalComma && DECIMAL_COMMA_PATTERN.test(cell))
      return Number(cell.replace(',', '.'));
    if (/^[+-]?(nan|NaN|NAN)$/.test(cell)) return Number.NaN;
    if (/^[+-]?(inf|Inf|INF|infinity|Infinity)$/.test(cell))
      return cell.startsWith('-') ? -Infinity : Infinity;
    return undefined;
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
    for (let i = 0; i < this.length; i++) texts[i] = this.valid[i] ? String(this.values[i]) : null;
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

function readHead(path: string, gz: boolean): string {
  if (gz) {
    // The header of a gzipped file: decompress a bounded prefix.
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(1 << 16);
    let n = 0;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
    try {
      return gunzipSync(buf.subarray(0, n), { finishFlush: 2 /* Z_SYNC_FLUSH */ })
        .toString('utf8')
        .slice(0, 1 << 16);
    } catch {
      return '';
    }
  }
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 16);
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
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

export async function readCsv(path: string): Promise<Table> {
  const gz = /\.gz$/i.test(path);
  const delimiter = sniffDelimiter(readHead(path, gz));
  const decimalComma = delimiter !== ',';
  const source = createReadStream(path);
  // Field counts are checked here rather than by csv-parse, so the error can name both counts.
  const parser = parse({
    delimiter,
    bom: true,
    relax_quotes: false,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: false,
    info: true,
  });
  const input = gz ? source.pipe(createGunzip()) : source;
  input.on('error', (error: Error) => parser.destroy(error));
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
        builders = header.map(() => new ColumnBuilder(decimalComma));
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
  return new Table(columns);
}
