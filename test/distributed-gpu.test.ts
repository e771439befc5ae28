import { afterAll, beforeAll, expect, test } from 'vitest';
import { fitSharded } from '../src/index.js';
import { hasGpu } from './helpers/backends.js';
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
 * A sharded fit whose workers run on the GPU backend (issue 20): one worker holds its shard
 * resident on the GPU, the other serves its shard out of core on the GPU. `--backend gpu` never
 * falls back to the CPU (a GPU failure is an error), and each worker names its device; the model
 * must agree with the CPU workers' within the project's GPU/CPU agreement for out-of-core k-means
 * (test/out-of-core.test.ts: same iterations, centres to 4 decimals, sizes within 3 rows).
 * Without a GPU adapter the test is skipped with a notice, or fails under GPUSEG_REQUIRE_GPU=1.
 */
const ROWS = 3000;
const OPTIONS = { k: 5, init: 'k-means++' as const, backend: 'cpu' as const, seed: 3 };
let redis: RedisServer;
const procs: Proc[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(() => stopAll(procs, redis));

test.skipIf(!hasGpu)('GPU workers (resident and out of core) agree with CPU workers', async () => {
  const { pattern } = await writeShards(tempDir(), 2, ROWS, 5, 'gpu');
  const cpuWorkers = workers(redis.url, pattern, [0, 1]);
  procs.push(...cpuWorkers);
  const cpu = await fitSharded({ ...OPTIONS, redis: redis.url, shards: pattern, runId: 'on-cpu' });
  for (const w of cpuWorkers) expect(await w.exited).toBe(0);
  const gpuWorkers = [
    ...workers(redis.url, pattern, [0], ['--backend', 'gpu']),
    ...workers(
      redis.url,
      pattern,
      [1],
      ['--backend', 'gpu', '--out-of-core', '--chunk-rows', '1000'],
    ),
  ];
  procs.push(...gpuWorkers);
  const gpu = await fitSharded({ ...OPTIONS, redis: redis.url, shards: pattern, runId: 'on-gpu' });
  for (const w of gpuWorkers) expect(await w.exited).toBe(0);
  // The GPU path really ran: each worker names a GPU device, not 'cpu: N threads'.
  for (const w of cpuWorkers) expect(w.stderr()).toMatch(/\(3000 rows, cpu: /);
  for (const w of gpuWorkers) {
    expect(w.stderr()).toMatch(/\(3000 rows, (?!cpu: )[^)]+\)/);
    expect(w.stderr()).toMatch(/pass of run on-gpu/);
  }
  expect(gpuWorkers[1].stderr()).toMatch(/opened out of core, chunks of 1000 rows/);
  expect(gpu.stats.iterations).toBe(cpu.stats.iterations);
  for (let c = 0; c < OPTIONS.k; c++)
    for (let j = 0; j < cpu.model.centres[c].length; j++)
      expect(gpu.model.centres[c][j]).toBeCloseTo(cpu.model.centres[c][j], 4);
  gpu.sizes.forEach((n, c) => expect(Math.abs(n - cpu.sizes[c])).toBeLessThanOrEqual(3));
});
