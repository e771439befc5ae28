import { randomUUID } from 'node:crypto';
import { Table } from 'apache-arrow';
import { ReservoirSlots } from '../data/row-sample.js';
import { excludedNotice } from '../data/column-types.js';
import { InputError, UsageError } from '../errors.js';
import { checkChunkOutputPath } from '../io/batch-writer.js';
import { checkPassFitOptions, fitOverPasses } from '../api/fit-over-passes.js';
import type { ShardedFitOptions, ShardedFitResult } from '../api/sharded.js';
import { CoordinatorLease } from './coordinator-lease.js';
import { PassDispatcher } from './dispatcher.js';
import { PassLog } from './pass-log.js';
import { pack, type PassAnswer, type RunSetup, type ScanAnswer } from './payload.js';
import { checkRedisUrl, checkRunId, connectRedis, runKey } from './redis.js';
import { sampleTable } from './shard-data.js';
import { ShardPasses, shardOutputPaths, type ShardInfo } from './shard-passes.js';
import { expandShards, shardTag } from './shards.js';

/**
 * fitSharded's body, the coordinator: the out-of-core fit's passes, each sent to the shards'
 * workers. Its first two passes are the scan (each shard validated and counted, its column roles
 * resolved) and the sample: the reservoir's rows chosen from the row counts alone, by their number
 * in the whole table, and fetched from the shards that hold them — the rows the out-of-core fit
 * samples from the concatenated file. Every pass goes through the run's PassLog (the checkpoint).
 */
export async function runShardedFit(options: ShardedFitOptions): Promise<ShardedFitResult> {
  checkRedisUrl(options.redis);
  const runId = options.runId ?? randomUUID();
  checkRunId(runId);
  const workerTimeout = options.workerTimeout ?? 60;
  if (typeof workerTimeout !== 'number' || !(workerTimeout > 0))
    throw new UsageError(
      (opt) => `${opt('workerTimeout')}: expected seconds > 0, got ${String(workerTimeout)}`,
    );
  const { settings, dataOptions, sampleRows, notices, notice } = checkPassFitOptions(
    options,
    'shards',
  );
  if (options.output !== undefined)
    for (const path of Object.values(shardOutputPaths(options.output, 1)).flat())
      if (path.endsWith('.arrow')) checkChunkOutputPath(path, { option: 'output' });
  const paths = expandShards(options.shards);
  const tags = new Set(paths.map(shardTag));
  if (tags.size !== paths.length)
    throw new UsageError(
      (opt) =>
        `${opt('shards')} '${options.shards}': two shards share a file name; the workers' queues are named by it`,
    );
  const client = await connectRedis(options.redis);
  let lease: CoordinatorLease;
  try {
    lease = await CoordinatorLease.take(client, runId, paths.map(shardTag), notice);
  } catch (error) {
    client.disconnect();
    throw error;
  }
  let dispatcher: PassDispatcher;
  try {
    dispatcher = await PassDispatcher.open(
      options.redis,
      client,
      runId,
      paths,
      workerTimeout * 1000,
    );
  } catch (error) {
    await lease.release().catch(() => undefined);
    client.disconnect();
    throw error;
  }
  const log = new PassLog(client, runId);
  const send = (requests: Parameters<PassLog['run']>[0]): Promise<PassAnswer[]> =>
    log.run(requests, (n, r) => {
      lease.check();
      return dispatcher.dispatch(n, r);
    });
  notice(`sharded fit: run ${runId}, ${paths.length} shards`);
  try {
    const allowMissing = dataOptions.impute !== 'none';
    const scans = (
      await send(
        paths.map(() => ({
          kind: 'scan',
          request: {
            id: dataOptions.id,
            features: dataOptions.features,
            profile: dataOptions.profile,
          },
          allowMissing,
        })),
      )
    ).map((a) => (a as Extract<PassAnswer, { kind: 'scan' }>).scan);
    const roles = agreedRoles(scans, paths);
    const shards: ShardInfo[] = [];
    let rows = 0;
    for (const [i, scan] of scans.entries()) {
      shards.push({ path: paths[i], rows: scan.rows, firstRow: rows });
      rows += scan.rows;
    }
    const { k, seed } = settings;
    if (k > rows) throw new InputError((opt) => `k=${k} exceeds rows=${rows}; lower ${opt('k')}`);
    const excludedColumns = scans[0].excluded;
    excludedColumns.map(excludedNotice).forEach(notice);
    const missing = new Map<string, number>();
    for (const scan of scans)
      for (const [name, n] of scan.missing) missing.set(name, (missing.get(name) ?? 0) + n);

    // The sample's rows, from the counts alone; then their values from the shards holding them.
    const slots = new ReservoirSlots(sampleRows, seed);
    for (const s of shards) slots.offer(s.rows);
    const chosen = slots.rows();
    const columns = [...roles.features, ...roles.profile];
    const answers = await send(
      shards.map((s) => ({
        kind: 'sample',
        rows: pack(
          chosen
            .filter((r) => r >= s.firstRow && r < s.firstRow + s.rows)
            .map((r) => r - s.firstRow),
        ),
        columns,
      })),
    );
    const sample: Table = sampleTable(
      columns,
      answers.map((a) => (a as Extract<PassAnswer, { kind: 'sample' }>).columns),
    );

    const result = await fitOverPasses(
      { roles, rows, sampleTable: sample, missing, excludedColumns, scanPasses: 2 },
      {
        settings,
        dataOptions,
        chunkRows: Math.max(...shards.map((s) => s.rows)),
        options,
        notice,
        notices,
      },
      async (prep) => {
        const setup: RunSetup = { roles, allowMissing, prep };
        await client.set(runKey(runId, 'setup'), JSON.stringify(setup), 'EX', 7 * 24 * 3600);
        return new ShardPasses(shards, runId, send);
      },
    );
    if (log.replayed > 0)
      notice(`sharded fit: run ${runId} resumed; ${log.replayed} passes taken from its checkpoint`);
    return {
      ...result,
      runId,
      shards: shards.map((s) => ({ ...s })),
      replayedPasses: log.replayed,
      manifest:
        options.output === undefined
          ? undefined
          : shardOutputPaths(options.output, shards.length).manifest,
    };
  } finally {
    // Off the shards' wanted sets before the close reaches the workers, so that their standbys
    // leave rather than wait for this run.
    await lease.release().catch(() => undefined);
    await dispatcher.closeRun().catch(() => undefined);
    await dispatcher.close();
    client.disconnect();
  }
}

/** The column roles every shard resolved: the same, or an InputError naming the first that differs. */
function agreedRoles(scans: ScanAnswer[], paths: string[]): ScanAnswer['roles'] {
  const first = JSON.stringify(scans[0].roles);
  scans.forEach((scan, i) => {
    if (JSON.stringify(scan.roles) !== first)
      throw new InputError(
        `shard ${i} ('${paths[i]}') has other columns than shard 0 ('${paths[0]}'): ${JSON.stringify(scan.roles)} against ${first}`,
      );
  });
  return scans[0].roles;
}
