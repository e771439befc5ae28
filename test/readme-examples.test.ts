import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * The README's API section cannot rot (issue 15): every ```js block in it runs, as an ES module,
 * against the built package (dist/; `npm run build` first) in a fresh folder whose
 * node_modules/gpuseg is this repository and whose datasets/ is this repository's. A block must
 * exit 0 and write nothing to stderr (a library must not write to its host's stderr); the blocks
 * assert what they show with node:assert.
 */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('\n## API\n');
const end = readme.indexOf('\n## ', start + 1);
const section = readme.slice(start, end);
const examples = [...section.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

/** What the examples must show between them: each exported operation, and the API's habits. */
const SHOWN = [
  /\bfit\(/,
  /algorithm: 'gmm'/,
  /\bpredict\(/,
  /\bsaveModel\(/,
  /\bloadModel\(/,
  /\bselectK\(/,
  /\bsilhouetteScores\(/,
  /\bcalinskiHarabasz\(/,
  /\bdaviesBouldin\(/,
  /\bprofileSegments\(/,
  /\bprofilesText\(/,
  /\bfitReport\(/,
  /\brfm\(/,
  /\bsegment\(/,
  /\.code\b/,
  /\bsignal:/,
  /\bthreads:/,
  /\bdispose\(\)/,
  /\bfitOutOfCore\(/,
  /\bpredictOutOfCore\(/,
  /\breadTable\(/,
  /\bwriteTable\(/,
];

const dir = mkdtempSync(join(tmpdir(), 'gpuseg-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  for (const name of ['gpuseg', 'apache-arrow']) {
    const at = join(dir, 'node_modules', name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(name === 'gpuseg' ? ROOT : join(ROOT, 'node_modules', name), at, 'dir');
  }
  symlinkSync(join(ROOT, 'datasets'), join(dir, 'datasets'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
});

test('the API section has examples, and they show every operation', () => {
  expect(examples.length).toBeGreaterThanOrEqual(8);
  const all = examples.join('\n');
  for (const pattern of SHOWN) expect(all, String(pattern)).toMatch(pattern);
});

test.each(examples.map((code, i) => [i + 1, code.split('\n').find((l) => /gpuseg/.test(l)), code]))(
  'README API example %i (%s) runs',
  (i, _, code) => {
    const file = join(dir, `example-${String(i)}.mjs`);
    writeFileSync(file, code as string);
    const r = spawnSync(process.execPath, [file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, GPUSEG_DEBUG: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  },
  130_000,
);
