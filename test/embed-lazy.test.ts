import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { requireModule } from './helpers/source-modules.js';

/**
 * Heavy parts load lazily (issue 15): importing gpuseg loads no DuckDB (libduckdb), Dawn (the
 * webgpu package's dawn.node), parquet-wasm, bullmq or ioredis, nor apache-arrow, csv-parse,
 * ECharts, wabt, commander or an algorithm (src/index.ts is a facade: src/lazy/exports.ts), and
 * `gpuseg --version` loads no command module. Each case runs the built package in a child process
 * traced by test/programs/embed-trace.mjs.
 */
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY =
  /@duckdb|duckdb\.node|libduckdb|\/webgpu\/|dawn|parquet-wasm|parquet_wasm|\/bullmq\/|\/ioredis\//i;
/** What the facade defers too: the Arrow, CSV, chart, WebAssembly-text and CLI libraries, algorithms. */
const DEFERRED =
  /\/(apache-arrow|csv-parse|echarts|wabt|commander|flatbuffers)\/|\/dist\/src\/algo\//;

function traced(
  name: string,
  args: string[],
): { modules: string[]; libs: string[]; stdout: string } {
  const file = join(dir, `${name}.trace`);
  const r = spawnSync(process.execPath, ['--import', './test/programs/embed-trace.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, GPUSEG_TRACE_FILE: file },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const pick = (tag: string): string[] =>
    lines.filter((l) => l.startsWith(`${tag} `)).map((l) => l.slice(tag.length + 1));
  return { modules: pick('module'), libs: pick('lib'), stdout: r.stdout };
}

test('importing gpuseg loads no DuckDB, Dawn, parquet-wasm, bullmq, ioredis, nor apache-arrow', () => {
  const t = traced('import', [
    '--input-type=module',
    '-e',
    "const g = await import('./dist/src/index.js'); if (typeof g.fit !== 'function') throw new Error('no fit');",
  ]);
  expect(t.modules.some((m) => m.endsWith('/dist/src/index.js'))).toBe(true);
  expect(t.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  expect(t.libs.filter((l) => HEAVY.test(l))).toEqual([]);
  expect(t.modules.filter((m) => DEFERRED.test(m))).toEqual([]);
  // The facade and its light modules only: a heavy module imported eagerly again adds dozens.
  expect(t.modules.filter((m) => m.includes('/dist/src/')).length).toBeLessThan(30);
});

test("synchronous exports load their module on first call, with the caller's apache-arrow", () => {
  // computeProfiles, assignmentsTable and writeTable are synchronous and need Arrow: the Table the
  // caller made must be one gpuseg's code knows (instanceof), and the Table gpuseg returns one the
  // caller's copy knows.
  const out = join(dir, 'sync.arrow');
  const t = traced('sync', [
    '--input-type=module',
    '-e',
    `const g = await import('./dist/src/index.js');
     const arrow = await import('apache-arrow');
     const table = arrow.tableFromArrays({ a: Float32Array.of(1, 2, 10, 11), b: Float32Array.of(0, 1, 0, 1) });
     const labels = Int32Array.of(0, 0, 1, 1);
     const profiles = g.computeProfiles(table, labels, 2, [{ name: 'a', role: 'feature' }]);
     const out = g.assignmentsTable(table, undefined, labels, new Float32Array(4));
     g.writeTable(${JSON.stringify(out)}, out);
     const back = await g.readTable(${JSON.stringify(out)});
     process.stdout.write(JSON.stringify({
       means: profiles.segments.map((s) => s.columns[0].mean),
       ours: out instanceof arrow.Table && back instanceof arrow.Table,
       ids: Array.from(back.getChild('segment_id').toArray()),
       names: [g.computeProfiles.name, g.fit.name],
     }));`,
  ]);
  expect(JSON.parse(t.stdout)).toEqual({
    means: [1.5, 10.5],
    ours: true,
    ids: [0, 0, 1, 1],
    names: ['computeProfiles', 'fit'],
  });
});

test('under vitest, test/helpers/source-modules.ts has every module the facade loads', () => {
  const index = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  const paths = [...index.matchAll(/new LazyModule<[^>]+>\(\s*'([^']+)'/g)].map((m) => m[1]);
  expect(paths.length).toBeGreaterThan(20);
  for (const path of paths) expect(() => requireModule(path), path).not.toThrow();
});

test('Parquet still reads and writes with parquet-wasm loaded on first use', () => {
  const out = join(dir, 'x.parquet');
  const t = traced('parquet', [
    '--input-type=module',
    '-e',
    `const g = await import('./dist/src/index.js');
     const { tableFromArrays } = await import('apache-arrow');
     g.writeTable(${JSON.stringify(out)}, tableFromArrays({ a: Float64Array.of(1, 2, 3) }));
     const back = await g.readTable(${JSON.stringify(out)});
     process.stdout.write(String(back.getChild('a').toArray()));`,
  ]);
  expect(t.stdout).toBe('1,2,3');
});

test('gpuseg --version loads no command module, commander or heavy part', () => {
  const t = traced('version', ['dist/src/cli/bin.js', '--version']);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(t.stdout).toBe(`${pkg.version}\n`);
  expect(t.modules.filter((m) => /\/cli\/(commands\/|main\.js)|commander/.test(m))).toEqual([]);
  expect(t.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  expect(t.libs.filter((l) => HEAVY.test(l))).toEqual([]);
});

test('gpuseg --help loads commander and the commands, but no Arrow, algorithm or heavy part', () => {
  const t = traced('help', ['dist/src/cli/bin.js', '--help']);
  expect(t.stdout).toMatch(/^Usage: gpuseg /);
  expect(t.modules.some((m) => /\/cli\/commands\/fit\.js$/.test(m))).toBe(true);
  expect(t.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  expect(t.modules.filter((m) => DEFERRED.test(m) && !/\/commander\//.test(m))).toEqual([]);
});
