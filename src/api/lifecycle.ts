import { closeSharedGpu as closeGpu } from '../backend/gpu/gpu-backend.js';
import { shutdownCpuWorkers as stopWorkers } from '../backend/cpu/worker-pool.js';
import { MAX_THREADS } from '../backend/cpu/worker-pool.js';
import { asGpusegError, throwIfAborted, UsageError } from '../errors.js';
import { describeValue } from '../util/arguments.js';

/**
 * The process-wide resources gpuseg keeps between calls (the GPU device, the CPU worker threads),
 * the work in flight on them, and cancellation. A module of its own so that the public
 * declarations name no WebGPU type.
 */

/** Options every long operation takes (fit, predict, selectK, segment, rfm). */
export interface RunOptions {
  /** Cancels the operation: checked before each pass over the data (each iteration, each k); the
   * promise then rejects with an AbortedError (name 'AbortError', code 'GPUSEG_ABORTED'). */
  signal?: AbortSignal;
  /** CPU worker threads for this call (1 … 64; default GPUSEG_THREADS, else every core). The
   * result does not depend on it. */
  threads?: number;
}

/** Checks the run options' types (an API caller's, the CLI never passes them wrong). */
export function checkRunOptions(options: RunOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new UsageError(`options must be an object, got ${describeValue(options)}`);
  const { signal, threads } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new UsageError(`signal must be an AbortSignal, got ${typeof signal}`);
  if (
    threads !== undefined &&
    (typeof threads !== 'number' ||
      !Number.isInteger(threads) ||
      threads < 1 ||
      threads > MAX_THREADS)
  )
    throw new UsageError(
      `threads=${String(threads)} is not a whole number of threads from 1 to ${MAX_THREADS}`,
    );
}

let active = 0;
let idle: (() => void)[] = [];

/**
 * Runs an operation counted as in flight (dispose() waits for it), after checking its run options
 * and its signal; what it throws reaches the caller as a GpusegError.
 */
export async function inFlight<T>(options: RunOptions, work: () => Promise<T>): Promise<T> {
  checkRunOptions(options);
  throwIfAborted(options.signal);
  active++;
  try {
    return await work();
  } catch (error) {
    // Whatever escapes the work is a gpuseg error for the caller (a bug as an InternalError with
    // its cause, a failed allocation as GPUSEG_OUT_OF_MEMORY), never a raw TypeError.
    throw asGpusegError(error);
  } finally {
    if (--active === 0) {
      const waiting = idle;
      idle = [];
      for (const wake of waiting) wake();
    }
  }
}

/**
 * Releases what gpuseg holds in the process once the work in flight has finished: the GPU device
 * and the CPU worker threads. Later calls open them again. Neither is needed for the process to
 * exit (idle workers and the device do not hold the event loop); dispose() is for services that
 * want the memory back, and for tests.
 */
export async function dispose(): Promise<void> {
  while (active > 0) await new Promise<void>((wake) => idle.push(wake));
  await closeGpu();
  await stopWorkers();
}

/** @deprecated use dispose(), which also waits for work in flight. Closes the shared GPU device. */
export async function closeSharedGpu(): Promise<void> {
  await closeGpu();
}

/** @deprecated use dispose(), which also waits for work in flight. Stops the CPU worker threads. */
export async function shutdownCpuWorkers(): Promise<void> {
  await stopWorkers();
}
