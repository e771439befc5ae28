import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * Heavy parts load lazily (issues 15, 20): importing gpuseg loads no DuckDB (libduckdb), Dawn (the
 * webgpu package's dawn.node), parquet-wasm, bullmq or ioredis, and `gpuseg --version` loads no
 * command module.
 * Each case runs the built package in a child process traced by test/programs/embed-trace.mjs.
 */
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY =
  /@duckdb|duckdb\.node|libduckdb|\/webgpu\/|dawn|parquet-wasm|parquet_wasm|\/bullmq\/|\/ioredis\//i;

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

test('importing gpuseg loads no DuckDB, Dawn or parquet-wasm', () => {
  const t = traced('import', [
    '--input-type=module',
    '-e',
    "const g = await import('./dist/src/index.js'); if (typeof g.fit !== 'function') throw new Error('no fit');",
  ]);
  expect(t.modules.some((m) => m.endsWith('/dist/src/index.js'))).toBe(true);
  expect(t.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  expect(t.libs.filter((l) => HEAVY.test(l))).toEqual([]);
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
