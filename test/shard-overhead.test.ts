import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { flowRoundTrips } from '../bench/shard-flow-rtt.js';
import { writeShardedData } from '../bench/shard-data.js';
import { pingRoundTrips, redisServerArgs, startRedis } from '../bench/shard-processes.js';
import { H200_16, marginalMsPerIteration, median, project } from '../bench/shard-projection.js';
import { ROOT, tempDir } from './helpers/cli.js';
import { readmeFlags } from './helpers/manifests.js';

/**
 * bench/shard-overhead.ts, the parts that run before the sharded engine is there: the projection's
 * arithmetic (against numbers worked by hand), the data it writes, the loopback Redis it starts,
 * the BullMQ floor it measures, and its plan of commands (--dry-run; needs the build, dist/),
 * whose flags must be the ones the README documents for the cluster.
 */

describe('the projection', () => {
  test('2B rows × 16 on 16 H200s: read floor, compute floor, pass, transfer, by hand', () => {
    const k8 = project(H200_16, 8, 2);
    expect(k8.rowsPerShard).toBe(125e6);
    expect(k8.shardBytes).toBe(8e9); // 125M rows × 64 bytes
    expect(k8.resident).toBe(true);
    expect(k8.readFloorMs).toBeCloseTo((8e9 / 4.8e12) * 1e3, 9); // 1.6667 ms
    expect(k8.computeFloorMs).toBeCloseTo(((2 * 125e6 * 8 * 16) / 67e12) * 1e3, 9); // 0.4776 ms
    expect(k8.passMs).toBeCloseTo(2 * 1.666_666_67, 6); // read-bound at K = 8
    expect(k8.statsBytesPerShard).toBe((8 * 16 + 8 + 1) * 8);
    expect(k8.centreBytes).toBe(8 * 16 * 8);
    expect(k8.transferMs).toBeCloseTo(((16 * (1096 + 1024) * 8) / 10e9) * 1e3, 9);
    expect(k8.overheadMs).toBeCloseTo(2 + k8.transferMs + 1, 9);
    expect(k8.iterationMs).toBeCloseTo(k8.passMs + k8.overheadMs, 9);
    expect(k8.loadSeconds).toBeCloseTo(4, 9);
    const k256 = project(H200_16, 256, 0);
    expect(k256.computeFloorMs).toBeCloseTo(15.283_582, 5); // compute-bound at K = 256
    expect(k256.passMs).toBeCloseTo(30.567_164, 5);
    expect(project({ ...H200_16, rows: 40e9 }, 8, 0).resident).toBe(false); // 160 GB a shard
  });

  test('ms per iteration is the difference of two fits over their extra iterations', () => {
    const short = { wallMs: 1000, iterations: 2 };
    expect(marginalMsPerIteration(short, { wallMs: 1800, iterations: 6 })).toBe(200);
    expect(() => marginalMsPerIteration(short, { wallMs: 1500, iterations: 2 })).toThrow(
      /converge/,
    );
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('the harness', () => {
  test('shards of equal rows whose name order is the shard order concatenate to the whole', async () => {
    const dir = tempDir();
    const data = await writeShardedData(dir, 40, 3, 4);
    expect(data.rowsPerShard).toBe(10);
    const names = readdirSync(dir)
      .filter((f) => f.startsWith('shard-'))
      .sort();
    expect(names.map((f) => join(dir, f))).toEqual(data.shardFiles);
    const column = (file: string, j: number) =>
      Array.from(tableFromIPC(readFileSync(file)).getChild(`f${j}`)!.toArray() as Float32Array);
    for (let j = 0; j < 3; j++) {
      const whole = column(data.whole, j);
      expect(whole).toHaveLength(40);
      expect(data.shardFiles.flatMap((f) => column(f, j))).toEqual(whole);
      expect(new Set(whole).size).toBe(40); // drawn, not repeated
    }
    await expect(writeShardedData(tempDir(), 42, 3, 4)).rejects.toThrow(/multiple of 4/);
  });

  test('its Redis listens on loopback only, evicts nothing, answers PING and carries flows', async () => {
    const args = redisServerArgs(6379);
    expect(args[args.indexOf('--bind') + 1]).toBe('127.0.0.1');
    expect(args[args.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      const pings = await pingRoundTrips(redis.port, 20);
      expect(pings).toHaveLength(20);
      for (const ms of pings) expect(ms).toBeGreaterThan(0);
      // A flow of 4 shards, each answering 8 × 17 + 1 numbers, merged by the parent.
      const flows = await flowRoundTrips(redis.port, 4, 8 * 17 + 1, 3);
      expect(flows).toHaveLength(3);
    } finally {
      await redis.stop();
    }
    // Stopped: nothing listens on its port any more.
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection(redis.port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  test('--dry-run plans the commands the README documents, one worker per shard index', () => {
    const r = spawnSync(
      process.execPath,
      ['dist/bench/shard-overhead.js', '--dry-run', '--json', '--workers', '4', '--k', '8'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { plan, projections } = JSON.parse(r.stdout) as {
      plan: string[];
      projections: { k: number; passMs: number }[];
    };
    const commands = (role: string) =>
      plan.filter((l) => l.includes(`I=2 ${role}:`)).map((l) => l.split(' gpuseg ')[1].split(' '));
    const workers = commands('worker');
    expect(workers.map((a) => a[a.indexOf('--index') + 1])).toEqual(['0', '1', '2', '3']);
    const [sharded] = commands('sharded');
    const [single] = commands('single');
    expect(single).toEqual(expect.arrayContaining(['--out-of-core', '--chunk-rows', '250000']));
    // The model's flags, shared by both fits, are today's `gpuseg fit` flags; the rest of the
    // workers' and coordinator's flags are the cluster's, documented in the README's table.
    const flags = (args: string[]) => args.filter((a) => a.startsWith('--'));
    const help = spawnSync(process.execPath, ['dist/src/cli/bin.js', 'fit', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).stdout;
    const model = flags(single).filter((f) => flags(sharded).includes(f));
    expect(model).toEqual(expect.arrayContaining(['--k', '--max-iter', '--tol', '--seed']));
    for (const flag of model) expect(help, `gpuseg fit ${flag}`).toMatch(new RegExp(`${flag}\\b`));
    const documented = readmeFlags(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    for (const [command, args] of [
      ['worker', workers[0]],
      ['fit', sharded],
    ] as const) {
      expect(args[0]).toBe(command);
      for (const flag of flags(args).filter((f) => !model.includes(f))) {
        expect([...documented.get(command)!.keys()], flag).toContain(flag);
      }
    }
    expect(sharded).toEqual(expect.arrayContaining(['--redis', '--shards', '--run-id']));
    expect(sharded[sharded.indexOf('--shards') + 1]).toBe(
      workers[0][workers[0].indexOf('--shards') + 1],
    );
    expect(projections.map((p) => p.k)).toEqual([8]);
    expect(projections[0].passMs).toBeCloseTo(project(H200_16, 8, 0).passMs, 9);
  });
});
