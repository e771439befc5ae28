import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * The package as a consumer gets it (issue 15): `npm pack` (of the built dist/; `npm test` builds
 * first), the tarball unpacked as node_modules/gpuseg of a fresh project, then an ESM script, a
 * CommonJS script and `tsc --noEmit` (strict, skipLibCheck false) against it.
 *
 * Installing the tarball with npm is impossible offline (npm's cache lacks the dependencies:
 * ENOTCACHED), so the consumer's node_modules gets the tarball's files as npm would lay them out,
 * plus links to this project's copies of gpuseg's dependencies and of typescript and @types/node
 * (what the consumer itself would install). Nothing else of this project is reachable from it.
 */
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-consumer-'));
const consumer = join(dir, 'consumer');
let files: string[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  const installed = join(consumer, 'node_modules', 'gpuseg');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    join(dir, packed[0].filename),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  for (const name of [...Object.keys(pkg.dependencies), 'typescript', '@types/node']) {
    const at = join(consumer, 'node_modules', name);
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), at, 'dir');
  }
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }),
  );
}, 120_000);

function run(args: string[]): string {
  const r = spawnSync(process.execPath, args, {
    cwd: consumer,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

const USE = `const x = Float32Array.from({ length: 60 }, (_, i) => (i % 3) * 10 + i / 100);
  const r = await fit(tableFromArrays({ a: x, b: x }), { k: 3, backend: 'cpu', seed: 1 });
  console.log(GPUSEG_VERSION, r.model.algorithm, r.assignments.numRows);`;

test('the tarball ships the code, shaders, kernels and a LICENSE, and no datasets', () => {
  expect(files).toContain('dist/src/index.js');
  expect(files).toContain('dist/src/index.d.ts');
  expect(files).toContain('dist/src/backend/cpu/cpu-worker.js');
  expect(files).toContain('shaders/lloyd.wgsl');
  expect(files).toContain('kernels/column-stats.wat');
  expect(files).toContain('LICENSE');
  expect(files.filter((f) => f.startsWith('datasets/') || f.startsWith('test/'))).toEqual([]);
  const license = readFileSync(join(consumer, 'node_modules/gpuseg/LICENSE'), 'utf8');
  expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(license).toMatch(/END OF TERMS AND CONDITIONS/);
});

test('an ESM consumer imports gpuseg and fits', () => {
  writeFileSync(
    join(consumer, 'esm.mjs'),
    `import { fit, GPUSEG_VERSION } from 'gpuseg';\nimport { tableFromArrays } from 'apache-arrow';\n${USE}\n`,
  );
  expect(run(['esm.mjs'])).toBe(`${pkg.version} kmeans 60\n`);
});

test('a CommonJS consumer requires gpuseg and fits', () => {
  writeFileSync(
    join(consumer, 'cjs.cjs'),
    `const { fit, GPUSEG_VERSION } = require('gpuseg');\nconst { tableFromArrays } = require('apache-arrow');\n(async () => {\n${USE}\n})();\n`,
  );
  expect(run(['cjs.cjs'])).toBe(`${pkg.version} kmeans 60\n`);
});

test('a strict TypeScript consumer typechecks against the published types', () => {
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        types: ['node'],
      },
      files: ['use.ts'],
    }),
  );
  writeFileSync(
    join(consumer, 'use.ts'),
    `import { fit, predict, GpusegError, GPUSEG_VERSION, type FitOptions } from 'gpuseg';
import { tableFromArrays } from 'apache-arrow';
const options: FitOptions = { k: 3, backend: 'cpu' };
${USE.replace("{ k: 3, backend: 'cpu', seed: 1 }", '{ ...options, seed: 1 }')}
const p = await predict(tableFromArrays({ a: Float32Array.of(1), b: Float32Array.of(1) }), r.model);
const rows: number = p.assignments.numRows;
try { await fit(tableFromArrays({ a: Float32Array.of(1) }), { k: 0 }); } catch (e) { if (e instanceof GpusegError) console.log(e.exitCode, rows); }
`,
  );
  const tsc = join(consumer, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
    cwd: consumer,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 120_000);
