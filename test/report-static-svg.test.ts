import { describe, expect, test } from 'vitest';
import { staticSvg } from '../src/report/chart.js';
import { loadECharts } from '../src/report/echarts.js';

/**
 * The report asks zrender's SVG painter for the SVG without hover and animation CSS (staticSvg),
 * instead of ECharts' renderToSVGString, which writes both and which the page then strips. The
 * two must draw the same: the same SVG once renderToSVGString's class names and `<style>` are
 * taken out.
 */
describe('charts rendered without hover CSS', () => {
  const options = {
    bars: {
      legend: {},
      xAxis: { type: 'category', data: ['a', 'b', 'c'] },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: 'one', data: [1, 2, 3], label: { show: true } },
        { type: 'line', name: 'two', data: [2, 1, 3], areaStyle: { opacity: 0.5 }, silent: true },
      ],
    },
    boxesAndHeatmap: {
      grid: [{ bottom: '55%' }, { top: '55%' }],
      xAxis: [
        { type: 'category', data: ['a', 'b'], gridIndex: 0 },
        { type: 'category', data: ['x', 'y'], gridIndex: 1 },
      ],
      yAxis: [
        { type: 'value', gridIndex: 0 },
        { type: 'category', data: ['p', 'q'], gridIndex: 1 },
      ],
      visualMap: { min: 0, max: 1, orient: 'horizontal', left: 'center', bottom: 0 },
      series: [
        {
          type: 'boxplot',
          data: [
            [1, 2, 3, 4, 5],
            [2, 3, 4, 5, 6],
          ],
        },
        {
          type: 'heatmap',
          xAxisIndex: 1,
          yAxisIndex: 1,
          data: [
            [0, 0, 0.1],
            [1, 1, 0.9],
            [0, 1, 0.5],
          ],
          label: { show: true },
        },
      ],
    },
  };

  for (const [name, option] of Object.entries(options))
    test(`${name}: the same SVG as renderToSVGString without its CSS`, async () => {
      const echarts = await loadECharts();
      const render = (how: 'static' | 'echarts'): string => {
        const chart = echarts.init(null, null, {
          renderer: 'svg',
          ssr: true,
          width: 400,
          height: 300,
        });
        try {
          chart.setOption({ animation: false, ...option } as Parameters<typeof chart.setOption>[0]);
          return how === 'static' ? staticSvg(chart) : chart.renderToSVGString();
        } finally {
          chart.dispose();
        }
      };
      // zrender numbers its instances (ids of clip paths and classes): one per render here.
      const ids = (svg: string) => svg.replace(/zr\d+-/g, 'zr-');
      const full = render('echarts');
      const bare = render('static');
      expect(full).toMatch(/<style[\s\S]*:hover/);
      expect(full).toMatch(/ class="zr\d+-cls-\d+"/);
      expect(bare).not.toMatch(/<style|class=|:hover/);
      const stripped = full
        .replace(/<style[\s\S]*?<\/style>\n?/g, '')
        .replace(/ class="zr\d+-cls-\d+"/g, '');
      expect(ids(bare)).toBe(ids(stripped));
      expect(bare).toMatch(/<path/);
    });
});
