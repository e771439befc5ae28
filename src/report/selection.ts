import { InputError, subjectName, type Subject } from '../errors.js';

/** What the report shows of a choice of k: `gpuseg select --output`'s JSON, or selectK's result. */
export interface SelectionSummary {
  rows: {
    k: number;
    inertia: number;
    bic: number | undefined;
    silhouette: number;
    calinskiHarabasz: number;
    daviesBouldin: number;
  }[];
  elbow: number | undefined;
  recommended: number;
  /** Rows the silhouette was computed on; undefined when exact. */
  silhouetteSample: number | undefined;
}

/**
 * Reads a selection in either form (snake_case JSON from `select --output`, or the camelCase
 * SelectResult of the API); `source` names it in errors.
 */
export function parseSelection(value: unknown, source: Subject): SelectionSummary {
  const bad = (what: string): never => {
    throw new InputError(
      (opt) => `${subjectName(source, opt)} is not a gpuseg selection (selectK's result): ${what}`,
    );
  };
  if (typeof value !== 'object' || value === null) return bad('not a JSON object');
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.rows) || v.rows.length === 0) return bad('"rows" is missing or empty');
  const number = (row: Record<string, unknown>, ...keys: string[]): number => {
    for (const key of keys) if (typeof row[key] === 'number') return row[key] as number;
    return bad(`a row has no number "${keys[0]}"`);
  };
  const rows = (v.rows as Record<string, unknown>[]).map((row) => {
    if (typeof row !== 'object' || row === null) return bad('a row is not an object');
    return {
      k: number(row, 'k'),
      inertia: number(row, 'inertia'),
      bic: typeof row.bic === 'number' ? row.bic : undefined,
      silhouette: number(row, 'silhouette'),
      calinskiHarabasz: number(row, 'calinski_harabasz', 'calinskiHarabasz'),
      daviesBouldin: number(row, 'davies_bouldin', 'daviesBouldin'),
    };
  });
  const method = (v.silhouette_method ?? v.silhouetteMethod) as
    { exact?: boolean; sample_size?: number; sampleSize?: number } | undefined;
  const sample = method?.sample_size ?? method?.sampleSize;
  return {
    rows,
    elbow: typeof v.elbow === 'number' ? v.elbow : undefined,
    recommended: typeof v.recommended === 'number' ? v.recommended : rows[0].k,
    silhouetteSample:
      method && method.exact === false && typeof sample === 'number' ? sample : undefined,
  };
}
