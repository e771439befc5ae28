import { parentPort, workerData } from 'node:worker_threads';
import type { KernelMemory } from '../../data/matrix.js';
import { collect, useCollectorLock } from '../../util/collect.js';
import { dropDataset, runJob, type BlockData, type BlockJob } from './run-block.js';
import { applyWorkerFaults } from './worker-faults.js';

/**
 * A CPU worker thread (started by worker-pool.ts from the compiled dist/ file). It keeps the
 * datasets it is sent and runs jobs over shared memory with run-block.ts, as the calling thread
 * does for small inputs; everything that decides what to run lives on the main thread.
 *
 * Messages in:  { op: 'dataset', id, X, n, d, kernelMemory? } | { op: 'drop', id } |
 *               { op: 'run', job, id, slot, work: BlockJob, blocks: [i0, i1][] }
 * Messages out: { job, results: Float64Array[] } | { job, error }
 */
export type WorkerMessage =
  | {
      op: 'dataset';
      id: number;
      X: Float32Array;
      n: number;
      d: number;
      kernelMemory: KernelMemory | undefined;
    }
  | { op: 'drop'; id: number }
  | {
      op: 'run';
      job: number;
      id: number;
      slot: number;
      work: BlockJob;
      blocks: [number, number][];
    };

/** What the pool hands a worker at its start. */
export interface CpuWorkerData {
  /** collect.ts's lock of the thread that started the pool. */
  collectorLock: Int32Array;
}

export interface WorkerReply {
  job: number;
  results?: Float64Array[];
  error?: string;
}

const port = parentPort;
if (!port) throw new Error('cpu-worker.js runs as a worker thread');
useCollectorLock((workerData as CpuWorkerData).collectorLock);
const datasets = new Map<number, BlockData>();

let collecting = false;

port.on('message', (msg: WorkerMessage) => {
  if (msg.op === 'dataset') {
    datasets.set(msg.id, { id: msg.id, X: msg.X, n: msg.n, d: msg.d, kmem: msg.kernelMemory });
    return;
  }
  if (msg.op === 'drop') {
    datasets.delete(msg.id);
    dropDataset(msg.id);
    // A task later, once the message's own references are gone; one collection per burst of drops.
    if (!collecting) {
      collecting = true;
      setImmediate(() => {
        collecting = false;
        collect();
      });
    }
    return;
  }
  try {
    const data = datasets.get(msg.id);
    if (!data) throw new Error(`dataset ${msg.id} is not registered in this worker`);
    const results = runJob(data, msg.slot, msg.work, msg.blocks);
    applyWorkerFaults(msg.work, msg.blocks, results);
    const reply: WorkerReply = { job: msg.job, results };
    port.postMessage(
      reply,
      results.map((r) => r.buffer as ArrayBuffer),
    );
  } catch (error) {
    const reply: WorkerReply = {
      job: msg.job,
      error: String((error instanceof Error && error.stack) || error),
    };
    port.postMessage(reply);
  }
});
