import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import type * as Arrow from 'apache-arrow';
import type { ParquetFile } from 'parquet-wasm/esm';
import { arrowLayout, type ArrowLayout } from './arrow-layout.js';
import type * as ParquetIo from './parquet-io.js';

/**
 * The decode worker (started by guarded-decode.ts from the compiled dist/ file): parses untrusted
 * Arrow IPC and Parquet bytes off the main thread, where a hang or a panic in a library can be
 * ended by terminating the thread.
 */
export type DecodeTask =
  | { kind: 'arrow'; bytes: Uint8Array }
  | { kind: 'arrow-scan'; path: string }
  | { kind: 'arrow-layout'; fd: number; size: number }
  | { kind: 'parquet-meta'; path: string }
  | { kind: 'parquet-group'; path: string; group: number }
  | { kind: 'parquet'; bytes: Uint8Array };
export type DecodeJob = DecodeTask & { id: number };

export interface DecodeReply {
  id: number;
  ok: boolean;
  message?: string;
  ipc?: Uint8Array;
  groups?: number;
  rows?: number;
  layout?: ArrowLayout;
}

const port = parentPort;
if (!port) throw new Error('decode-worker.js runs as a worker thread');

/**
 * apache-arrow's index and the Parquet reader, loaded once the first job is answered: the first
 * is usually an Arrow file's layout (io/arrow-layout.ts), which a read waits for and which needs
 * only apache-arrow's metadata modules; the rest then loads while the file is read.
 */
let library: Promise<{ arrow: typeof Arrow; parquet: typeof ParquetIo }> | undefined;
function fullLibrary(): Promise<{ arrow: typeof Arrow; parquet: typeof ParquetIo }> {
  library ??= Promise.all([import('apache-arrow'), import('./parquet-io.js')]).then(
    ([arrow, parquet]) => ({ arrow, parquet }),
  );
  return library;
}

// The Parquet file read row group by row group (out-of-core passes): its metadata parsed once.
let opened: { path: string; file: ParquetFile } | undefined;
async function parquetFile(path: string): Promise<ParquetFile> {
  const { parquet } = await fullLibrary();
  if (opened?.path !== path)
    opened = {
      path,
      file: await parquet.parquetWasm().ParquetFile.fromFile(await openAsBlob(path)),
    };
  return opened.file;
}

async function decode(job: DecodeJob): Promise<{ reply: DecodeReply; transfer?: ArrayBuffer[] }> {
  const id = job.id;
  switch (job.kind) {
    case 'arrow':
      (await fullLibrary()).arrow.tableFromIPC(job.bytes);
      return { reply: { id, ok: true } };
    case 'arrow-layout':
      // The file stays open on the calling thread until this reply (or the deadline) comes.
      return { reply: { id, ok: true, layout: arrowLayout(job.fd, job.size) } };
    case 'arrow-scan': {
      const handle = await open(job.path);
      let rows = 0;
      try {
        const reader = await (await fullLibrary()).arrow.RecordBatchReader.from(handle);
        await reader.open();
        for await (const batch of reader) rows += batch.numRows;
      } finally {
        await handle.close().catch(() => undefined);
      }
      return { reply: { id, ok: true, rows } };
    }
    case 'parquet-meta': {
      const metadata = (await parquetFile(job.path)).metadata();
      const rows = Number(metadata.fileMetadata().numRows());
      return { reply: { id, ok: true, groups: metadata.numRowGroups(), rows } };
    }
    case 'parquet-group': {
      const table = await (await parquetFile(job.path)).read({ rowGroups: [job.group] });
      const ipc = table.intoIPCStream().slice();
      return { reply: { id, ok: true, ipc }, transfer: [ipc.buffer] };
    }
    case 'parquet': {
      const { parquet } = await fullLibrary();
      const ipc = parquet.parquetWasm().readParquet(job.bytes).intoIPCStream().slice();
      return { reply: { id, ok: true, ipc }, transfer: [ipc.buffer] };
    }
  }
}

port.on('message', (job: DecodeJob) => {
  decode(job).then(
    ({ reply, transfer }) => {
      port.postMessage(reply, transfer);
      // The rest of the library, after the answer (a file's read waits for it, not for this).
      setImmediate(() => void fullLibrary().catch(() => undefined));
    },
    (error: unknown) => {
      const message = String((error instanceof Error && error.message) || error);
      port.postMessage({ id: job.id, ok: false, message } satisfies DecodeReply);
    },
  );
});
