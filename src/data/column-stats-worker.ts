import { parentPort } from 'node:worker_threads';
import { claimColumns, type StatsJob } from './column-stats-share.js';

/**
 * The column-statistics helper thread (started by column-stats-share.ts from the compiled dist/
 * file): takes columns of a matrix from the shared counter and computes their statistics with
 * the same kernel as the main thread, which takes columns from the same counter meanwhile.
 */
const port = parentPort;
if (!port) throw new Error('column-stats-worker.js runs as a worker thread');

port.on('message', (job: StatsJob) => {
  const instance = new WebAssembly.Instance(job.module, { env: { mem: job.memory } });
  claimColumns(job, instance.exports as never);
});
