import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, errors, gpuseg, ROOT, tempDir } from './helpers/cli.js';

/**
 * A run on the CPU worker threads must end its process on its own once the output is written
 * (issue 11): idle workers hold nothing open, including those that never got a job because the
 * input had fewer 32,768-row blocks than the pool has threads. GPUSEG_THREADS sets the pool size.
 */
function exits(
  args: string[],
  threads: number,
  timeoutMs = 60_000,
): Promise<{ code: number | null; timedOut: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, GPUSEG_THREADS: String(threads) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stderr });
    });
  });
}

describe('the process exits after a CPU fit on worker threads', () => {
  // [rows, features, threads]: fewer blocks than threads (the hang), as many, more, and one thread.
  const cases: [number, number, number][] = [
    [30_000, 18, 2],
    [70_000, 9, 4],
    [40_000, 18, 3],
    [70_000, 9, 2],
    [30_000, 18, 1],
  ];
  test.each(cases)('%i x %i on %i threads (library)', async (n, d, threads) => {
    const out = join(tempDir(), 'out.txt');
    const r = await exits(['test/programs/cpu-exit.mjs', String(n), String(d), out], threads);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(new RegExp(`^rows ${n} iterations \\d+\\n$`));
  });

  test.each([
    ['gmm', /^rows 30000 iterations \d+\n$/],
    ['predict', /^rows 30000 predicted\n$/],
    ['select', /^rows 30000 candidates 1\n$/],
  ])('%s of 30,000 x 18 on 2 threads (library)', async (op, expected) => {
    const out = join(tempDir(), 'out.txt');
    const r = await exits(['test/programs/cpu-exit.mjs', '30000', '18', out, op], 2);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(expected);
  });

  test('gpuseg fit of 30,000 x 18 on 2 threads (CLI)', async () => {
    const dir = tempDir();
    const input = join(dir, 't.csv');
    const d = 18;
    const lines = [['id', ...Array.from({ length: d }, (_, j) => `f${j}`)].join(',')];
    for (let i = 0; i < 30_000; i++)
      lines.push([i, ...Array.from({ length: d }, (_, j) => ((i * (j + 3)) % 97) / 7)].join(','));
    writeFileSync(input, lines.join('\n') + '\n');
    const output = join(dir, 'segments.csv');
    const r = await exits(
      [BIN, 'fit', input, '--k', '3', '--backend', 'cpu', '--id', 'id', '--output', output],
      2,
    );
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(existsSync(output)).toBe(true);
    expect(readFileSync(output, 'utf8').trim().split('\n')).toHaveLength(30_001);
  });
});

test('GPUSEG_THREADS that is not a thread count is a usage error naming it', () => {
  // (features named: the default would add the notices about Channel and Region first)
  const fresh = ['--features', 'Fresh,Milk'];
  const r = gpuseg(
    ['fit', 'datasets/wholesale-customers.arrow', ...fresh, '--k', '3', '--backend', 'cpu'],
    { GPUSEG_THREADS: '0' },
  );
  expect(r.status).toBe(2);
  expect(errors(r)).toMatch(/^gpuseg: error: GPUSEG_THREADS=0 is not a whole number of threads/);
  expect(errors(r).split('\n')).toHaveLength(1);
});
