import { UsageError } from '../errors.js';
import type {
  Algorithm,
  ParameterSpec,
  ParameterValue,
  ResolvedParameters,
} from './parameter-types.js';
import { argumentError } from '../util/arguments.js';

/** The parameter table's rules applied: parsing and checking values, and filling defaults. */

/**
 * Converts a CLI string to the parameter's type, or checks an API value; throws a UsageError
 * naming the option (`maxIter` in `message`, `--max-iter` in the CLI's `messageFor('flag')`).
 */
export function checkParameter<S extends ParameterSpec>(
  spec: S,
  value: unknown,
): ParameterValue<S> {
  checkSpec(spec);
  return checkValue(spec, value) as ParameterValue<S>;
}

/** A UsageError unless `spec` is a row of a parameter table. */
function checkSpec(spec: unknown): void {
  const s = spec as Partial<ParameterSpec> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.name !== 'string' ||
    typeof s.kind !== 'string'
  )
    throw argumentError('spec', 'a parameter spec (a row of KMEANS_PARAMETERS, …)', spec);
}

function checkValue(
  spec: ParameterSpec,
  value: unknown,
): number | string | string[] | Float32Array | number[][] {
  const fail = (expected: string): never => {
    const got = Array.isArray(value) ? value.join(',') : String(value);
    throw new UsageError((name) => `${name(spec.name)}: expected ${expected}, got '${got}'`);
  };
  switch (spec.kind) {
    case 'int':
    case 'number':
    case 'int-or-auto':
    case 'number-or-auto': {
      const orAuto = spec.kind === 'int-or-auto' || spec.kind === 'number-or-auto';
      if (orAuto && value === 'auto') return value;
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      const integer = spec.kind === 'int' || spec.kind === 'int-or-auto';
      const what = (orAuto ? "'auto' or " : '') + (integer ? 'an integer' : 'a number');
      const bound =
        spec.max !== undefined
          ? ` in ${spec.min ?? '-∞'}..${spec.max}`
          : spec.min !== undefined
            ? ` ≥ ${spec.min}`
            : spec.above !== undefined
              ? ` > ${spec.above}`
              : '';
      if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) fail(`${what}${bound}`);
      if (spec.min !== undefined && n < spec.min) fail(`${what}${bound}`);
      if (spec.max !== undefined && n > spec.max) fail(`${what}${bound}`);
      if (spec.above !== undefined && n <= spec.above) fail(`${what}${bound}`);
      return n;
    }
    case 'choice':
      if (typeof value !== 'string' || !spec.choices!.includes(value))
        fail(`one of ${spec.choices!.join(', ')}`);
      return value as string;
    case 'list': {
      const list = Array.isArray(value)
        ? value.map(String)
        : typeof value === 'string'
          ? value.split(',')
          : fail('a comma-separated list of columns');
      const names = (list as string[]).map((s) => s.trim()).filter((s) => s.length > 0);
      if (names.length === 0) fail('at least one column name');
      return names;
    }
    case 'centres':
    case 'string':
      // Centres given as numbers are checked against k and the features where those are known.
      if (spec.kind === 'centres' && (value instanceof Float32Array || Array.isArray(value)))
        return value as Float32Array | number[][];
      if (typeof value !== 'string' || value.length === 0) fail('a value');
      return value as string;
  }
}

/** A parameter's default, for `algorithm` where it depends on one. */
export function parameterDefault(
  spec: ParameterSpec,
  algorithm: Algorithm = 'kmeans',
): number | string | undefined {
  return spec.defaults ? spec.defaults[algorithm] : spec.default;
}

/**
 * The values an API call runs with: each option of `specs` in `given` checked (a UsageError names
 * the option), a missing one given its default (`algorithm`'s, where it depends on
 * one). The only place defaults are applied.
 */
export function resolveParameters<const T extends readonly ParameterSpec[]>(
  specs: T,
  given: object,
  algorithm: Algorithm = 'kmeans',
): ResolvedParameters<T> {
  const values = given as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = values[spec.name] ?? parameterDefault(spec, algorithm);
    out[spec.name] = value === undefined ? undefined : checkParameter(spec, value);
  }
  return out as ResolvedParameters<T>;
}

/** The spec of an option by API name. */
export function parameter<const T extends readonly ParameterSpec[], N extends T[number]['name']>(
  specs: T,
  name: N,
): Extract<T[number], { name: N }> {
  if (!Array.isArray(specs)) throw argumentError('specs', 'an array of parameter specs', specs);
  const spec = specs.find((s) => s.name === name);
  if (!spec)
    throw new UsageError(
      `name: no parameter '${String(name)}' (parameters: ${specs.map((s) => s.name).join(', ')})`,
    );
  return spec as Extract<T[number], { name: N }>;
}
