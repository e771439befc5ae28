import type { Command } from 'commander';
import { UsageError } from '../index.js';

/** fit's flags for a sharded fit (API: fitSharded). */
export interface ShardedFlags {
  redis?: string;
  shards?: string;
  runId?: string;
  workerTimeout?: string;
}

export function addShardedOptions(command: Command): Command {
  return command
    .option(
      '--redis <url>',
      'sharded fit: the Redis its workers (gpuseg worker) serve shards on, e.g. redis://redis:6379',
    )
    .option(
      '--shards <glob>',
      "sharded fit: the shards' file pattern (wildcards in the file name; shard i = i-th path in order); --output OUT writes OUT.shard-N.arrow and OUT.manifest.json",
    )
    .option(
      '--run-id <id>',
      "sharded fit: the run's name in Redis; a coordinator restarted with it resumes from the checkpoint (default: a new id)",
    )
    .option(
      '--worker-timeout <s>',
      'sharded fit: seconds a shard may go without a worker before the fit fails (default: 60)',
    );
}

/** The sharded fit's settings from the flags, or undefined for a fit of one input. */
export function shardedFromFlags(
  input: string | undefined,
  flags: ShardedFlags,
): { redis: string; shards: string; runId?: string; workerTimeout?: number } | undefined {
  const { redis, shards, runId, workerTimeout } = flags;
  if (redis === undefined && shards === undefined) {
    if (runId !== undefined || workerTimeout !== undefined)
      throw new UsageError('--run-id and --worker-timeout go with --redis and --shards');
    if (input === undefined) throw new UsageError("missing required argument 'input'");
    return undefined;
  }
  if (redis === undefined || shards === undefined)
    throw new UsageError('a sharded fit needs both --redis URL and --shards GLOB');
  if (input !== undefined)
    throw new UsageError(
      `a sharded fit reads its shards (--shards), not '${input}'; drop the input argument`,
    );
  let timeout: number | undefined;
  if (workerTimeout !== undefined) {
    timeout = Number(workerTimeout);
    if (!(timeout > 0))
      throw new UsageError(`--worker-timeout: expected seconds > 0, got '${workerTimeout}'`);
  }
  return { redis, shards, runId, workerTimeout: timeout };
}
