import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fitOutOfCore, fitSharded, readTable } from '../src/index.js';
import { tempDir } from './helpers/cli.js';
import {
  startRedis,
  stopAll,
  workers,
  writeShards,
  type Proc,
  type RedisServer,
} from './helpers/distributed.js';

/**
 * The sharded fit (issue 20) against the out-of-core fit of the same rows: 4 worker processes of
 * the built CLI on 4 shards of R rows, a real redis-server on loopback, and fitOutOfCore over the
 * shards concatenated with chunkRows R. Same sample, seeding, passes and merge order: the models,
 * profiles and every row's label and distance must be equal bit for bit.
 */
const ROWS = 2500;
const SHARDS = 4;
let dir: string;
let data: { whole: string; pattern: string };
let redis: RedisServer;
let procs: Proc[] = [];

beforeAll(async () => {
  dir = tempDir();
  data = await writeShards(dir, SHARDS, ROWS, 5);
  redis = await startRedis();
  // Each worker serves both runs of this file (k-means, then the mixture).
  procs = workers(redis.url, data.pattern, [0, 1, 2, 3], ['--runs', '2']);
});

afterAll(() => stopAll(procs, redis));

function labelsOf(paths: string[]): Promise<{ labels: number[]; values: number[] }> {
  return Promise.all(paths.map((p) => readTable(p))).then((tables) => {
    const labels: number[] = [];
    const values: number[] = [];
    for (const t of tables) {
      labels.push(...(t.getChild('segment_id')!.toArray() as Int32Array));
      const v = t.getChild('distance') ?? t.getChild('probability');
      values.push(...(v!.toArray() as Float32Array));
    }
    return { labels, values };
  });
}

describe('sharded fit equals the out-of-core fit with chunkRows = shard rows', () => {
  for (const [name, options] of [
    ['k-means', { k: 5, backend: 'cpu' as const, seed: 3 }],
    [
      'GMM (full covariance)',
      {
        k: 4,
        algorithm: 'gmm' as const,
        covariance: 'full' as const,
        backend: 'cpu' as const,
        seed: 2,
      },
    ],
  ] as const)
    test(name, async () => {
      const out = join(dir, name.split(' ')[0]);
      const reference = await fitOutOfCore(data.whole, {
        ...options,
        chunkRows: ROWS,
        output: `${out}-reference.arrows`,
      });
      const sharded = await fitSharded({
        ...options,
        redis: redis.url,
        shards: data.pattern,
        runId: `fit-${name.split(' ')[0]}`,
        output: out,
      });
      expect(sharded.stats.iterations).toBe(reference.stats.iterations);
      expect(sharded.model).toEqual(reference.model);
      expect(sharded.profiles).toEqual(reference.profiles);
      expect(sharded.sizes).toEqual(reference.sizes);
      expect(sharded.stats.inertia).toBe(reference.stats.inertia);
      expect(sharded.stats.logLikelihood).toBe(reference.stats.logLikelihood);
      // Every iteration's figures but its wall time.
      const figures = (h: object[]): object[] => h.map((s) => ({ ...s, ms: 0 }));
      expect(figures(sharded.stats.history)).toEqual(figures(reference.stats.history));
      expect(figures(sharded.stats.emHistory)).toEqual(figures(reference.stats.emHistory));
      expect(sharded.stats.outOfCore.chunks).toBe(SHARDS);
      expect(sharded.replayedPasses).toBe(0);

      const manifest = JSON.parse(readFileSync(sharded.manifest!, 'utf8')) as {
        rows: number;
        shards: { index: number; output: string; rows: number; first_row: number }[];
      };
      expect(manifest.rows).toBe(SHARDS * ROWS);
      expect(manifest.shards.map((s) => [s.index, s.output, s.rows, s.first_row])).toEqual(
        [0, 1, 2, 3].map((i) => [i, `${out}.shard-${i}.arrow`, ROWS, i * ROWS]),
      );
      const got = await labelsOf(manifest.shards.map((s) => s.output));
      const want = await labelsOf([`${out}-reference.arrows`]);
      expect(got.labels).toEqual(want.labels);
      expect(got.values).toEqual(want.values);
    });
});

test('each worker ends (status 0) once the runs it served are closed', async () => {
  const codes = await Promise.all(procs.map((p) => p.exited));
  expect(codes).toEqual([0, 0, 0, 0]);
  for (const p of procs) expect(p.stdout()).toMatch(/served run\(s\) fit-k-means, fit-GMM/);
});
