import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InternalError, UsageError } from '../../errors.js';
import { compiledModule, workerExecArgv } from '../../util/compiled-module.js';
import { collectorLock } from '../../util/collect.js';
import type { CpuWorkerData, WorkerMessage, WorkerReply } from './cpu-worker.js';
import type { BlockJob } from './run-block.js';

/** The most worker threads a pool has (worker w uses scratch slot w of a kernel memory). */
export const MAX_THREADS = 64;

/**
 * Threads for the CPU backend: GPUSEG_THREADS when set (a whole number from 1 to 64), else every
 * core (at most 64).
 */
export function cpuThreads(): number {
  const text = process.env.GPUSEG_THREADS;
  if (text === undefined || text === '')
    return Math.max(1, Math.min(availableParallelism(), MAX_THREADS));
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > MAX_THREADS)
    throw new UsageError(
      `GPUSEG_THREADS=${text} is not a whole number of threads from 1 to ${MAX_THREADS}; unset it to use every core`,
    );
  return v;
}

interface Pending {
  resolve: (results: Float64Array[]) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed set of worker threads. A worker is referenced (keeps the event loop alive) only while
 * it has a job in flight: idle pools never hold a process open, and an awaited job always does,
 * so a caller can never see its process exit in the middle of an await.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;
  private disposed = false;
  private failure: Error | undefined;

  constructor(size: number) {
    this.grow(size);
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Adds workers up to `size` (a `threads` option above the pool's size). Datasets registered
   * before are not in the new workers: a backend uses workers 0 … threads − 1 only, and its
   * datasets are registered after it has grown the pool to its threads.
   */
  grow(size: number): void {
    for (let w = this.workers.length; w < Math.min(size, MAX_THREADS); w++) {
      const worker = new Worker(compiledModule(import.meta.url, 'cpu-worker.js'), {
        name: `gpuseg-cpu-${w}`,
        execArgv: workerExecArgv(),
        workerData: { collectorLock: collectorLock() } satisfies CpuWorkerData,
      });
      worker.on('message', (msg: WorkerReply) => this.onMessage(w, msg));
      worker.on('error', (error) =>
        this.failAll(
          new InternalError(`CPU worker ${w} failed: ${error.message}`, { cause: error }),
        ),
      );
      worker.on('exit', (code) => {
        if (!this.disposed)
          this.failAll(new InternalError(`CPU worker ${w} exited unexpectedly (code ${code})`));
      });
      // Unreferenced after the listeners are attached: attaching a 'message' listener references
      // the worker's port again, and a worker that never got a job then held the process open
      // forever once the run was over (issue 11).
      worker.unref();
      this.workers.push(worker);
      this.inFlight.push(0);
    }
  }

  /** Posts a job to worker w; resolves with the per-block results it sends back. */
  run(
    w: number,
    message: { id: number; slot: number; work: BlockJob; blocks: [number, number][] },
  ): Promise<Float64Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new InternalError('the CPU worker pool was disposed'));
    const job = this.nextJob++;
    return new Promise<Float64Array[]>((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      if (this.inFlight[w]++ === 0) this.workers[w].ref();
      const msg: WorkerMessage = { ...message, op: 'run', job };
      this.workers[w].postMessage(msg);
      this.pendingWorker.set(job, w);
    });
  }

  private readonly pendingWorker = new Map<number, number>();

  /** Sends a message that needs no answer to every worker (dataset registration). */
  broadcast(message: WorkerMessage): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  private onMessage(w: number, msg: WorkerReply): void {
    const pending = this.pending.get(msg.job);
    if (!pending) return;
    this.pending.delete(msg.job);
    this.pendingWorker.delete(msg.job);
    if (--this.inFlight[w] === 0) this.workers[w].unref();
    if (msg.error !== undefined)
      pending.reject(new InternalError(`CPU kernel failed: ${msg.error.split('\n')[0]}`));
    else pending.resolve(msg.results ?? []);
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const [job, pending] of this.pending) {
      const w = this.pendingWorker.get(job);
      if (w !== undefined && --this.inFlight[w] === 0) this.workers[w].unref();
      pending.reject(error);
    }
    this.pending.clear();
    this.pendingWorker.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new InternalError('the CPU worker pool was disposed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let sharedPool: WorkerPool | undefined;

/**
 * The process's CPU worker pool, started on first use with cpuThreads() threads, or `threads` when
 * a caller asks for more (a `threads` option): then it grows to that.
 */
export function sharedWorkerPool(threads = cpuThreads()): WorkerPool {
  sharedPool ??= new WorkerPool(threads);
  if (sharedPool.size < threads) sharedPool.grow(threads);
  return sharedPool;
}

/** The process's pool if it was started. */
export function existingWorkerPool(): WorkerPool | undefined {
  return sharedPool;
}

/** Stops the shared CPU worker threads (they are unreferenced when idle, so this is optional). */
export async function shutdownCpuWorkers(): Promise<void> {
  const p = sharedPool;
  sharedPool = undefined;
  await p?.dispose();
}
