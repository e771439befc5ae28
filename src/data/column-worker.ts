import { parentPort, workerData } from 'node:worker_threads';
import { collect, useCollectorLock } from '../util/collect.js';
import {
  claimColumns,
  type ColumnJob,
  type ColumnWorkerData,
  type StatsKernel,
} from './column-share.js';

/**
 * The column helper thread (started by column-share.ts from the compiled dist/ file): takes
 * columns of a job from the shared counter and does them with the same code as the main thread,
 * which takes columns from the same counter meanwhile.
 */
const port = parentPort;
if (!port) throw new Error('column-worker.js runs as a worker thread');
useCollectorLock((workerData as ColumnWorkerData).collectorLock);

let collecting = false;

port.on('message', (job: ColumnJob) => {
  const kernel =
    job.kind === 'stats'
      ? (new WebAssembly.Instance(job.module, { env: { mem: job.memory } })
          .exports as unknown as StatsKernel)
      : undefined;
  claimColumns(job, kernel);
  // The job's memories (a whole input file, a matrix) are shared: they return only once this
  // thread has collected its references too, and an idle helper allocates too little to ever
  // collect by itself (util/collect.ts). A task later, once the message is gone; one per burst.
  if (!collecting) {
    collecting = true;
    setImmediate(() => {
      collecting = false;
      collect();
    });
  }
});
