import { parentPort } from 'node:worker_threads';
import { claimColumns, type ColumnJob, type StatsKernel } from './column-share.js';

/**
 * The column helper thread (started by column-share.ts from the compiled dist/ file): takes
 * columns of a job from the shared counter and does them with the same code as the main thread,
 * which takes columns from the same counter meanwhile.
 */
const port = parentPort;
if (!port) throw new Error('column-worker.js runs as a worker thread');

port.on('message', (job: ColumnJob) => {
  const kernel =
    job.kind === 'stats'
      ? (new WebAssembly.Instance(job.module, { env: { mem: job.memory } })
          .exports as unknown as StatsKernel)
      : undefined;
  claimColumns(job, kernel);
});
