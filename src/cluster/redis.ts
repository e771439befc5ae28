import { Redis, type RedisOptions } from 'ioredis';
import { EnvironmentError, UsageError } from '../errors.js';

/**
 * The Redis a sharded run meets on: connections from a URL, and every name the run uses there —
 * BullMQ queues (one per shard, named by the shard's file name, so a worker started with only its
 * shard finds its jobs) and plain keys under the run id (the pass log, the setup, the epoch) or
 * the shard (the lease that makes a second worker stand by).
 */

/** BullMQ's key prefix for gpuseg's queues. */
export const QUEUE_PREFIX = 'gpuseg';

/**
 * Connection options for BullMQ, which then owns (and closes) its connections; its blocking
 * commands must never give up (maxRetriesPerRequest null).
 */
export function queueConnection(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || 'localhost',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db ? Number(db) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** `url` without a password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** A UsageError unless `url` is a redis:// or rediss:// URL. */
export function checkRedisUrl(url: unknown): asserts url is string {
  let ok = false;
  if (typeof url === 'string')
    try {
      ok = ['redis:', 'rediss:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
  if (!ok)
    throw new UsageError(
      (opt) =>
        `${opt('redis')}: expected a URL such as redis://host:6379, got ${JSON.stringify(url)}`,
    );
}

/**
 * A plain client, once the server has answered a PING: an unreachable Redis is an
 * EnvironmentError at once (exit 5), not a client retrying forever.
 */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<Redis> {
  checkRedisUrl(url);
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  };
  const client = new Redis(url, options);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new EnvironmentError(
      (opt) =>
        `cannot reach Redis at ${redactedUrl(url)} (${reason}); check ${opt('redis')} and that the server is running`,
      { cause: error },
    );
  }
  // Later drops are retried (a Redis restart should not end a run); failed commands still throw.
  client.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  return client;
}

/** The queue of one shard: its file name, made safe for BullMQ (no ':'). */
export function shardQueueName(shard: string): string {
  return `shard.${encodeURIComponent(shard)}`;
}

/** The queue whose parent jobs complete when every shard of a pass has answered. */
export function passQueueName(runId: string): string {
  return `run.${runId}`;
}

/** Who serves a shard: a worker id while one does, `done:<id>` once its run ended. */
export function leaseKey(shard: string): string {
  return `${QUEUE_PREFIX}:lease:${encodeURIComponent(shard)}`;
}

/**
 * The runs that want a shard served: a set of run ids, each added by its coordinator at its start
 * and removed at its close. A standby whose serving worker ended its runs takes the shard over
 * when a run here still has a live coordinator (its lease), and leaves otherwise.
 */
export function wantedKey(shard: string): string {
  return `${QUEUE_PREFIX}:wanted:${encodeURIComponent(shard)}`;
}

/** A key of a run: 'setup', 'epoch', 'pass:<n>', 'coordinator' (the live coordinator's lease). */
export function runKey(runId: string, what: string): string {
  return `${QUEUE_PREFIX}:run:${runId}:${what}`;
}

const RUN_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** A UsageError unless `runId` is 1-64 of [A-Za-z0-9_.-] (it names Redis keys and job ids). */
export function checkRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId))
    throw new UsageError(
      (opt) =>
        `${opt('runId')}: expected 1-64 letters, digits, '_', '.' or '-', got ${JSON.stringify(runId)}`,
    );
}
