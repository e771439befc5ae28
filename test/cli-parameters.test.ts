import { Command, Option } from 'commander';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import {
  COMMON_PARAMETERS,
  fit,
  GMM_PARAMETERS,
  KMEANS_PARAMETERS,
  OUT_OF_CORE_PARAMETERS,
  PREDICT_PARAMETERS,
  PREP_PARAMETERS,
  SEGMENT_PARAMETERS,
  SELECT_PARAMETERS,
  UsageError,
  type ParameterSpec,
} from '../src/index.js';

/** One parameter table: the CLI's flags, the API's option names, checks and defaults all come from it. */
const TABLES: readonly (readonly ParameterSpec[])[] = [
  COMMON_PARAMETERS,
  KMEANS_PARAMETERS,
  GMM_PARAMETERS,
  PREP_PARAMETERS,
  OUT_OF_CORE_PARAMETERS,
  PREDICT_PARAMETERS,
  SELECT_PARAMETERS,
  SEGMENT_PARAMETERS,
];

describe('the parameter table', () => {
  test("every flag's commander attribute is the API option's name", () => {
    for (const spec of TABLES.flat())
      expect(new Option(spec.flag).attributeName(), spec.flag).toBe(spec.name);
  });

  test('every parameter of a command is one of its flags, with its description', () => {
    const program = buildProgram();
    const fitCommand = program.commands.find((c) => c.name() === 'fit') as Command;
    for (const spec of [...KMEANS_PARAMETERS, ...GMM_PARAMETERS, ...PREP_PARAMETERS]) {
      const option = fitCommand.options.find((o) => o.flags === spec.flag);
      expect(option, spec.flag).toBeDefined();
      expect(option!.description.startsWith(spec.description)).toBe(true);
    }
  });

  test('the CLI parses values by the table: typed, checked, errors name the flag', async () => {
    const seen: Record<string, unknown>[] = [];
    const command = buildProgram().commands.find((c) => c.name() === 'fit') as Command;
    command.action((_input: string, flags: Record<string, unknown>) => {
      seen.push(flags);
    });
    await command.parseAsync(
      ['x.arrow', '--k', '4', '--max-iter', '20', '--n-init', 'auto', '--features', 'a, b'],
      { from: 'user' },
    );
    expect(seen[0]).toMatchObject({ k: 4, maxIter: 20, nInit: 'auto', features: ['a', 'b'] });
    const error: unknown = await command
      .parseAsync(['x.arrow', '--k', '4', '--tol', '-1'], { from: 'user' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).messageFor('flag')).toBe("--tol: expected a number ≥ 0, got '-1'");
  });

  test('the API checks options by the same table and names the option, not the flag', async () => {
    const table = tableFromArrays({ a: Float64Array.from([1, 2, 3, 4]) });
    const regCovar: unknown = await fit(table, { k: 2, regCovar: -1 }).catch((e: unknown) => e);
    expect((regCovar as UsageError).message).toBe("regCovar: expected a number ≥ 0, got '-1'");
    expect((regCovar as UsageError).messageFor('flag')).toBe(
      "--reg-covar: expected a number ≥ 0, got '-1'",
    );
    await expect(fit(table, { k: 2, nInit: 0 })).rejects.toThrow(
      /^nInit: expected 'auto' or an integer ≥ 1, got '0'$/,
    );
  });

  test('defaults come from the table, per algorithm where scikit-learn has them so', async () => {
    const table = tableFromArrays({ a: Float64Array.from([1, 2, 3, 4, 10, 11, 12, 13]) });
    const kmeans = await fit(table, { k: 2, backend: 'cpu' });
    expect(kmeans.model).toMatchObject({ maxIter: 300, tol: 1e-4, seed: 0, nInit: 1 });
    expect(kmeans.sizes).toEqual([4, 4].map(() => expect.any(Number)));
    expect(kmeans.sizes.reduce((a, b) => a + b)).toBe(8);
    const gmm = await fit(table, { k: 2, backend: 'cpu', algorithm: 'gmm' });
    expect(gmm.model).toMatchObject({ maxIter: 100, tol: 1e-3, covarianceType: 'full' });
    const mini = await fit(table, { k: 2, backend: 'cpu', algorithm: 'minibatch-kmeans' });
    expect(mini.model).toMatchObject({ maxIter: 100, tol: 0, batchSize: 1024 });
  });
});
