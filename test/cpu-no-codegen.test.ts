import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * The CPU path runs under `node --disallow-code-generation-from-strings` (issue 12): workers are
 * module files, WebAssembly is compiled from bytes, and where generated JavaScript kernels cannot
 * be made the plain TypeScript kernels (generic-kernels.ts) give the same results. Each fit and
 * pass (calling thread and worker threads, k-means, k-means‖, both mixture forms, the JavaScript
 * and copying SIMD kernels) must print the same line with and without the flag.
 */
function run(flags: string[]): string[] {
  const r = spawnSync(process.execPath, [...flags, 'test/programs/cpu-no-codegen.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, GPUSEG_THREADS: '2' },
    timeout: 240_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n');
}

test('CPU fits and passes give the same results without code generation from strings', () => {
  const plain = run([]);
  const strict = run(['--disallow-code-generation-from-strings']);
  expect(plain[0]).toBe('codegen true');
  expect(strict[0]).toBe('codegen false');
  expect(strict).toHaveLength(8);
  expect(strict.slice(1)).toEqual(plain.slice(1));
  expect(strict.at(-1)).toMatch(/^copying simd kernel: .* bounded [1-9]\d*$/);
}, 480_000);
