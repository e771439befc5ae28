/**
 * Per-iteration overhead of the sharded fit's coordination (issue 20): sharded k-means on S
 * `gpuseg worker` processes (one shard each) against the single-process out-of-core pass on the
 * same rows, side by side, at S = 4 and 16 with K = 8 and 256; with the Redis round trip (PING)
 * and the BullMQ floor of one pass (an empty flow of S children carrying K×(D+1)+1 float64 each);
 * then a paper projection of 2B rows on 16 H200s (bench/shard-projection.ts says what it assumes).
 *
 *   npm run build && node dist/bench/shard-overhead.js [--rows 1M] [--dims 16] [--workers 4,16]
 *     [--k 8,256] [--iterations 2,6] [--rounds 3] [--backend auto] [--json]
 *   node dist/bench/shard-overhead.js --redis-only    # Redis and BullMQ alone (no gpuseg worker)
 *   node dist/bench/shard-overhead.js --dry-run       # the data and commands, the projection maths
 *
 * Each measured fit is run twice, with --max-iter at the two --iterations and --tol 0, and its
 * time per iteration is the difference over the extra iterations: start-up, sampling, seeding,
 * loading shards and the labels pass cancel. Single: `gpuseg fit WHOLE --out-of-core
 * --chunk-rows R` (R = rows per shard); sharded: S workers started for each fit, then `gpuseg fit
 * --redis --shards --run-id`. Overhead = sharded − single ms per iteration. Both fits must end in
 * the same inertia (the engine's bit-for-bit promise); the table says whether they did. Needs
 * redis-server on PATH (Debian's package); everything runs on 127.0.0.1. Timings mean something
 * only on a quiet machine: print `uptime` beside them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';
import { flowRoundTrips } from './shard-flow-rtt.js';
import { shardPaths, writeShardedData } from './shard-data.js';
import {
  coordinatorArgs,
  pingRoundTrips,
  retireWorkers,
  runFit,
  startRedis,
  startWorkers,
  workerArgs,
  type CliRun,
} from './shard-processes.js';
import {
  H200_16,
  marginalMsPerIteration,
  median,
  project,
  projectionText,
  type ProjectionAssumptions,
} from './shard-projection.js';

const values = benchFlags(
  'shard-overhead',
  "Per-iteration overhead of the sharded fit's coordination against the single-process pass.",
  {
    rows: { type: 'string', default: '1M' },
    dims: { type: 'string', default: '16' },
    workers: { type: 'string', default: '4,16' },
    k: { type: 'string', default: '8,256' },
    iterations: { type: 'string', default: '2,6' },
    rounds: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'auto' },
    'worker-args': { type: 'string', default: '' },
    'fit-args': { type: 'string', default: '' },
    pings: { type: 'string', default: '2000' },
    flows: { type: 'string', default: '50' },
    'floor-ratio': { type: 'string', default: String(H200_16.floorRatio) },
    'network-ms': { type: 'string', default: String(H200_16.networkMs) },
    'dry-run': { type: 'boolean', default: false },
    'redis-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  {
    rows: 'rows of the data',
    dims: 'features of the data',
    workers: 'shard counts S (one gpuseg worker each), comma-separated',
    k: 'cluster counts K, comma-separated',
    iterations: 'SHORT,LONG: the two --max-iter of each fit (time per iteration is the difference)',
    rounds: 'rounds of each measured fit; medians are printed',
    backend: 'auto, cpu or gpu (of the single fit and the workers)',
    'worker-args': 'more flags for every gpuseg worker, space-separated',
    'fit-args': 'more flags for the sharded coordinator fit, space-separated',
    pings: 'Redis PING round trips to time',
    flows: 'empty BullMQ flows to time (the floor of one pass)',
    'floor-ratio': "projection: a pass's time over its floor (a number > 0)",
    'network-ms': 'projection: network ms a BullMQ pass adds beyond loopback (a number >= 0)',
    'dry-run': 'print the data, the commands and the projection maths; run nothing',
    'redis-only': 'time Redis and BullMQ alone (no gpuseg worker)',
    json: 'print the results as JSON',
  },
);

const list = (text: string, flag: string) =>
  text.split(',').map((v) => benchCount('shard-overhead', v, flag));
const words = (text: string) => text.split(/\s+/).filter(Boolean);
const rows = benchCount('shard-overhead', values.rows, '--rows');
const dims = benchCount('shard-overhead', values.dims, '--dims');
const shardCounts = list(values.workers, '--workers');
const ks = list(values.k, '--k');
const iterationCounts = list(values.iterations, '--iterations');
const [shortIters, longIters] = iterationCounts;
const rounds = benchCount('shard-overhead', values.rounds, '--rounds');
const assumptions: ProjectionAssumptions = {
  ...H200_16,
  dims,
  floorRatio: Number(values['floor-ratio']),
  networkMs: Number(values['network-ms']),
};
const bad = (message: string): never => usageExit('shard-overhead', message);
if (iterationCounts.length !== 2 || !(longIters > shortIters))
  bad(`--iterations: expected SHORT,LONG with LONG > SHORT, got '${values.iterations}'`);
if (!['auto', 'cpu', 'gpu'].includes(values.backend))
  bad(`--backend: expected auto, cpu or gpu, got '${values.backend}'`);
if (!(assumptions.floorRatio > 0))
  bad(`--floor-ratio: expected a number > 0, got '${values['floor-ratio']}'`);
if (!(assumptions.networkMs >= 0))
  bad(`--network-ms: expected a number >= 0, got '${values['network-ms']}'`);
const pingCount = benchCount('shard-overhead', values.pings, '--pings');
const flowCount = benchCount('shard-overhead', values.flows, '--flows');

/**
 * Flags both fits share: a fixed number of Lloyd iterations from the same seed, and random
 * initial centres from the sample, whose fixed cost is small (k-means‖ at K = 256 took 10× the
 * iterations' time here, and it is not what is measured).
 */
function fitFlags(k: number, iterations: number): string[] {
  return [
    '--k',
    String(k),
    '--max-iter',
    String(iterations),
    '--tol',
    '0',
    '--seed',
    '1',
    '--init',
    'random',
    '--n-init',
    '1',
    '--backend',
    values.backend,
    '--json',
  ];
}

/** The workers compute the passes: the same backend as the single process. */
function workerExtra(): string[] {
  return ['--backend', values.backend, ...words(values['worker-args'])];
}

function singleArgs(whole: string, rowsPerShard: number, k: number, iterations: number): string[] {
  return [
    'fit',
    whole,
    '--out-of-core',
    '--chunk-rows',
    String(rowsPerShard),
    ...fitFlags(k, iterations),
  ];
}

/** One measured configuration: S shards, K centres. */
interface Row {
  shards: number;
  k: number;
  singleMsPerIteration: number;
  shardedMsPerIteration: number;
  overheadMs: number;
  sameInertia: boolean;
  workersLeftByThemselves: number;
  flowMs: number;
}

function lastLine(file: string): string {
  return readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
}

/**
 * One sharded fit on a Redis of its own, as a run on the cluster has: a worker ends with the run
 * it served and leaves its shard marked done in Redis for a while (its standbys leave on seeing
 * it), so fresh workers for the next fit need a fresh Redis.
 */
async function shardedFit(
  glob: string,
  logDir: string,
  shards: number,
  k: number,
  iterations: number,
  round: number,
): Promise<CliRun & { left: number }> {
  const redis = await startRedis();
  try {
    const workers = await startWorkers(
      Array.from({ length: shards }, (_, i) => workerArgs(redis.url, glob, i, workerExtra())),
      logDir,
    );
    let run: CliRun;
    let left = 0;
    try {
      const runId = `bench-${shards}-${k}-${iterations}-${round}`;
      const fit = fitFlags(k, iterations);
      run = runFit(
        coordinatorArgs(redis.url, glob, runId, fit, words(values['fit-args'])),
        3_600_000,
      );
    } catch (error) {
      // The coordinator only says which shard went unserved; the worker's log says why.
      const logs = workers.map((_, i) => lastLine(join(logDir, `worker-${i}.log`)));
      throw new Error(
        `${(error as Error).message}\n${logs.map((l, i) => `worker ${i}: ${l}`).join('\n')}`,
      );
    } finally {
      // Even when the fit failed, so that no worker outlives the harness.
      left = await retireWorkers(workers, 10_000);
    }
    return { ...run, left };
  } finally {
    await redis.stop();
  }
}

async function measure(port: number, dir: string): Promise<Row[]> {
  const out: Row[] = [];
  for (const shards of shardCounts) {
    const folder = join(dir, `s${shards}`);
    mkdirSync(folder);
    const data = await writeShardedData(folder, rows, dims, shards);
    for (const k of ks) {
      const single: number[] = [];
      const sharded: number[] = [];
      let sameInertia = true;
      let left = 0;
      for (let round = 0; round < rounds; round++) {
        const runs: Record<'single' | 'sharded', CliRun[]> = { single: [], sharded: [] };
        for (const iterations of [shortIters, longIters]) {
          const s = runFit(singleArgs(data.whole, data.rowsPerShard, k, iterations), 3_600_000);
          const d = await shardedFit(data.glob, folder, shards, k, iterations, round);
          left += d.left;
          for (const [side, r] of [
            ['single', s],
            ['sharded', d],
          ] as const) {
            if (r.summary.iterations !== iterations) {
              throw new Error(
                `${side} fit at S=${shards} K=${k} ran ${r.summary.iterations} iterations, not ${iterations}`,
              );
            }
            runs[side].push(r);
          }
          sameInertia &&= s.summary.inertia === d.summary.inertia;
        }
        const timed = (r: CliRun) => ({ wallMs: r.wallMs, iterations: r.summary.iterations });
        single.push(marginalMsPerIteration(timed(runs.single[0]), timed(runs.single[1])));
        sharded.push(marginalMsPerIteration(timed(runs.sharded[0]), timed(runs.sharded[1])));
      }
      const flowMs = median(await flowRoundTrips(port, shards, k * (dims + 1) + 1, flowCount));
      out.push({
        shards,
        k,
        singleMsPerIteration: median(single),
        shardedMsPerIteration: median(sharded),
        overheadMs: median(sharded) - median(single),
        sameInertia,
        workersLeftByThemselves: left,
        flowMs,
      });
    }
    rmSync(folder, { recursive: true, force: true });
  }
  return out;
}

/** Redis and BullMQ alone: the floor of a pass's coordination at each S and K. */
async function measureQueues(port: number): Promise<Record<string, number>> {
  const flows: Record<string, number> = {};
  for (const shards of shardCounts) {
    for (const k of ks) {
      const times = await flowRoundTrips(port, shards, k * (dims + 1) + 1, flowCount);
      flows[`S=${shards} K=${k}`] = median(times);
    }
  }
  return flows;
}

function plan(): string {
  const url = 'redis://127.0.0.1:PORT';
  const lines = [
    `data: ${rows} rows × ${dims} float32, uniform; per S: S shard files and one stream of all rows`,
  ];
  for (const shards of shardCounts) {
    const { glob } = shardPaths('DIR', shards);
    const r = rows / shards;
    for (const k of ks) {
      for (const iterations of [shortIters, longIters]) {
        lines.push(
          `S=${shards} K=${k} I=${iterations} single:  gpuseg ${singleArgs('DIR/whole.arrows', r, k, iterations).join(' ')}`,
        );
        for (let i = 0; i < shards; i++) {
          lines.push(
            `S=${shards} K=${k} I=${iterations} worker:  gpuseg ${workerArgs(url, glob, i, workerExtra()).join(' ')}`,
          );
        }
        lines.push(
          `S=${shards} K=${k} I=${iterations} sharded: gpuseg ${coordinatorArgs(url, glob, 'RUN', fitFlags(k, iterations), words(values['fit-args'])).join(' ')}`,
        );
      }
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (values['dry-run']) {
    const projections = ks.map((k) => project(assumptions, k, 0));
    if (values.json)
      console.log(JSON.stringify({ plan: plan().split('\n'), assumptions, projections }));
    else
      console.log(
        `${plan()}\n\n${projectionText(assumptions, projections)}\n(measured overhead taken as 0: a dry run measures nothing)`,
      );
    return;
  }
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'gpuseg-shard-overhead-'));
  try {
    const pings = await pingRoundTrips(redis.port, pingCount);
    const pingMs = {
      median: median(pings),
      p99: [...pings].sort((a, b) => a - b)[Math.floor(pings.length * 0.99)],
    };
    if (values['redis-only']) {
      const flows = await measureQueues(redis.port);
      // The projection's overhead: the BullMQ floor at the most shards measured, a lower bound.
      const floorAt = Math.max(...shardCounts);
      const projections = ks.map((k) => project(assumptions, k, flows[`S=${floorAt} K=${k}`]));
      if (values.json) console.log(JSON.stringify({ pingMs, flows, assumptions, projections }));
      else {
        console.log(
          `Redis PING round trip (loopback): median ${pingMs.median.toFixed(3)} ms, p99 ${pingMs.p99.toFixed(3)} ms`,
        );
        for (const [key, ms] of Object.entries(flows))
          console.log(`BullMQ flow round trip ${key}: ${ms.toFixed(2)} ms`);
        console.log(projectionText(assumptions, projections));
        console.log(`(overhead: the BullMQ floor at S=${floorAt}, not an end-to-end measurement)`);
      }
      return;
    }
    const table = await measure(redis.port, dir);
    const at = Math.max(...table.map((r) => r.shards));
    const projections = ks.map((k) =>
      project(assumptions, k, table.find((r) => r.shards === at && r.k === k)!.overheadMs),
    );
    if (values.json) {
      console.log(
        JSON.stringify({
          rows,
          dims,
          rounds,
          iterations: [shortIters, longIters],
          pingMs,
          table,
          assumptions,
          projections,
        }),
      );
      return;
    }
    console.log(
      `${rows} rows × ${dims}, --max-iter ${shortIters} and ${longIters}, medians of ${rounds} rounds`,
    );
    console.log(
      `Redis PING round trip (loopback): median ${pingMs.median.toFixed(3)} ms, p99 ${pingMs.p99.toFixed(3)} ms`,
    );
    console.log(
      '| S | K | single ms/iter | sharded ms/iter | overhead ms/iter | BullMQ flow ms | same inertia | workers left by themselves |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of table) {
      console.log(
        `| ${r.shards} | ${r.k} | ${r.singleMsPerIteration.toFixed(1)} | ${r.shardedMsPerIteration.toFixed(1)} | ${r.overheadMs.toFixed(1)} | ${r.flowMs.toFixed(2)} | ${r.sameInertia ? 'yes' : 'NO'} | ${r.workersLeftByThemselves}/${r.shards * rounds * 2} |`,
      );
    }
    const perShard = table.map(
      (r) =>
        `S=${r.shards} K=${r.k}: ${(((rows / r.singleMsPerIteration) * 1e3) / 1e6).toFixed(1)}M rows/s`,
    );
    console.log(
      `single-process pass rate on this machine (a shard's rate when alone): ${perShard.join(', ')}`,
    );
    console.log(projectionText(assumptions, projections));
    console.log(`(overhead: measured at S=${at}, loopback)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await redis.stop();
  }
}

await main();
