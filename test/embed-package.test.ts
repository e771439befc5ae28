import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ARROW_PEER_RANGE } from '../src/data/arrow-peer.js';
import { ROOT } from './helpers/cli.js';

/**
 * The package as a consumer gets it (issue 15): `npm pack` (of the built dist/; `npm test` builds
 * first), the tarball unpacked as node_modules/gpuseg of a fresh project, then an ESM script, a
 * CommonJS script and `tsc --noEmit` (strict, skipLibCheck false) against it.
 *
 * Installing the tarball with npm is impossible offline (npm's cache lacks the dependencies:
 * ENOTCACHED), so the consumer's node_modules gets the tarball's files as npm would lay them out,
 * plus links to this project's copies of gpuseg's dependencies, of apache-arrow (its peer
 * dependency) and of typescript and @types/node (what the consumer itself would install). Nothing
 * else of this project is reachable from it.
 *
 * apache-arrow's other supported major (and one below the range) comes from the npm registry,
 * installed once into the temporary folder: consumers that hold those instead of ours.
 */
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-consumer-'));
const consumer = join(dir, 'consumer');
/** The other apache-arrow majors, under npm aliases: arrow<major>. */
const arrows = join(dir, 'arrows');
const OTHER_MAJORS = [20, 19];
let tarball = '';
let files: string[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A consumer project at `at` with gpuseg unpacked and apache-arrow linked from `arrow`. */
function makeConsumer(at: string, arrow: string): void {
  const installed = join(at, 'node_modules', 'gpuseg');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const name of [...Object.keys(pkg.dependencies), 'typescript', '@types/node']) {
    const link = join(at, 'node_modules', name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
  symlinkSync(arrow, join(at, 'node_modules', 'apache-arrow'), 'dir');
  writeFileSync(
    join(at, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }),
  );
}

beforeAll(() => {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  tarball = join(dir, packed[0].filename);
  makeConsumer(consumer, join(ROOT, 'node_modules', 'apache-arrow'));
  mkdirSync(arrows);
  writeFileSync(join(arrows, 'package.json'), '{"private":true}');
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...OTHER_MAJORS.map((m) => `arrow${m}@npm:apache-arrow@^${m}.0.0`),
    ],
    { cwd: arrows, stdio: 'ignore', timeout: 170_000 },
  );
  for (const m of OTHER_MAJORS)
    makeConsumer(join(dir, `consumer${m}`), join(arrows, 'node_modules', `arrow${m}`));
}, 180_000);

function run(args: string[], cwd = consumer): string {
  const r = spawnSync(process.execPath, args, {
    cwd,
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
  expect(files).toContain('dist/src/data/column-worker.js');
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

/**
 * A synchronous export first (it loads gpuseg's Arrow code on that call, synchronously: the Table
 * it returns must be one of the consumer's copy), then fits k-means with an id column (copied into
 * the output table), a mixture, and predicts.
 */
const ROUND_TRIP = `import { assignmentsTable, fit, predict } from 'gpuseg';
import { Table, tableFromArrays } from 'apache-arrow';
const x = Float32Array.from({ length: 60 }, (_, i) => (i % 3) * 10 + i / 100);
const t = tableFromArrays({ id: Array.from({ length: 60 }, (_, i) => 'c' + i), a: x, b: x });
const first = assignmentsTable(t, 'id', new Int32Array(60), new Float32Array(60));
const r = await fit(t, { k: 3, backend: 'cpu', seed: 1, id: 'id' });
const g = await fit(t, { k: 2, backend: 'cpu', seed: 1, algorithm: 'gmm', id: 'id' });
const p = await predict(t, r.model, { id: 'id', backend: 'cpu' });
console.log(first instanceof Table, first.getChild('id').get(3), r.assignments.getChild('id').get(7), g.assignments.numRows, p.assignments.getChild('id').get(59));
`;

test('tables of each supported apache-arrow major work in fit, a mixture and predict', () => {
  writeFileSync(join(consumer, 'round-trip.mjs'), ROUND_TRIP);
  expect(run(['round-trip.mjs'])).toBe('true c3 c7 60 c59\n');
  const other = join(dir, 'consumer20');
  const version = (
    JSON.parse(readFileSync(join(other, 'node_modules/apache-arrow/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  expect(version).toMatch(/^20\./);
  writeFileSync(join(other, 'round-trip.mjs'), ROUND_TRIP);
  expect(run(['round-trip.mjs'], other)).toBe('true c3 c7 60 c59\n');
});

test("package.json's peer range is the one gpuseg checks", () => {
  expect(pkg.peerDependencies['apache-arrow']).toBe(ARROW_PEER_RANGE);
  expect(pkg.dependencies['apache-arrow']).toBeUndefined();
});

const CAUGHT = (from: string) => `import { fit } from 'gpuseg';
import { tableFromArrays } from '${from}';
const x = Float32Array.from({ length: 60 }, (_, i) => i % 3);
await fit(tableFromArrays({ a: x, b: x }), { k: 3, backend: 'cpu' }).then(
  () => console.log('no error'),
  (e) => console.log(e.name, e.code, e.message),
);
`;

test('an apache-arrow below the supported majors gets an error naming them', () => {
  const other = join(dir, 'consumer19');
  writeFileSync(join(other, 'old.mjs'), CAUGHT('apache-arrow'));
  const out = run(['old.mjs'], other);
  expect(out).toMatch(
    /^EnvironmentError GPUSEG_ENVIRONMENT input: gpuseg resolved apache-arrow 19\./,
  );
  expect(out).toContain(`apache-arrow ${pkg.peerDependencies['apache-arrow']} (a peer dependency)`);
});

test('a Table of another copy of apache-arrow gets an error naming the supported versions', () => {
  const foreign = join(arrows, 'node_modules/arrow20/Arrow.node.mjs');
  writeFileSync(join(consumer, 'foreign.mjs'), CAUGHT(foreign));
  const out = run(['foreign.mjs']);
  expect(out).toMatch(
    /^EnvironmentError GPUSEG_ENVIRONMENT input: the Table comes from another copy/,
  );
  expect(out).toContain(`apache-arrow ${pkg.peerDependencies['apache-arrow']} (a peer dependency)`);
});
