import { describe, expect, test } from 'vitest';
import { categoryAxis, renderSvg, type ChartSpec } from '../src/report/chart.js';
import { loadECharts } from '../src/report/echarts.js';
import { fitText } from '../src/report/label-fit.js';

/**
 * Labels too long for their width are cut by the report (label-fit.ts), by whole-string measures:
 * ECharts' own cut starts from per-character widths whose table it stops building after a slow
 * measurement, so the same chart could come out cut differently under load.
 */
describe('labels cut by the report', () => {
  const labels = [
    '0 Champions',
    '4 Segment 4: high recency_days',
    '2 WWWWWWWWWWWWWWWWWWWWWWWW',
    '3 iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii',
    '5 Ünïcödé and 国 wide characters, long enough to be cut',
  ];

  test('the longest start that fits, then "..."; a label that fits is left whole', async () => {
    const echarts = await loadECharts();
    const width = (s: string, size: number) =>
      echarts.format.getTextRect(s, `${size}px sans-serif`).width;
    for (const size of [10, 11, 12])
      for (const room of [40, 80, 110, 136])
        for (const text of labels) {
          const cut = fitText(echarts, text, size, room);
          if (width(text, size) <= room - 1) {
            expect(cut).toBe(text);
            continue;
          }
          expect(cut.endsWith('...')).toBe(true);
          const kept = cut.slice(0, -3);
          expect(text.startsWith(kept)).toBe(true);
          expect(width(cut, size)).toBeLessThanOrEqual(room - 1);
          // One more character would not fit.
          expect(width(text.slice(0, kept.length + 1) + '...', size)).toBeGreaterThan(room - 1);
        }
  });

  test('a chart shows each category label as fitText cuts it, not as ECharts would', async () => {
    const echarts = await loadECharts();
    // fontSize 10, 80 px: ECharts' per-character first guess keeps one character fewer than
    // fits for the second label ('4 Segment 4: h...'), the report's cut keeps it ('hi...').
    const spec: ChartSpec = {
      id: 'labels',
      title: 'labels',
      width: 600,
      height: 200,
      option: {
        xAxis: categoryAxis('', labels, {
          axisLabel: { fontSize: 10, interval: 0, width: 80, overflow: 'truncate' },
        }),
        yAxis: { type: 'value' },
        series: [{ type: 'bar', data: labels.map((_, i) => i + 1) }],
      },
      table: { head: [], rows: [] },
    };
    const svg = renderSvg(echarts, spec);
    const shown = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
      m[1].replaceAll('&amp;', '&'),
    );
    for (const label of labels) expect(shown).toContain(fitText(echarts, label, 10, 80));
    expect(shown).toContain('4 Segment 4: hi...');
  });
});
