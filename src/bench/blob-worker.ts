import { workerData } from 'node:worker_threads';
import { BlobGenerator } from './bench-data.js';
import type { BlobWork } from './blob-threads.js';

/**
 * A worker thread of fillOnThreads (blob-threads.ts, started from the compiled dist/ file): fills
 * its features of the shared matrix with the same code as the main thread, then exits.
 */
const work = workerData as BlobWork;
const out = new Float32Array(work.buffer, work.byteOffset, work.rows * work.state.dims);
BlobGenerator.from(work.state).fill(out, 0, work.rows, work.first, work.end);
