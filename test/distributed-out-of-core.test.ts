import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fitSharded, readTable, writeTable } from '../src/index.js';
import { writeCustomers } from '../src/synth/customers.js';
import { tempDir } from './helpers/cli.js';
import {
  startRedis,
  stopAll,
  workers,
  type Proc,
  type RedisServer,
} from './helpers/distributed.js';

/**
 * Workers that serve their shards out of core (issue 20): `gpuseg worker --out-of-core
 * --chunk-rows 5000` reads its shard of 40000 rows in 8 chunks on every pass, and cuts the
 * prepared rows at the CPU backend's 32768-row partial blocks (a cut inside the 7th chunk), so
 * that its statistics are a resident worker's bits. The sharded k-means and GMM fits with such
 * workers must equal those with resident workers bit for bit: model, history, profiles, every
 * row's label and distance (probability).
 */
const SHARD_ROWS = 40_000;
const SHARDS = 2;
let dir: string;
let pattern: string;
let redis: RedisServer;
const procs: Proc[] = [];

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  const whole = join(dir, 'all.arrows');
  await writeCustomers(whole, SHARDS * SHARD_ROWS, 11, 5000);
  const table = await readTable(whole);
  for (let i = 0; i < SHARDS; i++)
    writeTable(join(dir, `big-${i}.arrow`), table.slice(i * SHARD_ROWS, (i + 1) * SHARD_ROWS));
  pattern = join(dir, 'big-?.arrow');
});

afterAll(() => stopAll(procs, redis));

const FITS = [
  ['k-means', { k: 5, backend: 'cpu' as const, seed: 3 }],
  [
    'gmm',
    {
      k: 4,
      algorithm: 'gmm' as const,
      covariance: 'diag' as const,
      backend: 'cpu' as const,
      seed: 2,
    },
  ],
] as const;

async function fits(mode: string, extra: string[]) {
  const ws = workers(redis.url, pattern, [0, 1], ['--runs', '2', ...extra]);
  procs.push(...ws);
  const results = [];
  for (const [name, options] of FITS) {
    const output = join(dir, `${mode}-${name}`);
    const r = await fitSharded({
      ...options,
      redis: redis.url,
      shards: pattern,
      runId: `${mode}-${name}`,
      output,
    });
    const rows = await Promise.all([0, 1].map((i) => readTable(`${output}.shard-${i}.arrow`)));
    results.push({
      r,
      labels: rows.flatMap((t) => [...(t.getChild('segment_id')!.toArray() as Int32Array)]),
      values: rows.flatMap((t) => [
        ...((t.getChild('distance') ?? t.getChild('probability'))!.toArray() as Float32Array),
      ]),
    });
  }
  for (const w of ws) expect(await w.exited).toBe(0);
  return { results, workers: ws };
}

describe('workers serving their shards out of core give the resident workers’ model, bit for bit', () => {
  test('k-means and GMM', async () => {
    // The shards hold several record batches, so that out of core they are read in chunks.
    expect((await readTable(join(dir, 'big-0.arrow'))).batches.length).toBe(8);
    const resident = await fits('resident', []);
    const streamed = await fits('streamed', ['--out-of-core', '--chunk-rows', '5000']);
    for (const w of streamed.workers)
      expect(w.stderr()).toMatch(/opened out of core, chunks of 5000 rows \(40000 rows/);
    for (const w of resident.workers) expect(w.stderr()).toMatch(/' loaded \(40000 rows/);
    const figures = (h: object[]): object[] => h.map((s) => ({ ...s, ms: 0 }));
    FITS.forEach(([name], i) => {
      const a = resident.results[i];
      const b = streamed.results[i];
      expect(b.r.model, name).toEqual(a.r.model);
      expect(b.r.profiles, name).toEqual(a.r.profiles);
      expect(b.r.sizes, name).toEqual(a.r.sizes);
      expect(figures(b.r.stats.history), name).toEqual(figures(a.r.stats.history));
      expect(figures(b.r.stats.emHistory), name).toEqual(figures(a.r.stats.emHistory));
      expect(b.labels, name).toEqual(a.labels);
      expect(b.values, name).toEqual(a.values);
    });
  });
});
