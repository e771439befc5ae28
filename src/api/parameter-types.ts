/**
 * Parameters declared once, as data (FAISS's parameters struct, scikit-learn's
 * `_parameter_constraints`): each has its API option name, its CLI flag, its default and its
 * constraint. From these tables come
 * - the API's option types (`ParameterOptions`), so an option's type follows its kind and choices;
 * - the values every entry point runs with (`resolveParameters`: checked, defaults filled in — no
 *   default is written anywhere else);
 * - the CLI's commander options and the parsing of their values (src/cli/options.ts), so a value
 *   accepted by one is accepted by the other.
 * Commander turns a flag into its camelCase attribute, which is the option's API name
 * (`--max-iter` → `maxIter`; checked by test/cli-parameters.test.ts).
 */
export type ParameterKind =
  | 'int'
  | 'number'
  | 'int-or-auto'
  | 'number-or-auto'
  | 'choice'
  | 'string'
  | 'list'
  /** A method's name or a file of centres (CLI); in the API, centres themselves too. */
  | 'centres';

/** The algorithms `fit` runs; some defaults depend on it. */
export const ALGORITHMS = [
  'kmeans',
  'minibatch-kmeans',
  'gmm',
  'kprototypes',
  'bisecting',
  'ward',
  'dbscan',
  'birch',
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface ParameterSpec {
  /** Option name in the API (camelCase; commander's attribute name of the flag). */
  readonly name: string;
  /** CLI flag, with its value placeholder. */
  readonly flag: string;
  readonly kind: ParameterKind;
  /** One line for the CLI's help (the default is added to it). */
  readonly description: string;
  /** The value when the option is not given. */
  readonly default?: number | string;
  /** A default that depends on the algorithm (the description states them). */
  readonly defaults?: Readonly<Record<Algorithm, number>>;
  /** Inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  readonly choices?: readonly string[];
}

/** The TypeScript type of a parameter's value, from its kind (and its choices). */
export type ParameterValue<S extends ParameterSpec> = S extends {
  kind: 'choice';
  choices: readonly (infer C)[];
}
  ? C
  : S['kind'] extends 'int' | 'number'
    ? number
    : S['kind'] extends 'int-or-auto' | 'number-or-auto'
      ? number | 'auto'
      : S['kind'] extends 'list'
        ? string[]
        : S['kind'] extends 'centres'
          ? string | Float32Array | number[][]
          : string;

/** The options a table declares, each optional: what an API call may pass. */
export type ParameterOptions<T extends readonly ParameterSpec[]> = {
  [S in T[number] as S['name']]?: ParameterValue<S>;
};

/** The values a call runs with: defaulted ones always set, the others possibly undefined. */
export type ResolvedParameters<T extends readonly ParameterSpec[]> = {
  [S in T[number] as S['name']]: S extends { default: unknown } | { defaults: unknown }
    ? ParameterValue<S>
    : ParameterValue<S> | undefined;
};
