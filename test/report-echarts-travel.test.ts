import { describe, expect, test } from 'vitest';
import { staticSvg, type EChartsModule } from '../src/report/chart.js';
import { keptTravel } from '../src/report/echarts-travel.js';

/**
 * The report keeps ECharts' component dependency graph instead of building it at every setOption
 * (keptTravel). The kept travel must be ECharts' own: the same types visited, in the same order,
 * with the same dependencies, for any list of types an option can hold; and a chart drawn with it
 * is the same SVG.
 */

type Visit = (componentType: string, dependencies: string[]) => void;
type Travel = (targets: string[], fullNames: string[], visit: Visit, context?: unknown) => void;
interface Host {
  topologicalTravel: Travel;
  getAllClassMainTypes(): string[];
}

// The bundle the report loads, imported here without loadECharts: ECharts' own travel, unpatched.
const echarts = (await import('echarts/dist/echarts.esm.min.mjs' as string)) as EChartsModule;
const host = echarts.ComponentModel as unknown as Host;
const own: Travel = host.topologicalTravel.bind(host);

function visits(travel: Travel, targets: string[], fullNames: string[]): string[] {
  const seen: string[] = [];
  travel(targets, fullNames, (type, deps) => void seen.push(`${type} <- ${deps.join(',')}`));
  return seen;
}

describe('the kept dependency graph', () => {
  const all = host.getAllClassMainTypes();

  test('visits what ECharts visits, in its order, for single types, the report options and all', () => {
    const kept = keptTravel(own);
    expect(all.length).toBeGreaterThan(20);
    const lists = [
      ...all.map((t) => [t]),
      ['series', 'xAxis', 'yAxis', 'grid'],
      ['grid', 'xAxis', 'yAxis', 'legend', 'series'],
      ['visualMap', 'series', 'xAxis', 'yAxis', 'grid'],
      ['series', 'dataset', 'title', 'tooltip'],
      [...all].reverse(),
      all,
    ];
    for (const targets of lists)
      // Twice: the second travel reuses the kept graph (its counts are the travel's own copy).
      for (let round = 0; round < 2; round++)
        expect(visits(kept, targets, all), targets.join(',')).toEqual(visits(own, targets, all));
    // A shorter list of registered types gets a graph of its own.
    const some = all.filter((t) => t !== 'legend');
    const targets = ['series', 'grid', 'xAxis'];
    expect(visits(kept, targets, some)).toEqual(visits(own, targets, some));
    expect(visits(kept, targets, some)).not.toEqual(visits(kept, targets, all));
    expect(visits(kept, [], all)).toEqual([]);
  });

  test('a chart drawn with it is the same SVG', () => {
    const option = {
      animation: false,
      legend: {},
      grid: [
        { top: 20, bottom: '55%', containLabel: true },
        { top: '55%', containLabel: true },
      ],
      xAxis: [
        { type: 'value', gridIndex: 0, name: 'spend' },
        { type: 'category', data: ['x', 'y'], gridIndex: 1 },
      ],
      yAxis: [
        { type: 'category', data: ['a', 'b'], gridIndex: 0, inverse: true },
        { type: 'category', data: ['p', 'q'], gridIndex: 1 },
      ],
      visualMap: { min: 0, max: 1, orient: 'horizontal', left: 'center', bottom: 0 },
      series: [
        {
          type: 'boxplot',
          name: 'box',
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
            [0, 0, 0.2],
            [1, 1, 0.9],
          ],
          label: { show: true },
        },
      ],
    };
    const draw = (): string => {
      const chart = echarts.init(null, null, {
        renderer: 'svg',
        ssr: true,
        width: 380,
        height: 400,
      });
      try {
        chart.setOption(option as Parameters<typeof chart.setOption>[0]);
        // zrender numbers its instances (ids like zr3-c0): the same chart, another instance.
        return staticSvg(chart).replace(/zr\d+-/g, 'zr-');
      } finally {
        chart.dispose();
      }
    };
    const before = draw();
    host.topologicalTravel = keptTravel(own);
    try {
      expect(draw()).toEqual(before);
    } finally {
      host.topologicalTravel = own;
    }
    expect(before).toContain('<path');
  });
});
