import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledModule, workerExecArgv } from '../util/compiled-module.js';
import type { BlobGenerator, BlobState } from './bench-data.js';

/** What a blob worker fills: features first … end − 1 of a rows × dims matrix in shared memory. */
export interface BlobWork {
  state: BlobState;
  buffer: SharedArrayBuffer;
  byteOffset: number;
  rows: number;
  first: number;
  end: number;
}

/** Below this many values one thread does it all (a worker starts in ~50 ms). */
const THREADS_MIN_VALUES = 1 << 22;
/** Threads at most: 10M×16 is ~0.1 s of work each at 8, the pages' first touch included. */
const THREADS_MAX = 8;

/** The threads to generate rows × dims values on: 1 for small data, else up to THREADS_MAX cores. */
export function blobThreads(rows: number, dims: number): number {
  return rows * dims < THREADS_MIN_VALUES ? 1 : Math.min(THREADS_MAX, availableParallelism());
}

/**
 * Fills `out` (rows × dims, column-major) with rows 0 … rows − 1 of `generator`, its features
 * split among `threads` threads, this one included (the others: blob-worker.ts, on the same
 * shared memory). The same bits with any number of threads: each value depends only on its
 * seed, feature and row.
 */
export async function fillOnThreads(
  generator: BlobGenerator,
  out: Float32Array,
  rows: number,
  threads: number,
): Promise<void> {
  const { dims } = generator.state;
  const n = Math.max(1, Math.min(threads, dims));
  if (n === 1 || !(out.buffer instanceof SharedArrayBuffer)) {
    generator.fill(out, 0, rows);
    return;
  }
  const bound = (t: number) => Math.round((t * dims) / n);
  const workers: Promise<void>[] = [];
  for (let t = 1; t < n; t++) {
    const work: BlobWork = {
      state: generator.state,
      buffer: out.buffer,
      byteOffset: out.byteOffset,
      rows,
      first: bound(t),
      end: bound(t + 1),
    };
    workers.push(
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(compiledModule(import.meta.url, 'blob-worker.js'), {
          name: 'gpuseg-blobs',
          execArgv: workerExecArgv(),
          workerData: work,
        });
        worker.once('error', reject);
        worker.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`blob worker exited with code ${code}`)),
        );
      }),
    );
  }
  // Settled first, so that a worker failing while this thread's share throws is not an unhandled
  // rejection (which would end the host process); this thread's error is the one reported.
  const settled = Promise.allSettled(workers);
  try {
    generator.fill(out, 0, rows, 0, bound(1));
  } finally {
    await settled;
  }
  await Promise.all(workers);
}
