import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { openBackend, type BackendChoice } from '../backend/select.js';
import { EnvironmentError, GpusegError, InternalError, UsageError } from '../errors.js';
import { chooseOutOfCore } from '../api/out-of-core-choice.js';
import { resolveParameters } from '../api/parameter-check.js';
import { OUT_OF_CORE_PARAMETERS } from '../api/parameters.js';
import type { ShardWorkerOptions, ShardWorkerResult as WorkerOutcome } from '../api/sharded.js';
import type { PassAnswer, PassJobData, RunSetup } from './payload.js';
import {
  checkRedisUrl,
  connectRedis,
  leaseKey,
  QUEUE_PREFIX,
  queueConnection,
  runKey,
  shardQueueName,
} from './redis.js';
import { shardWanted } from './coordinator-lease.js';
import { answerPass, type ShardPassSource } from './shard-answer.js';
import { ShardData } from './shard-data.js';
import { StreamedShard } from './streamed-shard.js';
import { chooseShard, shardTag } from './shards.js';

export interface ShardWorkerSettings {
  redis: string;
  /** The shard's file (Arrow IPC, Parquet or CSV). */
  shard: string;
  backend: BackendChoice;
  /**
   * Milliseconds a job's lock (and the shard's lease) lives without renewal: after a worker dies,
   * its job goes back to the queue and a standby takes the shard over within about twice this.
   */
  lockDuration: number;
  /** Serve the shard out of core (read chunk by chunk on every pass) rather than resident. */
  outOfCore: boolean;
  /** Out of core: rows per chunk read. */
  chunkRows: number;
  /** Runs to serve to their end before leaving (a run ends when its coordinator closes it). */
  runs: number;
  onNotice: (message: string) => void;
  signal?: AbortSignal;
}

export interface ShardWorkerResult {
  /** Runs whose passes this worker answered. */
  runs: string[];
  /** Whether it only stood by (another worker served the shard to the end). */
  stoodBy: boolean;
}

/**
 * Takes the lease if free (or, with ARGV[3] = '1', if it only marks a finished worker: a worker
 * that never saw the shard served starts a new run), or renews it if it is ours; 1 on success.
 */
const TAKE_OR_RENEW = `
local v = redis.call('get', KEYS[1])
if v == false or (ARGV[3] == '1' and string.sub(v, 1, 5) == 'done:') then
  redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
  return 1
end
if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
return 0`;

/** Marks the lease `done:<id>` if it is ours. */
const MARK_DONE = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[1], 'done:' .. ARGV[1], 'px', ARGV[2])
end
return 0`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A long-lived worker for one shard: reads it once, then either serves it (holds the shard's lease
 * in Redis and answers its queue's pass jobs) or, while another worker holds the lease, stands by
 * with the shard loaded and takes over when that lease expires. It ends when the coordinator
 * closes a run it served (or, standing by, when the serving worker ended and no next run wants
 * the shard). Passes run on the backend's threads or the GPU, so BullMQ's lock renewal on this
 * thread never waits for a pass.
 */
export async function serveShardWorker(settings: ShardWorkerSettings): Promise<ShardWorkerResult> {
  const { shard, onNotice } = settings;
  const client = await connectRedis(settings.redis);
  const tag = shardTag(shard);
  const me = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const backend = await openBackend(settings.backend, onNotice);
  let data: ShardPassSource<unknown> | undefined;
  try {
    data = settings.outOfCore
      ? await StreamedShard.open(shard, backend, settings.chunkRows)
      : await ShardData.load(shard, backend);
    onNotice(
      `worker ${me}: shard '${tag}' ${settings.outOfCore ? `opened out of core, chunks of ${settings.chunkRows} rows` : 'loaded'} (${data.rows} rows, ${backend.deviceName})`,
    );
    if (!(await takeShard(settings, client, me))) return { runs: [], stoodBy: true };
    onNotice(`worker ${me}: serving shard '${tag}'`);
    return { runs: await serve(settings, client, data, me), stoodBy: false };
  } finally {
    await data?.dispose();
    await backend.dispose();
    client.disconnect();
  }
}

/**
 * Takes the shard's lease, standing by while another worker holds it: false when this worker
 * should leave instead. A standby takes over when the holder's lease lapses (it died); when the
 * holder ended its runs (a done-mark), it takes over only if a run with a live coordinator still
 * wants the shard (the next run, started back to back), and leaves once the done-mark's lifetime
 * has passed without one.
 */
async function takeShard(
  settings: ShardWorkerSettings,
  client: Redis,
  me: string,
): Promise<boolean> {
  const { lockDuration, onNotice } = settings;
  const tag = shardTag(settings.shard);
  const lease = leaseKey(tag);
  let standing = false;
  /** When the holder this worker stood by for ended its runs. */
  let endedAt: number | undefined;
  for (;;) {
    if (settings.signal?.aborted) return false;
    // A fresh worker may take a done-marked lease; a standby, once a run wants the shard.
    const mayTake = !standing || endedAt === undefined || (await shardWanted(client, tag));
    const fresh = !standing || endedAt !== undefined ? '1' : '0';
    if (mayTake && (await client.eval(TAKE_OR_RENEW, 1, lease, me, lockDuration, fresh)) === 1)
      return true;
    const holder = (await client.get(lease)) ?? '';
    if (holder.startsWith('done:')) endedAt ??= Date.now();
    else if (holder !== '') endedAt = undefined;
    if (endedAt !== undefined && Date.now() - endedAt > doneMarkMs(lockDuration)) return false;
    if (!standing) onNotice(`shard '${tag}' is served by ${holder}; standing by`);
    standing = true;
    await sleep(Math.max(50, lockDuration / 4));
  }
}

/** How long a done-mark lives: a standby waits this long for a next run before leaving. */
function doneMarkMs(lockDuration: number): number {
  return Math.max(5000, 3 * lockDuration);
}

async function serve(
  settings: ShardWorkerSettings,
  client: Redis,
  data: ShardPassSource<unknown>,
  me: string,
): Promise<string[]> {
  const { lockDuration, onNotice } = settings;
  const tag = shardTag(settings.shard);
  const lease = leaseKey(tag);
  const runs = new Set<string>();
  const closed = new Set<string>();
  const setups = new Map<string, RunSetup>();
  let finish: (error?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  // Test hook: hold every pass this long, so a test can kill a worker while it holds a job.
  const delay = Number(process.env.GPUSEG_TEST_PASS_DELAY_MS ?? 0);
  const processor = async (job: Job<PassJobData>): Promise<PassAnswer> => {
    const { run, shard, ...request } = job.data;
    if (request.kind === 'close') {
      if (runs.has(run)) closed.add(run);
      if (closed.size >= settings.runs) setImmediate(() => finish());
      return { kind: 'close' };
    }
    runs.add(run);
    onNotice(`shard ${shard} '${tag}': ${request.kind} pass of run ${run}`);
    if (delay > 0) await sleep(delay);
    try {
      return await answerPass(data, run, request, async () => {
        let setup = setups.get(run);
        if (!setup) {
          const text = await client.get(runKey(run, 'setup'));
          if (text === null) throw new InternalError(`run ${run} has no setup in Redis`);
          setup = JSON.parse(text) as RunSetup;
          setups.set(run, setup);
        }
        return setup;
      });
    } catch (error) {
      // Foreseen failures (bad rows in this shard, ...) go back as answers, not retried.
      if (error instanceof GpusegError)
        return {
          kind: 'error',
          error: { kind: error.kind, message: error.message, code: error.code },
        };
      throw error;
    }
  };
  const worker = new Worker<PassJobData, PassAnswer>(shardQueueName(tag), processor, {
    connection: queueConnection(settings.redis),
    prefix: QUEUE_PREFIX,
    concurrency: 1,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 10,
  });
  worker.on('error', (error) => onNotice(`worker: ${error.message}`));
  const renew = setInterval(() => {
    client.eval(TAKE_OR_RENEW, 1, lease, me, lockDuration, '0').then(
      (held) => {
        if (held !== 1)
          finish(new EnvironmentError(`shard '${tag}': another worker took the lease over`));
      },
      (error: Error) => onNotice(`lease renewal failed: ${error.message}`),
    );
  }, lockDuration / 4);
  const abort = (): void => finish();
  settings.signal?.addEventListener('abort', abort);
  try {
    await finished;
  } finally {
    clearInterval(renew);
    settings.signal?.removeEventListener('abort', abort);
    await worker.close();
    // Standby workers of this shard see the end: they leave too, unless a next run wants the shard.
    await client.eval(MARK_DONE, 1, lease, me, doneMarkMs(lockDuration));
  }
  return [...runs];
}

/** serveShard's body: the options checked, the shard chosen. */
export async function runShardWorker(options: ShardWorkerOptions): Promise<WorkerOutcome> {
  checkRedisUrl(options.redis);
  const shard = chooseShard(options.shard, options.shards, options.index);
  const lockDuration = options.lockDuration ?? 30_000;
  if (!Number.isInteger(lockDuration) || lockDuration < 100)
    throw new UsageError(
      (opt) => `${opt('lockDuration')}: expected milliseconds ≥ 100, got ${lockDuration}`,
    );
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError((opt) => `${opt('runs')}: expected an integer ≥ 1, got ${runs}`);
  const { chunkRows } = resolveParameters(OUT_OF_CORE_PARAMETERS, { chunkRows: options.chunkRows });
  if (options.outOfCore !== undefined && typeof options.outOfCore !== 'boolean')
    throw new UsageError(
      (opt) =>
        `${opt('outOfCore')}: expected true or false, got ${JSON.stringify(options.outOfCore)}`,
    );
  const onNotice = options.onNotice ?? (() => undefined);
  // Out of core when asked, or when the shard would not fit in memory (as a fit of one file decides).
  const outOfCore = chooseOutOfCore(shard, options.outOfCore === true, 'kmeans', undefined, (m) =>
    onNotice(m),
  );
  const result = await serveShardWorker({
    outOfCore,
    chunkRows,
    runs,
    redis: options.redis,
    shard,
    backend: options.backend ?? 'auto',
    lockDuration,
    onNotice,
    signal: options.signal,
  });
  return { shard, outOfCore, ...result };
}
