import type { Table } from 'apache-arrow';
import { categoryKey, orderCategories } from '../prep/categorical.js';
import type { ColumnRole } from './profile.js';

/**
 * Profiles of categorical columns: each category's share of every segment's rows, beside its share
 * of all rows. Clustered columns (--categorical) have role 'feature'; categorical columns left out
 * of the default features (data/categorical-detect.ts) come back here with role 'profile', so the
 * Wholesale segments still show their Channel and Region mix.
 */
export interface CategoryShares {
  column: string;
  role: ColumnRole;
  /** In order (numerically when every category is a number); a missing cell is '(missing)'. */
  categories: string[];
  /** Share of all rows in each category. */
  population: number[];
  /** [segment][category]: share of the segment's rows in each category (0 for an empty segment). */
  segments: number[][];
}

export function categoryShares(
  table: Table,
  labels: Int32Array,
  k: number,
  columns: readonly { name: string; role: ColumnRole }[],
): CategoryShares[] {
  const n = table.numRows;
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  return columns.map(({ name, role }) => {
    const column = table.getChild(name)!;
    const counts = new Map<string, Float64Array>();
    for (let i = 0; i < n; i++) {
      const key = categoryKey(column.get(i));
      let perSegment = counts.get(key);
      if (!perSegment) counts.set(key, (perSegment = new Float64Array(k)));
      perSegment[labels[i]]++;
    }
    const categories = orderCategories([...counts.keys()]);
    const population = categories.map((c) => counts.get(c)!.reduce((a, b) => a + b, 0) / n);
    const segments = Array.from({ length: k }, (_, s) =>
      categories.map((c) => (sizes[s] > 0 ? counts.get(c)![s] / sizes[s] : 0)),
    );
    return { column: name, role, categories, population, segments };
  });
}

/**
 * profiles.csv's rows for the categories, in its columns: `column` is `name=category`, `mean` the
 * segment's share in it (the mean of its 0/1 indicator), `population_mean` the share of all rows,
 * `relative_importance` share / population share − 1, `z_score` (share − p)/√(p(1 − p)), the
 * indicator's own z-score; `median` is empty.
 */
export function categoryCsvLines(
  categories: readonly CategoryShares[],
  segments: readonly { segment: number; name: string | undefined; size: number; share: number }[],
  quote: (s: string | undefined) => string,
  num: (v: number | null) => string,
): string[] {
  return segments.flatMap((s) =>
    categories.flatMap((c) =>
      c.categories.map((category, l) => {
        const p = c.population[l];
        const share = c.segments[s.segment][l];
        return [
          s.segment,
          quote(s.name),
          s.size,
          num(s.share),
          quote(`${c.column}=${category}`),
          c.role,
          num(s.size > 0 ? share : null),
          '',
          num(p),
          num(s.size > 0 && p > 0 ? share / p - 1 : null),
          num(s.size > 0 && p > 0 && p < 1 ? (share - p) / Math.sqrt(p * (1 - p)) : null),
        ].join(',');
      }),
    ),
  );
}

/** profilesText's rows for the categories: the share of all rows, then of each segment. */
export function categoryTextRows(categories: readonly CategoryShares[], k: number): string[][] {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return categories.flatMap((c) =>
    c.categories.map((category, l) => [
      `${c.column}=${category}${c.role === 'profile' ? ' [profile]' : ''}`,
      pct(c.population[l]),
      ...Array.from({ length: k }, (_, s) => pct(c.segments[s][l])),
    ]),
  );
}
