import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { readCsv } from '../io/csv-read.js';

/**
 * Initial centres from a file (--init FILE): JSON (an array of K rows, {"centres": [...]}, or a
 * gpuseg model) or CSV (K rows; with a header naming the features, columns are matched by name).
 * The shape must be k × features; the message says what was expected and what was found.
 */
export async function readInitCentres(
  path: string,
  k: number,
  features: readonly string[],
): Promise<Float32Array> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      (opt) => `${opt('init')} '${path}': not 'k-means++', 'random', or a readable file`,
      {
        cause: error,
      },
    );
  }
  const rows =
    /\.json$/i.test(path) || /^\s*[[{]/.test(text)
      ? fromJson(text, path, features)
      : await fromCsv(path, features);
  const d = features.length;
  if (rows.length !== k || rows.some((r) => r.length !== d)) {
    const got = `${rows.length} × ${rows.length > 0 ? rows[0].length : 0}`;
    throw new InputError(
      (opt) =>
        `${opt('init')} '${path}': expected ${k} rows × ${d} columns (k × features: ${features.join(', ')}), got ${got}`,
    );
  }
  const out = new Float32Array(k * d);
  rows.forEach((row, c) =>
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InputError(
          (opt) => `${opt('init')} '${path}': row ${c}, column ${j} is not a finite number`,
        );
      out[c * d + j] = v;
    }),
  );
  return out;
}

function fromJson(text: string, path: string, features: readonly string[]): number[][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      (opt) => `${opt('init')} '${path}': not valid JSON (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const obj = value as { centres?: unknown; centresInputUnits?: unknown; features?: unknown };
  // A gpuseg model: its centres in input units (its clustering space may differ from this run's).
  const rows = Array.isArray(value)
    ? value
    : obj && Array.isArray(obj.centresInputUnits)
      ? obj.centresInputUnits
      : obj && Array.isArray(obj.centres)
        ? obj.centres
        : undefined;
  if (!rows || !rows.every(Array.isArray))
    throw new InputError(
      (opt) =>
        `${opt('init')} '${path}': expected an array of centres (arrays of numbers) or {"centres": [...]}`,
    );
  if (Array.isArray(obj.features)) {
    const named = obj.features as string[];
    if (named.length !== features.length || named.some((f, j) => f !== features[j])) {
      throw new InputError(
        (opt) =>
          `${opt('init')} '${path}': its features (${named.join(', ')}) differ from this run's (${features.join(', ')})`,
      );
    }
  }
  return rows as number[][];
}

async function fromCsv(path: string, features: readonly string[]): Promise<number[][]> {
  const table = await readCsv(path);
  const names = table.schema.fields.map((f) => f.name);
  const headerIsData = names.every((n) => Number.isFinite(Number(n)));
  const order =
    names.every((n) => features.includes(n)) && names.length === features.length
      ? features.map((f) => names.indexOf(f))
      : names.map((_, j) => j);
  const rows: number[][] = [];
  if (headerIsData) rows.push(names.map(Number));
  for (let i = 0; i < table.numRows; i++)
    rows.push(order.map((j) => Number(table.getChildAt(j)!.get(i))));
  return rows;
}
