import { expect } from 'vitest';

/** The rows of the table under the snake plot: each cell's data-value, else its text. */
export function profilesTableRows(html: string): string[][] {
  const figure = /<figure class="chart" id="chart-snake"[\s\S]*?<\/figure>/.exec(html)![0];
  const body = figure.match(/<tbody>[\s\S]*<\/tbody>/)![0];
  return (body.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map((tr) =>
    (tr.match(/<td[^>]*>[^<]*<\/td>/g) ?? []).map((td) => {
      const value = /data-value="([^"]*)"/.exec(td);
      return value ? value[1] : td.replace(/<[^>]+>/g, '');
    }),
  );
}

/**
 * Rows of the report's profile table equal a profiles.csv, row for row and value for value
 * (segment_id, segment_name, column, role, mean, median, population_mean, relative_importance,
 * z_score; the CSV's size and share are on the size chart).
 */
export function expectRowsEqualProfilesCsv(rows: string[][], csv: string): void {
  const lines = csv.trim().split('\n').slice(1);
  expect(rows).toHaveLength(lines.length);
  lines.forEach((line, i) => {
    // Names here have no commas or quotes (personas, 'Segment 4: high x').
    const f = line.split(',');
    expect(rows[i]).toEqual([f[0], f[1], f[4], f[5], f[6], f[7], f[8], f[9], f[10]]);
  });
}

/** The page's profile table equals a profiles.csv. */
export function expectProfilesTable(html: string, csv: string): void {
  expectRowsEqualProfilesCsv(profilesTableRows(html), csv);
}
