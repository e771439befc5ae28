import {
  AsyncByteQueue,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  type Table,
} from 'apache-arrow';

/**
 * The Arrow IPC bytes of a table (a file or a stream) as the writer produces them, piece by piece,
 * without joining them: tableToIPC copies every piece into one buffer the size of the output
 * (hundreds of megabytes for a large fit's per-row output) only for it to be written out and
 * dropped. The pieces are the framing, the metadata and views of the table's own column buffers:
 * nothing is copied, and they are valid while the table is.
 */
export function ipcPieces(table: Table, format: 'file' | 'stream'): Uint8Array[] {
  const sink = new PieceSink();
  const writer = format === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  // A sink that is an AsyncByteQueue is taken as it is; the writer writes every piece to it
  // synchronously, and closes it (after the footer) at the end of writeAll.
  writer.reset(sink);
  writer.writeAll(table);
  return sink.pieces;
}

/** A byte queue that keeps what is written to it as a list, for a synchronous writer. */
class PieceSink extends AsyncByteQueue {
  readonly pieces: Uint8Array[] = [];

  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    // The writer hands over Uint8Arrays (views of the table's buffers); anything else as its bytes.
    const bytes =
      value instanceof Uint8Array
        ? value
        : ArrayBuffer.isView(value)
          ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : new Uint8Array(value as ArrayBuffer);
    if (bytes.byteLength > 0) this.pieces.push(bytes);
  }
}
