import { expect } from 'vitest';

/** The data-value cells of the table under the snake plot equal a profiles.csv, row for row. */
export function expectProfilesTable(html: string, csv: string): void {
  const figure = /<figure class="chart" id="chart-snake"[\s\S]*?<\/figure>/.exec(html)![0];
  const rows = (figure.match(/<tbody>[\s\S]*<\/tbody>/)![0].match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map(
    (tr) =>
      (tr.match(/<td[^>]*>[^<]*<\/td>/g) ?? []).map((td) => {
        const value = /data-value="([^"]*)"/.exec(td);
        return value ? value[1] : td.replace(/<[^>]+>/g, '');
      }),
  );
  const lines = csv.trim().split('\n').slice(1);
  expect(rows).toHaveLength(lines.length);
  lines.forEach((line, i) => {
    const f = line.split(',');
    // profiles.csv: segment_id,segment_name,size,share,column,role,mean,median,population_mean,relative_importance,z_score
    expect(rows[i]).toEqual([f[0], f[1], f[4], f[5], f[6], f[7], f[8], f[9], f[10]]);
  });
}
