import { FlowProducer, Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  EnvironmentError,
  GpusegError,
  InputError,
  InternalError,
  UsageError,
  type ErrorKind,
} from '../errors.js';
import type { PassAnswer, PassJobData, PassRequest } from './payload.js';
import {
  leaseKey,
  passQueueName,
  QUEUE_PREFIX,
  queueConnection,
  runKey,
  shardQueueName,
} from './redis.js';
import { shardTag } from './shards.js';

/**
 * Sends each pass to the shards as one BullMQ flow: a parent job on the run's queue with one child
 * per shard on the shard's queue. BullMQ moves the parent on only when every child has completed
 * (a child whose worker died is retried by its queue's stalled-job check), and the coordinator's
 * own worker on the run's queue then reads the children's answers. While it waits, it checks that
 * every shard has a worker (a lease in Redis) and fails the pass when one has had none for
 * `workerTimeout` ms.
 */
export class PassDispatcher {
  private readonly pending = new Map<string, (values: Record<string, PassAnswer>) => void>();
  private readonly parents: Worker;
  private readonly flows: FlowProducer;

  private constructor(
    private readonly url: string,
    private readonly client: Redis,
    private readonly runId: string,
    private readonly epoch: number,
    private readonly shards: readonly string[],
    private readonly workerTimeout: number,
  ) {
    this.flows = new FlowProducer({ connection: queueConnection(url), prefix: QUEUE_PREFIX });
    this.parents = new Worker(
      passQueueName(runId),
      async (job) => {
        const resolve = this.pending.get(job.id ?? '');
        // A parent of an earlier coordinator of this run (killed mid-pass): nothing waits for it.
        if (resolve) resolve(await job.getChildrenValues<PassAnswer>());
      },
      { connection: queueConnection(url), prefix: QUEUE_PREFIX, concurrency: 8 },
    );
    this.parents.on('error', () => undefined);
  }

  /** Each start of a coordinator for a run gets a new epoch, so its job ids are new. */
  static async open(
    url: string,
    client: Redis,
    runId: string,
    shards: readonly string[],
    workerTimeout: number,
  ): Promise<PassDispatcher> {
    const epoch = await client.incr(runKey(runId, 'epoch'));
    return new PassDispatcher(url, client, runId, epoch, shards, workerTimeout);
  }

  /** Pass `n`: `requests[i]` to shard i; the answers in shard order. */
  async dispatch(n: number, requests: PassRequest[]): Promise<PassAnswer[]> {
    const parentId = `${this.runId}.${this.epoch}.${n}`;
    const childId = (i: number): string => `${parentId}.${i}`;
    const values = new Promise<Record<string, PassAnswer>>((resolve) =>
      this.pending.set(parentId, resolve),
    );
    try {
      await this.flows.add({
        name: requests[0].kind,
        queueName: passQueueName(this.runId),
        data: { n },
        opts: { jobId: parentId, removeOnComplete: true, removeOnFail: true },
        children: requests.map((request, i) => ({
          name: request.kind,
          queueName: shardQueueName(shardTag(this.shards[i])),
          data: { ...request, run: this.runId, shard: i } satisfies PassJobData,
          opts: {
            jobId: childId(i),
            failParentOnFailure: true,
            removeOnComplete: { age: 3600 },
            removeOnFail: { age: 24 * 3600 },
          },
        })),
      });
      const byKey = await this.watch(parentId, values);
      return requests.map((_, i) => {
        const answer =
          byKey[`${QUEUE_PREFIX}:${shardQueueName(shardTag(this.shards[i]))}:${childId(i)}`];
        if (!answer) throw new InternalError(`pass ${n}: shard ${i} returned no answer`);
        if (answer.kind === 'error') throw shardError(i, this.shards[i], answer.error);
        return answer;
      });
    } finally {
      this.pending.delete(parentId);
    }
  }

  /** Waits for the pass, failing it when its parent failed or a shard has no worker. */
  private async watch<T>(parentId: string, done: Promise<T>): Promise<T> {
    const unserved = new Map<number, number>();
    let timer: NodeJS.Timeout | undefined;
    const check = async (): Promise<void> => {
      const parent = await Job.fromId(this.queueForParents(), parentId);
      if (parent && (await parent.getState()) === 'failed')
        throw new EnvironmentError(`a pass failed: ${parent.failedReason}`);
      const now = Date.now();
      const holders = await this.client.mget(this.shards.map((s) => leaseKey(shardTag(s))));
      holders.forEach((holder, i) => {
        if (holder !== null && !holder.startsWith('done:')) unserved.delete(i);
        else if (!unserved.has(i)) unserved.set(i, now);
      });
      for (const [i, since] of unserved)
        if (now - since > this.workerTimeout)
          throw new EnvironmentError(
            (opt) =>
              `shard ${i} ('${this.shards[i]}'): no worker has served it for ${Math.round((now - since) / 1000)} s (${opt('workerTimeout')} ${this.workerTimeout / 1000}); start one: gpuseg worker --redis URL --shard ${this.shards[i]}`,
          );
    };
    const failure = new Promise<never>((_, reject) => {
      const tick = (): void => {
        timer = setTimeout(() => check().then(tick, reject), 250);
      };
      check().then(tick, reject);
    });
    try {
      return await Promise.race([done, failure]);
    } finally {
      clearTimeout(timer);
      failure.catch(() => undefined);
    }
  }

  private parentQueue: Queue | undefined;
  private queueForParents(): Queue {
    this.parentQueue ??= new Queue(passQueueName(this.runId), {
      connection: queueConnection(this.url),
      prefix: QUEUE_PREFIX,
    });
    return this.parentQueue;
  }

  /** Tells every shard's worker that the run is over (no answer awaited: a worker may be gone). */
  async closeRun(): Promise<void> {
    await Promise.all(
      this.shards.map(async (shard, i) => {
        const queue = new Queue(shardQueueName(shardTag(shard)), {
          connection: queueConnection(this.url),
          prefix: QUEUE_PREFIX,
        });
        await queue.add(
          'close',
          { kind: 'close', run: this.runId, shard: i } satisfies PassJobData,
          { removeOnComplete: true, removeOnFail: true },
        );
        await queue.close();
      }),
    );
  }

  async close(): Promise<void> {
    await this.parents.close();
    await this.flows.close();
    await this.parentQueue?.close();
  }
}

/** A shard's foreseen failure, as the class it was on the worker, naming the shard. */
function shardError(
  index: number,
  path: string,
  error: { kind: string; message: string; code: string },
): GpusegError {
  const message = `shard ${index} ('${path}'): ${error.message}`;
  const kind = error.kind as ErrorKind;
  if (kind === 'input') return new InputError(message);
  if (kind === 'usage') return new UsageError(message);
  if (kind === 'environment') return new EnvironmentError(message);
  return new GpusegError(kind, message, { code: error.code });
}
