import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Backend, DatasetHandle } from '../src/backend/backend.js';
import { backendCases } from './helpers/backends.js';
import { gmmFailures, gmmMutations, gmmReference, randomGmmParams } from './helpers/gmm-check.js';
import { blobs } from './helpers/reference.js';

/**
 * The Gaussian-mixture passes on every backend against a float64 reference: responsibilities by
 * log-sum-exp, their centred statistics, the log-likelihood, labels and probabilities, checked by
 * `gmmFailures` (helpers/gmm-check.ts), which also proves on every shape that it would see +1 on
 * Nk, a row left out of the statistics and a wrong label.
 */
const shapes = [
  { rows: 1, dims: 1, k: 1 },
  { rows: 70, dims: 2, k: 3 },
  { rows: 2500, dims: 5, k: 4 },
  { rows: 40_000, dims: 13, k: 6 },
  // Past the inline limit, so the worker threads run it (diag: the SIMD E-step, wasm-gmm.ts); the
  // second block's 17,235 rows end in a partial piece and three rows past the last quad.
  { rows: 50_003, dims: 11, k: 5 },
];

describe.each(backendCases)('backend $name', ({ make }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  describe.each(shapes)('$rows × $dims, k=$k', ({ rows, dims, k }) => {
    const { matrix } = blobs(rows, dims, k, rows + 17 * dims, 2);
    let handle: DatasetHandle;
    beforeAll(async () => {
      handle = await backend.attach(matrix);
    });
    afterAll(async () => {
      await backend.detach(handle);
    });

    test.each(['diag', 'full'] as const)(
      '%s: statistics, log-likelihood, labels and probabilities',
      async (form) => {
        const params = randomGmmParams(form, k, dims, rows + k);
        const ref = gmmReference(matrix, params);
        const summary = await backend.gmmStep(handle, params);
        const assignment = await backend.gmmAssign(handle, params, { probabilities: true });
        expect(gmmFailures(ref, { kind: backend.kind, summary, assignment })).toEqual([]);
        // The checks see +1 on Nk, a row left out and a wrong label on this shape too.
        for (const { name, observed } of gmmMutations(ref, matrix, params, {
          kind: backend.kind,
          summary,
          assignment,
        }))
          expect(gmmFailures(ref, observed), name).not.toEqual([]);
        const noProbs = await backend.gmmAssign(handle, params, { probabilities: false });
        expect(noProbs.probabilities).toBeUndefined();
      },
    );
  });
});
