import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * The public declarations (dist/src/index.d.ts; `npm run build` first), as a TypeScript consumer
 * sees them (issue 15): FitResult narrows by `algorithm`; the model, algorithm, covariance and
 * profile types are exported; nothing reachable from index.d.ts names a WebGPU type, so a
 * consumer compiles with only apache-arrow's and Node's types (no @webgpu/types).
 */
const dir = mkdtempSync(join(tmpdir(), 'gpuseg-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each `@ts-expect-error` fails the compile when the line under it stops being an error. */
const FIXTURE = `import {
  fit,
  silhouetteScores,
  type Algorithm,
  type ColumnRole,
  type CovarianceType,
  type FitResult,
  type GmmFitResult,
  type GmmModel,
  type KMeansFitResult,
  type KMeansModel,
  type OtherFitResult,
  type ProfileColumn,
  type Profiles,
  type SegmentModel,
} from 'gpuseg';

export function describeFit(r: FitResult): string {
  const algorithm: Algorithm = r.algorithm;
  if (r.algorithm === 'gmm') {
    const mixture: GmmFitResult = r;
    const model: GmmModel = r.model;
    const weights: number[] = r.weights;
    const covariances: number[] = model.covariances;
    const covariance: CovarianceType = r.covarianceType;
    const probability: Float32Array = r.probability;
    // @ts-expect-error a mixture has no inertia
    const inertia: number = r.inertia;
    // @ts-expect-error nor distances to centres
    const distances: Float32Array = r.distances;
    return \`\${algorithm} \${mixture.bic} \${weights.length} \${covariances.length} \${covariance} \${probability.length} \${inertia} \${distances.length}\`;
  }
  if (r.algorithm === 'kmeans' || r.algorithm === 'minibatch-kmeans') return kmeansFit(r);
  if (r.algorithm === 'ward' || r.algorithm === 'dbscan' || r.algorithm === 'birch') return otherFit(r);
  return algorithm;
}

function kmeansFit(r: KMeansFitResult): string {
  const kmeans: KMeansFitResult = r;
  const model: KMeansModel = r.model;
  const inertia: number = r.inertia;
  const distances: Float32Array = r.distances;
  // @ts-expect-error k-means has no mixture weights
  const weights: number[] = r.weights;
  // @ts-expect-error nor probabilities
  const probability: Float32Array = r.probability;
  return \`\${kmeans.algorithm} \${model.inertia} \${inertia} \${distances.length} \${weights.length} \${probability.length}\`;
}

function otherFit(r: Exclude<FitResult, GmmFitResult | KMeansFitResult>): string {
  const other: OtherFitResult = r;
  // @ts-expect-error dbscan and birch have no inertia: it may be undefined
  const total: number = r.inertia;
  return \`\${other.algorithm} \${total} \${r.distances.length}\`;
}

export async function score(table: Parameters<typeof fit>[0]): Promise<number> {
  const r = await fit(table, { k: 3 });
  const model: SegmentModel = r.model;
  const profiles: Profiles = r.profiles;
  const role: ColumnRole = profiles.population[0].role;
  const column: ProfileColumn = { name: 'monetary', role };
  // @ts-expect-error an algorithm fit does not run
  const wrong: Algorithm = 'dbscan-typo';
  const { scores } = silhouetteScores(r.data.matrix, [{ labels: r.labels, k: model.k }]);
  return scores[0] + column.name.length + wrong.length;
}
`;

test('FitResult narrows by algorithm, and the public types compile strict without WebGPU types', () => {
  for (const name of ['gpuseg', 'apache-arrow', 'typescript', '@types/node']) {
    const at = join(dir, 'node_modules', name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(name === 'gpuseg' ? ROOT : join(ROOT, 'node_modules', name), at, 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(dir, 'use.ts'), FIXTURE);
  writeFileSync(
    join(dir, 'tsconfig.json'),
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
  const tsc = join(dir, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 120_000);

test('no declaration reachable from index.d.ts names a WebGPU type', () => {
  const seen = new Set<string>();
  const todo = [join(ROOT, 'dist/src/index.d.ts')];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    // Declarations only: a comment may say what the types avoid.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    // WebGPU's types (GPUDevice, GPUBuffer, …), not gpuseg's own GPUSEG_ names.
    expect(text, file).not.toMatch(/\bGPU(?!SEG)[A-Z]\w*\b|@webgpu\/types|from 'webgpu'/);
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g))
      todo.push(normalize(join(dirname(file), m[1].replace(/\.js$/, '.d.ts'))));
  }
  // The walk reached the API's declarations, not just the index.
  expect(seen.size).toBeGreaterThan(20);
  expect([...seen].some((f) => f.endsWith('api/fit-result.d.ts'))).toBe(true);
});
