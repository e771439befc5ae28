import { Worker } from 'node:worker_threads';
import { InternalError } from '../../errors.js';
import { WORKER_SOURCE } from './worker-source.js';

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

  constructor(readonly size: number) {
    for (let w = 0; w < size; w++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, name: `gpuseg-cpu-${w}` });
      worker.unref();
      worker.on('message', (msg: { job: number; results?: Float64Array[]; error?: string }) =>
        this.onMessage(w, msg),
      );
      worker.on('error', (error) =>
        this.failAll(
          new InternalError(`CPU worker ${w} failed: ${error.message}`, { cause: error }),
        ),
      );
      worker.on('exit', (code) => {
        if (!this.disposed)
          this.failAll(new InternalError(`CPU worker ${w} exited unexpectedly (code ${code})`));
      });
      this.workers.push(worker);
      this.inFlight.push(0);
    }
  }

  /** Posts a job to worker w; resolves with the per-block results it sends back. */
  run(w: number, message: Record<string, unknown>): Promise<Float64Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new InternalError('the CPU worker pool was disposed'));
    const job = this.nextJob++;
    return new Promise<Float64Array[]>((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      if (this.inFlight[w]++ === 0) this.workers[w].ref();
      this.workers[w].postMessage({ ...message, op: 'run', job });
      this.pendingWorker.set(job, w);
    });
  }

  private readonly pendingWorker = new Map<number, number>();

  /** Sends a message that needs no answer to every worker (dataset registration). */
  broadcast(message: Record<string, unknown>): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  private onMessage(
    w: number,
    msg: { job: number; results?: Float64Array[]; error?: string },
  ): void {
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
