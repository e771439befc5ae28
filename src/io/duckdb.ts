import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors.js';
import { sniffInputFormat } from './format.js';
import { tableToParquet } from './parquet-io.js';
import { readTable } from './read-table.js';
import { makeTemporaryFolder } from '../util/atomic-write.js';

/**
 * DuckDB, the embedded analytical engine used for group-bys over transaction logs of tens of
 * millions of rows. Files are read by DuckDB itself (CSV, gzipped CSV, Parquet); Arrow IPC inputs
 * are read by gpuseg and handed over as a temporary Parquet file, since DuckDB's Arrow reader is
 * an extension that would have to be downloaded.
 */
export interface DuckSession {
  connection: DuckDBConnection;
  /** A FROM-clause expression reading the input. */
  source: string;
  close(): void;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export async function openDuckSession(path: string): Promise<DuckSession> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const cleanup: string[] = [];
  let source: string;
  const format = sniffInputFormat(path);
  if (format === 'parquet') source = `read_parquet(${quoteString(path)})`;
  else if (format === 'csv') source = `read_csv(${quoteString(path)}, sample_size = 100000)`;
  else {
    const dir = makeTemporaryFolder('gpuseg-duck-');
    const parquet = join(dir, 'input.parquet');
    writeFileSync(parquet, tableToParquet(await readTable(path)));
    cleanup.push(dir);
    source = `read_parquet(${quoteString(parquet)})`;
  }
  return {
    connection,
    source,
    close() {
      connection.closeSync();
      instance.closeSync();
      for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    },
  };
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
