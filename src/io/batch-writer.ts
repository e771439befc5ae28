import { once } from 'node:events';
import {
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  type Schema,
  type Table,
} from 'apache-arrow';
import { subjectName, UsageError, type Subject } from '../errors.js';
import { AtomicFileStream, type OutputSet } from '../util/atomic-write.js';
import { csvChunks, csvDelimiter, csvFilePieces } from './csv-write.js';
import { outputFormat } from './format.js';
import { checkStringArgument } from '../util/arguments.js';

/**
 * An output table written chunk by chunk (out-of-core fits), with the same all-or-nothing
 * guarantee as writeTable: the file appears under its name at `commit`, never half-written.
 * Arrow IPC (file or stream) and CSV can be appended to; Parquet is written whole by the library
 * gpuseg uses, so it is refused here with the alternatives named.
 */
export interface ChunkWriter {
  write(table: Table): Promise<void>;
  commit(): Promise<void>;
  /** Removes the partial output (after an error). */
  abort(): void;
}

/** Checks, before any work, that `path` can be written chunk by chunk. */
export function checkChunkOutputPath(path: string, flag: Subject): void {
  checkStringArgument(path, 'path');
  if (outputFormat(path, flag) === 'parquet') {
    throw new UsageError(
      (opt) =>
        `${subjectName(flag, opt)} '${path}': this output is written chunk by chunk; use .arrows, .arrow or .csv (Parquet is written whole)`,
    );
  }
}

/** A chunk writer of `path`; with `into`, its `commit` leaves the rename to that set's commit. */
export function openChunkWriter(
  path: string,
  flag: Subject = { option: 'output' },
  into?: OutputSet,
): ChunkWriter {
  checkChunkOutputPath(path, flag);
  const format = outputFormat(path, flag);
  const file = new AtomicFileStream(path, into);
  if (format === 'csv') return csvWriter(file, path);
  return arrowWriter(
    file,
    format === 'arrow-file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter(),
  );
}

function csvWriter(file: AtomicFileStream, path: string): ChunkWriter {
  let header = true;
  const delimiter = csvDelimiter(path);
  return {
    async write(table) {
      for (const piece of csvFilePieces(path, csvChunks(table, delimiter, header)))
        await file.write(piece);
      header = false;
    },
    commit: () => file.commit(),
    abort: () => file.abort(),
  };
}

function arrowWriter(
  file: AtomicFileStream,
  writer: RecordBatchFileWriter | RecordBatchStreamWriter,
): ChunkWriter {
  let schema: Schema | undefined;
  const encoded = writer.toNodeStream();
  let encodingFailure: Error | undefined;
  encoded.on('error', (error: Error) => (encodingFailure ??= error));
  /**
   * Waits while `busy()` or the file has bytes in flight; a write error of the file (disk full)
   * ends the wait at once, since the encoder, paused on a file that will never drain, would
   * otherwise be waited for forever.
   */
  const settle = async (busy: () => boolean): Promise<void> => {
    for (;;) {
      file.check();
      if (encodingFailure) throw encodingFailure;
      if (!busy() && file.stream.writableLength === 0) return;
      await progress();
    }
  };
  /**
   * Resolves on the next sign of progress (the file drained or failed, the encoder emitted or
   * ended), or after 5 ms at most (bytes the file flushes without a 'drain'): no busy loop while a
   * slow disk catches up.
   */
  const progress = async (): Promise<void> => {
    const stop = new AbortController();
    const on = (emitter: NodeJS.EventEmitter, event: string): Promise<unknown> =>
      once(emitter, event, { signal: stop.signal }).catch(() => undefined);
    await Promise.race([
      on(file.stream, 'drain'),
      on(file.stream, 'error'),
      on(encoded, 'data'),
      on(encoded, 'end'),
      new Promise((resolve) => setTimeout(resolve, 5)),
    ]);
    stop.abort();
  };
  encoded.on('data', (bytes: Uint8Array) => {
    if (!file.stream.write(bytes)) encoded.pause();
  });
  file.stream.on('drain', () => encoded.resume());
  return {
    async write(table) {
      // Every chunk is written under the first one's schema: the same fields, so that apache-arrow's
      // writer does not take a fresh (equal) schema object for the end of the stream.
      schema ??= table.schema;
      for (const batch of table.batches)
        writer.write(batch.schema === schema ? batch : new RecordBatch(schema, batch.data));
      // apache-arrow's writer does not wait for the file: hold the next chunk back until this one's
      // bytes have reached the disk, so at most one chunk of encoded output sits in memory.
      await settle(() => encoded.isPaused() || encoded.readableLength > 0);
    },
    async commit() {
      writer.finish();
      await settle(() => !encoded.readableEnded);
      await file.commit();
    },
    abort() {
      writer.abort();
      file.abort();
    },
  };
}
