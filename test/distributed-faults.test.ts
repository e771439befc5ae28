import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EnvironmentError, fitOutOfCore, fitSharded, readTable } from '../src/index.js';
import { errors, tempDir } from './helpers/cli.js';
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
 * Faults of a sharded fit (issue 20), each ending in the model the out-of-core fit gives: a worker
 * killed (SIGKILL) while it holds a pass job, with a standby for its shard; the coordinator killed
 * mid-run and restarted with its run id; a shard no worker serves; Redis unreachable.
 */
const ROWS = 1500;
const OPTIONS = { k: 5, backend: 'cpu' as const, seed: 4 };
let dir: string;
let redis: RedisServer;
const procs: Proc[] = [];
let reference: Awaited<ReturnType<typeof fitOutOfCore>>;
let referenceLabels: number[];

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  const { whole } = await writeShards(dir, 4, ROWS, 9, 'ref');
  reference = await fitOutOfCore(whole, {
    ...OPTIONS,
    chunkRows: ROWS,
    output: join(dir, 'ref.arrows'),
  });
  referenceLabels = await labels([join(dir, 'ref.arrows')]);
});

afterAll(() => stopAll(procs, redis));

async function labels(paths: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of paths)
    out.push(...((await readTable(p)).getChild('segment_id')!.toArray() as Int32Array));
  return out;
}

function started(list: Proc[]): Proc[] {
  procs.push(...list);
  return list;
}

test('a worker killed mid-pass: its standby takes the shard over, the job is retried, same model', async () => {
  const { pattern } = await writeShards(dir, 4, ROWS, 9, 'kill');
  // Every pass held 300 ms, so the kill lands while the worker holds a job.
  const env = { GPUSEG_TEST_PASS_DELAY_MS: '300' };
  const ws = started(workers(redis.url, pattern, [0, 1, 2, 3], [], env));
  await until(() => /serving shard/.test(ws[1].stderr()), 60_000, 'worker 1 serving');
  const [standby] = started(workers(redis.url, pattern, [1], [], env));
  await until(() => /standing by/.test(standby.stderr()), 60_000, 'the standby');
  const fit = fitSharded({ ...OPTIONS, redis: redis.url, shards: pattern, runId: 'kill' });
  await until(() => passesLogged(ws[1], 'lloyd') >= 2, 90_000, 'two Lloyd passes');
  ws[1].child.kill('SIGKILL');
  const r = await fit;
  expect(r.model).toEqual(reference.model);
  expect(r.stats.inertia).toBe(reference.stats.inertia);
  expect(standby.stderr()).toMatch(/serving shard 'kill-1.arrow'/);
  expect(passesLogged(standby, 'lloyd')).toBeGreaterThanOrEqual(1);
  expect(await ws[1].exited).toBe(null); // killed
  for (const p of [ws[0], ws[2], ws[3], standby]) expect(await p.exited).toBe(0);
});

test('the coordinator killed mid-run and restarted with its run id resumes to the same model', async () => {
  const { pattern } = await writeShards(dir, 4, ROWS, 9, 'resume');
  const ws = started(
    workers(redis.url, pattern, [0, 1, 2, 3], [], { GPUSEG_TEST_PASS_DELAY_MS: '150' }),
  );
  const model = join(dir, 'resumed.json');
  const out = join(dir, 'resumed');
  const args = [
    'fit',
    '--redis',
    redis.url,
    '--shards',
    pattern,
    '--k',
    '5',
    '--seed',
    '4',
    '--backend',
    'cpu',
    '--run-id',
    'resume',
    '--model',
    model,
    '--output',
    out,
  ];
  const first = cli(args);
  procs.push(first);
  await until(() => passesLogged(ws[0], 'lloyd') >= 3, 90_000, 'three Lloyd passes');
  first.child.kill('SIGKILL');
  expect(await first.exited).toBe(null);
  const second = cli(args);
  procs.push(second);
  expect(await second.exited).toBe(0);
  const said = errors({ status: 0, stdout: '', stderr: second.stderr() });
  // The killed coordinator's lease had not lapsed: a process of this host that is gone, replaced.
  expect(said).toMatch(/run resume: its previous coordinator \(.+\) is gone; taking the run over/);
  expect(said).toMatch(/run resume resumed; \d+ passes taken from its checkpoint/);
  const saved = JSON.parse(readFileSync(model, 'utf8')) as typeof reference.model;
  expect(saved.centres).toEqual(reference.model.centres);
  expect(saved.iterations).toBe(reference.model.iterations);
  expect(saved.algorithm === 'kmeans' && saved.inertia).toBe(
    reference.model.algorithm === 'kmeans' && reference.model.inertia,
  );
  expect(await labels([0, 1, 2, 3].map((i) => `${out}.shard-${i}.arrow`))).toEqual(referenceLabels);
  for (const w of ws) expect(await w.exited).toBe(0);
  // The same run id with another k: the checkpoint's passes differ, a usage error (no worker needed).
  await expect(
    fitSharded({ ...OPTIONS, k: 4, redis: redis.url, shards: pattern, runId: 'resume' }),
  ).rejects.toThrow(/^runId resume: pass 2 \(lloyd\) differs from the one this run logged/);
});

test('a shard that no worker serves fails the fit with an error naming it', async () => {
  const { pattern } = await writeShards(dir, 4, ROWS, 9, 'unserved');
  const ws = started(workers(redis.url, pattern, [0, 1, 2]));
  for (const w of ws) await until(() => /serving shard/.test(w.stderr()), 60_000, 'the workers');
  const fit = fitSharded({
    ...OPTIONS,
    redis: redis.url,
    shards: pattern,
    runId: 'unserved',
    workerTimeout: 3,
  });
  await expect(fit).rejects.toThrow(EnvironmentError);
  await expect(fit).rejects.toThrow(
    /^shard 3 \('.*unserved-3\.arrow'\): no worker has served it for \d+ s \(workerTimeout 3\); start one: gpuseg worker/,
  );
  // The fit's end closes the run for the workers that served it.
  for (const w of ws) expect(await w.exited).toBe(0);
});

test('Redis unreachable: exit 5 and one line, for the coordinator and for a worker', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  const shards = join(dir, 'ref-?.arrow');
  for (const args of [
    ['fit', '--redis', url, '--shards', shards, '--k', '3'],
    ['worker', '--redis', url, '--shards', shards, '--index', '0', '--backend', 'cpu'],
  ]) {
    const p = cli(args);
    expect(await p.exited).toBe(5);
    const lines = errors({ status: 5, stdout: '', stderr: p.stderr() }).split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^gpuseg: error: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/? \\(.*\\); check --redis`,
      ),
    );
  }
});
