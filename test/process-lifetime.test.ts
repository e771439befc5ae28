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
function run(program: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
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
