import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, type BackendChoice, type FitResult } from '../src/index.js';
import { hasGpu } from './helpers/backends.js';
import { BIN, errors, filesIn, gpuseg, ROOT, tempDir } from './helpers/cli.js';
import { blobs } from './helpers/reference.js';

const WHOLESALE = 'datasets/wholesale-customers.arrow';
/** The table with its Channel and Region codes clustered as numbers (the default before issue 19), as these cases were set up. */
const WHOLESALE_ALL = [
  WHOLESALE,
  '--features',
  'Channel,Region,Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen',
];

/**
 * Resolves once process `pid` has used `seconds` of CPU time (all its threads; /proc, Linux): by
 * then the CLI has started and is fitting, however loaded the machine is (start-up takes < 1 s).
 */
async function cpuSecondsUsed(pid: number, seconds: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    // Fields after the command name: state is the 1st, utime the 12th, stime the 13th (in ticks).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    if ((Number(fields[11]) + Number(fields[12])) / 100 >= seconds) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} did not use ${seconds} s of CPU within 60 s`);
}

/**
 * GPU faults injected through the device layer's test seam (GPUSEG_FAULT, see
 * src/backend/gpu/fault-injection.ts): each is real where it can be (the device is destroyed, the
 * shader is invalid WGSL) and simulated only for out-of-memory. Under --backend auto the run ends
 * on the CPU with one notice and the CPU's answer; under --backend gpu it stops with status 4.
 */
describe.skipIf(!hasGpu)('GPU faults', () => {
  const reference = gpuseg(['fit', ...WHOLESALE_ALL, '--k', '4', '--backend', 'cpu', '--json']);
  const cpuInertia = (JSON.parse(reference.stdout) as { inertia: number }).inertia;

  test.each(['lose-device@2', 'lose-device@12', 'oom@6', 'bad-shader'])(
    '%s: auto finishes on the CPU with one notice',
    (fault) => {
      const dir = tempDir();
      const r = gpuseg(
        ['fit', ...WHOLESALE_ALL, '--k', '4', '--json', '--output', join(dir, 'o.arrow')],
        {
          GPUSEG_FAULT: fault,
          GPUSEG_AUTO_SOFTWARE_GPU: '1',
        },
      );
      expect(r.status).toBe(0);
      expect(errors(r).split('\n')).toHaveLength(1);
      expect(errors(r)).toMatch(/GPU failed .*; continuing on cpu/);
      const summary = JSON.parse(r.stdout) as {
        backend: string;
        inertia: number;
        fell_back: boolean;
      };
      expect(summary.backend).toBe('cpu');
      expect(summary.fell_back).toBe(true);
      expect(Math.abs(summary.inertia - cpuInertia) / cpuInertia).toBeLessThan(1e-6);
      expect(filesIn(dir)).toEqual(['o.arrow']);
    },
  );

  test.each([
    ['lose-device@3', /GPU device lost/],
    ['oom@6', /GPU out of memory/],
    ['bad-shader', /GPU rejected Lloyd step: .*WGSL/],
  ])('%s: --backend gpu stops with status 4 and no output', (fault, message) => {
    const dir = tempDir();
    const r = gpuseg(
      [
        'fit',
        ...WHOLESALE_ALL,
        '--k',
        '4',
        '--backend',
        'gpu',
        '--output',
        join(dir, 'o.arrow'),
        '--model',
        join(dir, 'm.json'),
      ],
      { GPUSEG_FAULT: fault },
    );
    expect(r.status).toBe(4);
    expect(errors(r)).toMatch(message);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(dir)).toEqual([]);
  });

  test.each(['lose-device@5', 'oom@3'])(
    '%s out of core: the passes go on on the CPU, to the CPU answer',
    (fault) => {
      const dir = tempDir();
      const input = join(dir, 'customers.arrows');
      expect(
        gpuseg(['generate', '--rows', '20000', '--batch-rows', '4000', '--output', input]).status,
      ).toBe(0);
      const args = ['fit', input, '--k', '5', '--out-of-core', '--chunk-rows', '8000', '--json'];
      const cpu = JSON.parse(gpuseg([...args, '--backend', 'cpu']).stdout) as { inertia: number };
      const r = gpuseg([...args, '--output', join(dir, 'o.csv')], {
        GPUSEG_FAULT: fault,
        GPUSEG_AUTO_SOFTWARE_GPU: '1',
      });
      expect(r.status).toBe(0);
      expect(errors(r)).toMatch(/GPU failed .*; continuing on cpu/);
      const summary = JSON.parse(r.stdout) as {
        backend: string;
        inertia: number;
        fell_back: boolean;
        rows: number;
      };
      expect(summary).toMatchObject({ backend: 'cpu', fell_back: true, rows: 20000 });
      expect(Math.abs(summary.inertia - cpu.inertia) / cpu.inertia).toBeLessThan(1e-6);
      expect(filesIn(dir)).toEqual(['customers.arrows', 'o.csv']);
    },
  );

  test('the first allocation failing under auto still gives a result', () => {
    const r = gpuseg(['fit', ...WHOLESALE_ALL, '--k', '3', '--json'], {
      GPUSEG_FAULT: 'oom@1',
      GPUSEG_AUTO_SOFTWARE_GPU: '1',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe('cpu');
  });
});

describe('interrupted runs leave nothing behind', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s during a long fit', async (signal) => {
    const dir = tempDir();
    // About 2M rows of 8 features with k=64: seconds of work, so the signal lands mid-fit.
    const gen = join(dir, 'big.arrows');
    const { matrix } = blobs(400_000, 8, 16, 5, 4);
    const columns: Record<string, Float32Array> = {};
    for (let j = 0; j < 8; j++)
      columns[`f${j}`] = matrix.data.slice(j * matrix.rows, (j + 1) * matrix.rows);
    const { tableToIPC } = await import('apache-arrow');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(gen, tableToIPC(tableFromArrays(columns), 'stream'));
    const child = spawn(
      process.execPath,
      [
        BIN,
        'fit',
        gen,
        '--k',
        '64',
        '--tol',
        '0',
        '--backend',
        'cpu',
        '--output',
        join(dir, 'o.parquet'),
        '--model',
        join(dir, 'm.json'),
      ],
      { cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The signal must land mid-fit, after the CLI has installed its handler (a fixed delay was
    // too short on a loaded machine): wait for the child's CPU time, not the clock.
    await cpuSecondsUsed(child.pid!, 2);
    child.kill(signal);
    const status = await new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    expect(status).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(stderr).toMatch(/interrupted \(SIG(TERM|INT)\); no output was written/);
    expect(filesIn(dir)).toEqual(['big.arrows']);
  });

  test('SIGINT during an out-of-core fit removes its spill file too', async () => {
    const dir = tempDir();
    const gen = join(dir, 'big.arrows');
    expect(
      gpuseg(['generate', '--rows', '400000', '--batch-rows', '50000', '--output', gen]).status,
    ).toBe(0);
    const child = spawn(
      process.execPath,
      [
        BIN,
        'fit',
        gen,
        '--k',
        '64',
        '--tol',
        '0',
        '--out-of-core',
        '--chunk-rows',
        '50000',
        '--spill-dir',
        dir,
        '--backend',
        'cpu',
        '--output',
        join(dir, 'o.csv'),
      ],
      { cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait for the spill to exist: the signal must land while it does.
    const started = Date.now();
    while (
      !filesIn(dir).some((f) => f.startsWith('.gpuseg-spill-')) &&
      Date.now() - started < 60_000
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(filesIn(dir).some((f) => f.startsWith('.gpuseg-spill-'))).toBe(true);
    child.kill('SIGINT');
    const status = await new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    expect(status).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    expect(filesIn(dir)).toEqual(['big.arrows']);
  });
});

describe('the host process survives API use as a server would', () => {
  const { matrix } = blobs(3000, 4, 5, 9, 1);
  const columns: Record<string, Float32Array> = {};
  for (let j = 0; j < 4; j++) columns[`f${j}`] = matrix.data.slice(j * 3000, (j + 1) * 3000);
  const table = tableFromArrays(columns);

  const backends: BackendChoice[] = hasGpu ? ['cpu', 'gpu'] : ['cpu'];
  test.each(backends)(
    'concurrent fits on %s give the results of sequential ones',
    async (backend) => {
      const seeds = [1, 2, 3, 4, 5, 6];
      const sequential: FitResult[] = [];
      for (const seed of seeds) sequential.push(await fit(table, { k: 5, seed, backend }));
      const concurrent = await Promise.all(
        seeds.map((seed) => fit(table, { k: 5, seed, backend })),
      );
      concurrent.forEach((r, i) => {
        expect(Array.from(r.labels)).toEqual(Array.from(sequential[i].labels));
        expect(r.stats.inertia).toBe(sequential[i].stats.inertia);
      });
    },
  );

  test.each(backends)('50 small fits in a row on %s', async (backend) => {
    let last = 0;
    for (let i = 0; i < 50; i++) {
      const r = await fit(table, { k: 3, seed: i % 3, backend });
      expect(r.stats.rows).toBe(3000);
      last = r.stats.inertia!;
    }
    expect(last).toBeGreaterThan(0);
  });

  test('a failing fit rejects its promise and the next one runs', async () => {
    await expect(fit(table, { k: 5000, backend: 'cpu' })).rejects.toThrow(/exceeds rows/);
    const ok = await fit(table, { k: 2, backend: 'cpu' });
    expect(ok.stats.k).toBe(2);
  });
});

describe('a run killed without cleaning up', () => {
  test('its temporary file is removed by the next write to the same output', async () => {
    const { writeFileSync, existsSync } = await import('node:fs');
    const dir = tempDir();
    // A temporary file as a process killed by SIGKILL or the OOM killer leaves it (pid 2^22 − 1 is never alive here).
    const stale = join(dir, '.out.csv.tmp-4194303-abcdef');
    writeFileSync(stale, 'half a file');
    const r = gpuseg([
      'fit',
      ...WHOLESALE_ALL,
      '--k',
      '2',
      '--backend',
      'cpu',
      '--output',
      join(dir, 'out.csv'),
    ]);
    expect(r.status).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(filesIn(dir)).toEqual(['out.csv']);
  });
});
