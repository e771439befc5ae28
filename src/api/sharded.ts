import type { BackendChoice } from '../backend/select.js';
import type { OutOfCoreOptions, OutOfCoreResult } from './fit-out-of-core.js';
import { checkObjectArgument } from '../util/arguments.js';

/**
 * Sharded fits over Redis and BullMQ (issue 20). Both entry points load the cluster modules (and
 * with them bullmq and ioredis) on first call, so importing gpuseg loads neither.
 */

/** fitOutOfCore's options, with the shards and the Redis they meet on instead of a file. */
export interface ShardedFitOptions extends Omit<OutOfCoreOptions, 'spill' | 'chunkRows'> {
  /** Redis URL (redis://host:6379). */
  redis: string;
  /**
   * The shards: a file pattern ('data/part-*.arrow', wildcards in the file name); shard i is the
   * i-th match in code-point order of the paths.
   */
  shards: string;
  /** Names the run's checkpoint in Redis: a coordinator restarted with it resumes. Default: a new id. */
  runId?: string;
  /** Seconds a shard may go without a worker before the fit fails. Default 60. */
  workerTimeout?: number;
  /**
   * Per-row output prefix OUT: each worker writes OUT.shard-N.arrow (a trailing .arrow is taken
   * off OUT), then the fit writes OUT.manifest.json listing them.
   */
  output?: string;
}

export interface ShardedFitResult extends OutOfCoreResult {
  runId: string;
  shards: { path: string; rows: number; firstRow: number }[];
  /** Passes answered from the run's checkpoint (a resumed run) rather than sent to the workers. */
  replayedPasses: number;
  /** OUT.manifest.json, when `output` was given. */
  manifest: string | undefined;
}

/**
 * k-means or a Gaussian mixture over shards held by `gpuseg worker` processes: the same fit as
 * fitOutOfCore over the shards concatenated (bit for bit when every shard has `chunkRows` rows),
 * each pass a BullMQ flow over the shards, their statistics merged in shard order in float64.
 */
export async function fitSharded(options: ShardedFitOptions): Promise<ShardedFitResult> {
  checkObjectArgument(options, 'options');
  const { runShardedFit } = await import('../cluster/fit-sharded.js');
  return runShardedFit(options);
}

export interface ShardWorkerOptions {
  /** Redis URL (redis://host:6379). */
  redis: string;
  /** The shard's file; or `shards` and `index`. */
  shard?: string;
  /** A file pattern, as fitSharded's `shards`; the worker serves match `index`. */
  shards?: string;
  /** Which match of `shards` (e.g. Kubernetes' JOB_COMPLETION_INDEX). */
  index?: number;
  /** Default 'auto' (a GPU when there is one, else the CPU). */
  backend?: BackendChoice;
  /** Milliseconds a job lock and the shard's lease live without renewal (default 30000). */
  lockDuration?: number;
  /** Runs to serve to their end before returning (default 1: a Kubernetes pod per run). */
  runs?: number;
  /**
   * Serve the shard out of core: read it chunk by chunk on every pass instead of holding it
   * (the same statistics, bit for bit, on the CPU backend). Default: only when the shard file is
   * over 40% of the machine's memory, as fitOutOfCore is chosen for one file.
   */
  outOfCore?: boolean;
  /** Out of core: rows per chunk read from the shard (default 1048576, as fitOutOfCore's). */
  chunkRows?: number;
  onNotice?: (message: string) => void;
  signal?: AbortSignal;
}

export interface ShardWorkerResult {
  shard: string;
  /** Whether it served the shard out of core. */
  outOfCore: boolean;
  /** Runs this worker answered passes of. */
  runs: string[];
  /** Whether it only stood by while another worker served the shard. */
  stoodBy: boolean;
}

/**
 * Serves one shard until the run it served is closed by its coordinator (a long-lived worker):
 * reads the shard once, then answers its pass jobs, or stands by while another worker serves it.
 */
export async function serveShard(options: ShardWorkerOptions): Promise<ShardWorkerResult> {
  checkObjectArgument(options, 'options');
  const { runShardWorker } = await import('../cluster/worker.js');
  return runShardWorker(options);
}
