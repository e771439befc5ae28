import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledModule, workerExecArgv } from '../util/compiled-module.js';
import type { ArrowLayout } from './arrow-layout.js';
import type { DecodeJob, DecodeReply, DecodeTask } from './decode-worker.js';

/**
 * Decoding untrusted bytes off the main thread, with a deadline. apache-arrow's IPC reader loops
 * forever on some corrupted files (a mangled footer count, found by test/fuzz.test.ts), and a hang
 * in a library cannot be interrupted on the thread it runs on. So:
 * - Arrow IPC bytes are first parsed in a worker (zero-copy over shared memory: IPC parsing costs
 *   per batch and column, not per byte); the caller parses them itself only once that finished.
 * - Parquet is decoded entirely in the worker (parquet-wasm), which sends back an Arrow IPC stream.
 * - Where an Arrow file's float32 columns lie is found there too (io/arrow-layout.ts), from the
 *   messages' metadata, before the file is read (io/shared-read.ts).
 * A worker that misses its deadline is terminated and the file reported as unreadable (where a
 * layout misses it, the file is read as it is instead). The worker's code is decode-worker.ts.
 */
type WorkerReply = Omit<DecodeReply, 'id'>;
/**
 * Deadline: generous for real files, short enough that a hang ends a run rather than stalls it.
 * It is wall time, so it stretches with the machine's run queue per core: on a machine busy with
 * other work (16 shard workers loading at once on 2 cores) the reader gets a fraction of a core,
 * and a real file must not be called corrupt for that.
 */
function deadlineMs(bytes: number): number {
  const contention = Math.max(1, loadavg()[0] / availableParallelism());
  return Math.ceil((5_000 + Math.ceil(bytes / (20 << 20)) * 1000) * Math.min(contention, 20));
}

/**
 * One decode worker per process, started on first use and unreferenced while idle. It is given
 * one job at a time, and a job's deadline runs from when it is given: a job queued behind a slow
 * one (a large file's check) does not lose its time waiting. A job that misses its deadline, or a
 * worker that dies (a runaway allocation hits its heap limit), ends that worker; the jobs queued
 * behind it start on a fresh one.
 */
interface DecodeWorker {
  worker: Worker;
  /** The job in flight on this worker (each worker its own: a dying worker fails only it). */
  waiting: Map<number, (reply: WorkerReply) => void>;
  /** Jobs waiting for their turn, each started on the worker then current. */
  queued: Start[];
}
type Start = (entry: DecodeWorker) => void;

let current: DecodeWorker | undefined;
let nextJob = 1;

function decodeWorker(): DecodeWorker {
  if (current) return current;
  const w = new Worker(compiledModule(import.meta.url, 'decode-worker.js'), {
    name: 'gpuseg-decode',
    execArgv: workerExecArgv(),
    resourceLimits: { maxOldGenerationSizeMb: 2048 },
  });
  const entry: DecodeWorker = { worker: w, waiting: new Map(), queued: [] };
  w.on('message', (reply: DecodeReply) => {
    const resolve = entry.waiting.get(reply.id);
    entry.waiting.delete(reply.id);
    if (entry.waiting.size === 0) w.unref();
    resolve?.(reply);
    if (entry.waiting.size === 0) entry.queued.shift()?.(entry);
  });
  const fail = (message: string): void => {
    if (current === entry) current = undefined;
    for (const resolve of entry.waiting.values()) resolve({ ok: false, message });
    entry.waiting.clear();
    for (const start of entry.queued.splice(0)) dispatch(start);
  };
  w.on('error', (error) => fail(error.message));
  w.on('exit', (code) => fail(`the reader stopped (status ${code})`));
  // Unreferenced after the listeners: attaching 'message' references the worker again.
  w.unref();
  current = entry;
  return entry;
}

/** Starts a job on the current worker now, or queues it behind the one in flight. */
function dispatch(start: Start): void {
  const entry = decodeWorker();
  if (entry.waiting.size === 0) start(entry);
  else entry.queued.push(start);
}

/**
 * Starts the decode worker ahead of its first job (it stays unreferenced while idle): its start —
 * a thread, apache-arrow loaded — then overlaps the read of the file the job will check.
 */
export function startDecodeWorker(): void {
  decodeWorker();
}

function runWorker(job: DecodeTask, bytes: number): Promise<WorkerReply> {
  return new Promise((resolve) =>
    dispatch((entry) => {
      const id = nextJob++;
      const limit = deadlineMs(bytes);
      const timer = setTimeout(() => {
        entry.waiting.delete(id);
        if (current === entry) current = undefined;
        void entry.worker.terminate();
        resolve({
          ok: false,
          message: `the reader did not finish within ${limit / 1000} s (the file is likely corrupt)`,
        });
        for (const start of entry.queued.splice(0)) dispatch(start);
      }, limit);
      timer.unref();
      entry.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      entry.worker.ref();
      const message: DecodeJob = { ...job, id };
      entry.worker.postMessage(message);
    }),
  );
}

/** Parses Arrow IPC bytes in a worker; throws an Error with the reason when that fails or hangs. */
export async function checkArrowInWorker(bytes: Uint8Array): Promise<void> {
  const reply = await runWorker({ kind: 'arrow', bytes }, bytes.length);
  if (!reply.ok) throw new Error(reply.message ?? 'unreadable');
}

/**
 * Where the float32 columns of an Arrow IPC file open as `fd` lie (io/arrow-layout.ts: apache-arrow
 * parses the messages' metadata, in the worker), or undefined where they cannot be read in place,
 * the metadata is unreadable or its parse misses the deadline: the file is read as it is then.
 * The deadline is a small file's: only the metadata, a few hundred bytes a batch, is read.
 */
export async function arrowLayoutInWorker(
  fd: number,
  size: number,
): Promise<ArrowLayout | undefined> {
  const reply = await runWorker({ kind: 'arrow-layout', fd, size }, 0);
  return reply.ok ? reply.layout : undefined;
}

/**
 * Reads an Arrow IPC file through once in a worker, a batch at a time (messages, footer, buffers
 * located but not converted), before readers on this thread (the out-of-core passes) touch it:
 * the same bytes parse the same way every pass, so a file that passes cannot hang them. Returns
 * the row count.
 */
export async function checkArrowFileInWorker(
  path: string,
  bytes: number,
): Promise<{ rows: number }> {
  const reply = await runWorker({ kind: 'arrow-scan', path }, bytes);
  if (!reply.ok || reply.rows === undefined) throw new Error(reply.message ?? 'unreadable');
  return { rows: reply.rows };
}

/**
 * A Parquet file read a row group at a time, decoded in the worker: parquet-wasm panics on some
 * corrupt files inside its asynchronous reads, where no caller can catch it, and a panic there
 * would end the process; in the worker it ends the worker, and the next job starts a fresh one
 * (a fresh WebAssembly instance too, as a panicked one is not to be trusted).
 */
export async function parquetLayoutInWorker(
  path: string,
  bytes: number,
): Promise<{ groups: number; rows: number }> {
  const reply = await runWorker({ kind: 'parquet-meta', path }, bytes);
  if (!reply.ok || reply.groups === undefined || reply.rows === undefined) throw retire(reply);
  return { groups: reply.groups, rows: reply.rows };
}

/** Row group `group` of a Parquet file, as an Arrow IPC stream. */
export async function parquetRowGroupInWorker(
  path: string,
  group: number,
  bytes: number,
): Promise<Uint8Array> {
  const reply = await runWorker({ kind: 'parquet-group', path, group }, bytes);
  if (!reply.ok || !reply.ipc) throw retire(reply);
  return reply.ipc;
}

/** After a failed Parquet job the worker is replaced, and the failure becomes an Error. */
function retire(reply: WorkerReply): Error {
  if (current) {
    void current.worker.terminate();
    current = undefined;
  }
  return new Error(reply.message ?? 'unreadable');
}

/** Decodes Parquet bytes in a worker; returns them as an Arrow IPC stream. */
export async function parquetToIpcInWorker(bytes: Uint8Array): Promise<Uint8Array> {
  const reply = await runWorker({ kind: 'parquet', bytes }, bytes.length);
  if (!reply.ok || !reply.ipc) throw retire(reply);
  return reply.ipc;
}
