import { createReadStream, createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { NULL_TOKENS } from '../data/column-types.js';
import { InputError } from '../errors.js';
import { readHead, sniffEncoding, utf16ToUtf8 } from './csv-read.js';
import { inspectInputFile } from './format.js';
import { tableToParquet } from './parquet-io.js';
import { readTable } from './read-table.js';
import { makeTemporaryFolder } from '../util/atomic-write.js';

/**
 * DuckDB, the embedded analytical engine used for group-bys over transaction logs of tens of
 * millions of rows. Files are read by DuckDB itself (CSV, gzipped CSV, Parquet); Arrow IPC inputs
 * are read by gpuseg and handed over as a temporary Parquet file, since DuckDB's Arrow reader is
 * an extension that would have to be downloaded. CSV is read as gpuseg's own reader reads it:
 * the same missing markers (NA, NULL, -, #N/A, …) are nulls; a gzipped file is checked to be
 * complete first (DuckDB would guess the columns of a truncated one from what is left); a UTF-16
 * file (by its byte-order mark), or one whose first 64 KiB mix \n, \r\n and \r line ends (which
 * DuckDB's sniffer refuses), goes to DuckDB as a temporary UTF-8 copy with \n line ends (line
 * breaks inside quoted fields become \n too).
 */
export interface DuckSession {
  connection: DuckDBConnection;
  /** A FROM-clause expression reading the input. */
  source: string;
  /** True when the input is CSV, whose column types are DuckDB's guesses. */
  csv: boolean;
  /** CSV: reads the named columns as text (VARCHAR), as written; typed files are left as they are. */
  readAsText(names: readonly string[]): void;
  close(): void;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const NULL_STRINGS = `[${[...NULL_TOKENS].map(quoteString).join(', ')}]`;

export async function openDuckSession(path: string): Promise<DuckSession> {
  const cleanup: string[] = [];
  const tempDir = (): string => {
    const dir = makeTemporaryFolder('gpuseg-duck-');
    cleanup.push(dir);
    return dir;
  };
  const removeTemp = (): void => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  };
  let source: string;
  let csvFile: string | undefined;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection;
  try {
    // Missing, a folder or empty: the InputError `fit` gives, not DuckDB's or an ENOENT.
    const { format } = inspectInputFile(path);
    if (format === 'parquet') source = `read_parquet(${quoteString(path)})`;
    else if (format === 'csv') {
      csvFile = await plainCsv(path, tempDir);
      source = csvSource(csvFile, []);
    } else {
      const parquet = join(tempDir(), 'input.parquet');
      writeFileSync(parquet, tableToParquet(await readTable(path)));
      source = `read_parquet(${quoteString(parquet)})`;
    }
    // Loaded here, not at import: libduckdb costs ~0.7 s and ~88 MB, which a k-means-only host of
    // gpuseg should not pay (issue 15).
    const duckdb = await import('@duckdb/node-api');
    instance = await duckdb.DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  } catch (error) {
    instance?.closeSync();
    removeTemp();
    throw error;
  }
  const db = instance;
  const session: DuckSession = {
    connection,
    source,
    csv: csvFile !== undefined,
    readAsText(names) {
      if (csvFile !== undefined) session.source = csvSource(csvFile, names);
    },
    close() {
      connection.closeSync();
      db.closeSync();
      removeTemp();
    },
  };
  return session;
}

function csvSource(file: string, textColumns: readonly string[]): string {
  const types =
    textColumns.length === 0
      ? ''
      : `, types = {${[...new Set(textColumns)].map((n) => `${quoteString(n)}: 'VARCHAR'`).join(', ')}}`;
  return `read_csv(${quoteString(file)}, sample_size = 100000, nullstr = ${NULL_STRINGS}${types})`;
}

/**
 * A CSV file DuckDB can read whole: a complete gzip stream, UTF-8. A truncated or corrupt gzip
 * file is an input error naming the file; UTF-16 is decoded into a temporary UTF-8 copy.
 */
async function plainCsv(path: string, tempDir: () => string): Promise<string> {
  const gz = /\.gz$/i.test(path);
  const head = readHead(path, gz);
  const encoding = sniffEncoding(head, path);
  // Any \r in the head: the log is normalised to \n throughout, since the mix may begin later on
  // (a file of \n alone, the common case, is passed as it is).
  const mixed = new TextDecoder(encoding).decode(head).includes('\r');
  const steps: Transform[] = [];
  if (gz) steps.push(createGunzip());
  if (encoding !== 'utf-8') steps.push(utf16ToUtf8(encoding));
  if (mixed) steps.push(unixLineEnds());
  if (steps.length === 0) return path;
  const copy = encoding === 'utf-8' && !mixed ? undefined : join(tempDir(), 'input.csv');
  const sink = copy
    ? createWriteStream(copy)
    : new Writable({
        write(_chunk, _enc, done) {
          done();
        },
      });
  try {
    await pipeline([createReadStream(path), ...steps, sink]);
  } catch (error) {
    const err = error as Error & { code?: string };
    if (
      gz &&
      (err.code?.startsWith('Z_') || /unexpected end of file|header check/.test(err.message))
    ) {
      throw new InputError(
        `'${path}' is not a readable gzip file: ${err.message === 'unexpected end of file' ? 'it ends early (truncated?)' : err.message}`,
        { cause: error },
      );
    }
    throw new InputError(`'${path}' could not be read: ${err.message}`, { cause: error });
  }
  return copy ?? path;
}

/** A stream turning \r\n and \r line ends into \n (a \r at a chunk's end waits for the next). */
function unixLineEnds(): Transform {
  let pendingCr = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let text = chunk.toString('latin1');
      if (pendingCr) text = '\r' + text;
      pendingCr = text.endsWith('\r');
      if (pendingCr) text = text.slice(0, -1);
      done(null, Buffer.from(text.replace(/\r\n?/g, '\n'), 'latin1'));
    },
    flush(done) {
      done(null, pendingCr ? Buffer.from('\n') : Buffer.alloc(0));
    },
  });
}

/** Column names and DuckDB types of the session's input; a readable error when DuckDB cannot read it. */
export async function describeSource(
  session: DuckSession,
  path: string,
): Promise<Map<string, string>> {
  try {
    const result = await session.connection.runAndReadAll(
      `DESCRIBE SELECT * FROM ${session.source}`,
    );
    return new Map(
      result.getRowObjectsJS().map((row) => [String(row.column_name), String(row.column_type)]),
    );
  } catch (error) {
    throw new InputError(`'${path}' could not be read: ${firstLine(error)}`, { cause: error });
  }
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((l) => l.trim()) ?? message;
}
