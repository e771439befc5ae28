import { afterAll, beforeAll, expect, test } from 'vitest';
import { EnvironmentError, fitOutOfCore, fitSharded, UsageError } from '../src/index.js';
import { CoordinatorLease } from '../src/cluster/coordinator-lease.js';
import { runKey, wantedKey } from '../src/cluster/redis.js';
import { tempDir } from './helpers/cli.js';
import {
  cli,
  passesLogged,
  startRedis,
  stopAll,
  until,
  workers,
  writeShards,
  type Proc,
  type RedisServer,
} from './helpers/distributed.js';

/**
 * Runs of a sharded fit one after another and at once (issue 20): a run started as soon as the
 * previous one ended, over the same shards, is served (by the previous run's standbys, or by new
 * workers), and a second live coordinator with a run's id is refused while the first one drives
 * the run to the model the out-of-core fit gives.
 */
const ROWS = 1500;
const OPTIONS = { k: 5, backend: 'cpu' as const, seed: 4 };
let dir: string;
let redis: RedisServer;
const procs: Proc[] = [];
let reference: Awaited<ReturnType<typeof fitOutOfCore>>;

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  const { whole } = await writeShards(dir, 4, ROWS, 9, 'ref');
  reference = await fitOutOfCore(whole, { ...OPTIONS, chunkRows: ROWS });
});

afterAll(() => stopAll(procs, redis));

function started(list: Proc[]): Proc[] {
  procs.push(...list);
  return list;
}

test('three runs back to back over the same shards all end in the model, served by standbys, then by new workers', async () => {
  const { pattern } = await writeShards(dir, 4, ROWS, 9, 'again');
  const fit = (runId: string) =>
    fitSharded({ ...OPTIONS, redis: redis.url, shards: pattern, runId, workerTimeout: 15 });
  const first = started(workers(redis.url, pattern, [0, 1, 2, 3]));
  for (const w of first) await until(() => /serving shard/.test(w.stderr()), 60_000, 'workers');
  // Started while the first workers hold the shards: they stand by, then serve the next run.
  const second = started(workers(redis.url, pattern, [0, 1, 2, 3]));
  for (const w of second) await until(() => /standing by/.test(w.stderr()), 60_000, 'standbys');
  const a = await fit('again-1');
  const b = await fit('again-2');
  for (const w of first) {
    expect(await w.exited).toBe(0);
    expect(w.stdout()).toMatch(/served run\(s\) again-1/);
  }
  for (const w of second) {
    expect(await w.exited).toBe(0);
    expect(w.stdout()).toMatch(/served run\(s\) (again-1, )?again-2\n/);
  }
  // New workers at once, while the leases still carry the second run's done-marks.
  started(workers(redis.url, pattern, [0, 1, 2, 3]));
  const c = await fit('again-3');
  for (const r of [a, b, c]) {
    expect(r.model).toEqual(reference.model);
    expect(r.stats.inertia).toBe(reference.stats.inertia);
    expect(r.replayedPasses).toBe(0);
  }
});

test('a second live coordinator with the same run id is refused; the first drives the run to the model', async () => {
  const { pattern } = await writeShards(dir, 4, ROWS, 9, 'twice');
  const ws = started(
    workers(redis.url, pattern, [0, 1, 2, 3], [], { GPUSEG_TEST_PASS_DELAY_MS: '500' }),
  );
  let firstDone = false;
  const first = fitSharded({ ...OPTIONS, redis: redis.url, shards: pattern, runId: 'twice' });
  void first.finally(() => (firstDone = true)).catch(() => undefined);
  await until(() => passesLogged(ws[0], 'lloyd') >= 1, 90_000, 'a Lloyd pass');
  const args = ['fit', '--redis', redis.url, '--shards', pattern, '--k', '5', '--seed', '4'];
  const second = cli([...args, '--backend', 'cpu', '--run-id', 'twice']);
  procs.push(second);
  const api = fitSharded({ ...OPTIONS, redis: redis.url, shards: pattern, runId: 'twice' });
  await expect(api).rejects.toThrow(UsageError);
  await expect(api).rejects.toThrow(
    /^runId twice: another coordinator \(.+\) is driving this run; wait for it to end, or use a new runId$/,
  );
  expect(await second.exited).toBe(2);
  expect(second.stderr().trim().split('\n')).toEqual([
    expect.stringMatching(
      /^gpuseg: error: --run-id twice: another coordinator \(.+\) is driving this run; wait for it to end, or use a new --run-id$/,
    ),
  ]);
  expect(firstDone).toBe(false);
  const r = await first;
  expect(r.model).toEqual(reference.model);
  expect(r.replayedPasses).toBe(0);
  for (const w of ws) expect(await w.exited).toBe(0);
});

test('a run whose coordinator lease is held elsewhere and not renewed waits for its lapse, says so, and resumes', async () => {
  const { pattern } = await writeShards(dir, 4, ROWS, 9, 'lapse');
  const ws = started(workers(redis.url, pattern, [0, 1, 2, 3]));
  // A coordinator on another machine, killed: its lease runs out in 6 s.
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  await client.set(runKey('lapse', 'coordinator'), 'elsewhere:1:dead', 'PX', 6000);
  client.disconnect();
  const said: string[] = [];
  const begun = Date.now();
  const r = await fitSharded({
    ...OPTIONS,
    redis: redis.url,
    shards: pattern,
    runId: 'lapse',
    onNotice: (m) => said.push(m),
  });
  expect(Date.now() - begun).toBeGreaterThanOrEqual(5000);
  expect(said).toContainEqual(
    expect.stringMatching(
      /^sharded fit: run lapse: the coordinator lease of elsewhere:1:dead is not being renewed \(killed mid-run\?\); waiting up to \d+ s more for it to lapse, then resuming$/,
    ),
  );
  expect(r.model).toEqual(reference.model);
  for (const w of ws) expect(await w.exited).toBe(0);
});

test('a coordinator lease another coordinator took over makes check(), run before every pass, an environment error', async () => {
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  const key = runKey('stolen', 'coordinator');
  const lease = await CoordinatorLease.take(client, 'stolen', ['x.arrow'], () => undefined, 1000);
  expect(await client.smembers(wantedKey('x.arrow'))).toEqual(['stolen']);
  lease.check();
  // What a second coordinator does once this one's lease lapsed: the lease is now its own.
  await client.set(key, 'elsewhere:2:new', 'PX', 5000);
  const failure = (): Error | undefined => {
    try {
      lease.check();
      return undefined;
    } catch (error) {
      return error as Error;
    }
  };
  await until(() => failure() !== undefined, 5000, 'the renewal to see the loss');
  expect(failure()).toBeInstanceOf(EnvironmentError);
  expect(failure()!.message).toMatch(
    /^runId stolen: another coordinator \(elsewhere:2:new\) took the run over while this one could not renew its lease/,
  );
  await lease.release();
  expect(await client.get(key)).toBe('elsewhere:2:new');
  expect(await client.smembers(wantedKey('x.arrow'))).toEqual([]);
  client.disconnect();
});
