import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fit, fitOutOfCore, GpusegError, predictOutOfCore, type Notice } from '../src/index.js';
import { errors, gpuseg } from './helpers/cli.js';

/**
 * Notices and refusals name what their reader knows (issue 15): the API's text names options
 * (`nInit`, `thousands`), the CLI's the flags (`--n-init`, `--thousands`), from one message.
 */
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-notices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const arrow = join(dir, 'x.arrow');
const csv = join(dir, 'x.csv');
const centres = join(dir, 'centres.csv');
beforeAll(() => {
  const a = Float32Array.from({ length: 40 }, (_, i) => (i % 2) * 10 + (i % 5) / 10);
  writeFileSync(arrow, tableToIPC(tableFromArrays({ a, b: a.map((v) => v * 2) }), 'file'));
  const rows = Array.from({ length: 30 }, (_, i) => `${i % 2},${i === 9 ? '"1,234.5"' : i % 3}`);
  writeFileSync(csv, ['a,b', ...rows].join('\n'));
  writeFileSync(centres, 'a,b\n0,0\n10,20\n');
});

/** The notices of a call, as the API gives them and as the CLI renders them. */
function listener(): { api: string[]; cli: string[]; onNotice: (m: string, n: Notice) => void } {
  const api: string[] = [];
  const cli: string[] = [];
  return {
    api,
    cli,
    onNotice: (m, n) => {
      api.push(m);
      cli.push(n.messageFor('flag'));
    },
  };
}

test('a notice names the option from the API and the flag from the CLI', async () => {
  const l = listener();
  const r = await fit(arrow, {
    k: 2,
    init: centres,
    nInit: 3,
    backend: 'cpu',
    onNotice: l.onNotice,
  });
  const api = /^nInit 3 ignored: explicit initial centres give the same run every time/;
  expect(r.stats.notices.filter((n) => api.test(n))).toHaveLength(1);
  expect(l.api.filter((n) => api.test(n))).toHaveLength(1);
  expect(l.cli.filter((n) => /^--n-init 3 ignored: explicit/.test(n))).toHaveLength(1);
  const c = gpuseg([
    'fit',
    arrow,
    '--k',
    '2',
    '--init',
    centres,
    '--n-init',
    '3',
    '--backend',
    'cpu',
  ]);
  expect(c.status).toBe(0);
  expect(errors(c)).toMatch(/gpuseg: --n-init 3 ignored: explicit/);
});

test('a column left out names thousands from the API and --thousands from the CLI', async () => {
  const l = listener();
  const r = await fit(csv, { k: 2, backend: 'cpu', onNotice: l.onNotice });
  const left = /column 'b' is left out of the features: .*\(thousands separator\); give /;
  expect(r.stats.notices.find((n) => left.test(n))).toMatch(/give thousands \(, \. or space\)/);
  expect(l.cli.find((n) => left.test(n))).toMatch(/give --thousands \(, \. or space\)/);
});

test('fitOutOfCore and predictOutOfCore refusals name options from the API, flags from the CLI', async () => {
  const refusal = async (call: () => Promise<unknown>): Promise<GpusegError> => {
    const e = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e).toBeInstanceOf(GpusegError);
    return e as GpusegError;
  };
  for (const algorithm of ['dbscan', 'ward'] as const) {
    const e = await refusal(() => fitOutOfCore(arrow, { k: 2, algorithm }));
    expect(e.message).toMatch(
      /^outOfCore: algorithm (dbscan|ward) .*; leave out outOfCore, or(, for more rows,)? fit algorithm (kmeans or gmm|ward \(two-step, in memory\) or kmeans) out of core$/,
    );
    expect(e.messageFor('flag')).toMatch(
      /^--out-of-core: --algorithm (dbscan|ward) .*; leave out --out-of-core, or(, for more rows,)? fit --algorithm (kmeans or gmm|ward \(two-step, in memory\) or kmeans) out of core$/,
    );
  }
  // A DBSCAN model is scored out of core (out-of-core-models.test.ts); a bad chunk size is not.
  const model = join(dir, 'dbscan.json');
  const fitted = gpuseg(['fit', arrow, '--algorithm', 'dbscan', '--eps', '1', '--model', model]);
  expect(fitted.status).toBe(0);
  const e = await refusal(() => predictOutOfCore(arrow, model, { chunkRows: 0 }));
  expect(e.message).toMatch(/^chunkRows: expected/);
  const c = gpuseg(['predict', arrow, '--model', model, '--out-of-core', '--chunk-rows', '0']);
  expect(c.status).toBe(2);
  expect(errors(c)).toMatch(/--chunk-rows: expected/);
  const w = gpuseg(['fit', arrow, '--k', '2', '--algorithm', 'ward', '--out-of-core']);
  expect(w.status).toBe(2);
  expect(errors(w)).toMatch(/--out-of-core: --algorithm ward .*; leave out --out-of-core/);
});
