import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { hasGpu } from './helpers/backends.js';
import { ROOT } from './helpers/cli.js';

/**
 * Regression tests for the hazards in DESIGN.md, run as separate processes because the failure is
 * the process dying: an abort or segfault (status 134/139), or a silent exit with status 0 before
 * the program printed 'done'.
 */
function run(
  program: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', program, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir() },
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasGpu)('GPU work survives garbage collection and a blocked main thread', () => {
  test('rounds of fits with gc() and 200 ms allocating loops while work is in flight', () => {
    const r = run('test/programs/gpu-lifetime.mjs', ['4']);
    expect(r.stderr).not.toMatch(/futex|system_error|Segmentation/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/round 3 inertia/);
    expect(r.stdout.trim().endsWith('done')).toBe(true);
  });
});

test('a CPU fit on worker threads keeps the process alive until it resolves', () => {
  const r = run('test/programs/cpu-await.mjs', []);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/iterations \d+\ndone/);
});

test('worker threads start when the host parses eval code as ES modules (--input-type=module)', () => {
  // Workers inherit the host's options: with --input-type=module, Node read the workers' eval'd
  // CommonJS source as a module and `require` failed, in the CPU pool and the decode worker alike.
  const code = `
    import { fit, readTable } from './dist/src/index.js';
    import { tableFromArrays } from 'apache-arrow';
    const wholesale = await readTable('datasets/wholesale-customers.arrow');
    const n = 120000, cols = {};
    for (let j = 0; j < 6; j++) cols['f' + j] = Float32Array.from({ length: n }, (_, i) => ((i * (j + 3)) % 97) / 7);
    const r = await fit(tableFromArrays(cols), { k: 5, backend: 'cpu' });
    process.stdout.write('rows ' + wholesale.numRows + ' iterations ' + r.stats.iterations + '\\ndone\\n');
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stderr).not.toMatch(/require is not defined/);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/rows 440 iterations \d+\ndone/);
});
