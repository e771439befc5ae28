import { Command } from 'commander';
import { serveShard, UsageError, type ShardWorkerOptions } from '../../index.js';
import { printNotice, printResult } from '../terminal.js';

interface WorkerFlags {
  redis: string;
  shard?: string;
  shards?: string;
  index?: string;
  backend?: ShardWorkerOptions['backend'];
  lockDuration?: string;
  runs?: string;
  outOfCore?: boolean;
  chunkRows?: string;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag}: expected an integer ≥ 0, got '${value}'`);
  return Number(value);
}

/** `gpuseg worker`: serves one shard of a sharded fit (API: serveShard) until its run ends. */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'serve one shard of a sharded fit (gpuseg fit --redis … --shards …): load it once, answer its passes until the run ends',
    )
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://redis:6379')
    .option('--shard <path>', 'the shard file (Arrow IPC, Parquet or CSV)')
    .option(
      '--shards <glob>',
      "the shards' file pattern (wildcards in the file name), with --index",
    )
    .option('--index <i>', 'with --shards: which match, in path order (e.g. $JOB_COMPLETION_INDEX)')
    .option('--backend <backend>', 'auto (a GPU when there is one), gpu or cpu', 'auto')
    .option(
      '--lock-duration <ms>',
      "ms a pass job's lock and the shard's lease live without renewal: a dead worker's pass is retried, and a standby takes over, after about this long",
      '30000',
    )
    .option('--runs <n>', 'runs to serve to their end before exiting', '1')
    .option(
      '--out-of-core',
      'read the shard chunk by chunk on every pass instead of holding it (default: only when the shard file is over 40% of memory)',
    )
    .option('--chunk-rows <n>', 'with --out-of-core: rows per chunk read (default: 1048576)')
    .action(async (flags: WorkerFlags) => {
      if (!['auto', 'gpu', 'cpu'].includes(flags.backend ?? 'auto'))
        throw new UsageError(`--backend: expected auto, gpu or cpu, got '${flags.backend}'`);
      const r = await serveShard({
        redis: flags.redis,
        shard: flags.shard,
        shards: flags.shards,
        index: integer('--index', flags.index),
        backend: flags.backend,
        lockDuration: integer('--lock-duration', flags.lockDuration),
        runs: integer('--runs', flags.runs),
        outOfCore: flags.outOfCore,
        chunkRows: integer('--chunk-rows', flags.chunkRows),
        onNotice: printNotice,
      });
      printResult(
        r.stoodBy
          ? `shard ${r.shard}: stood by; the run ended`
          : `shard ${r.shard}: served run(s) ${r.runs.join(', ')}`,
      );
    });
}
